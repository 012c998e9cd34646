using System.Diagnostics.CodeAnalysis;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// A dictionary over one or more listed sources: within a source the first global entry of a name wins, else its
/// first entry; across sources the first address wins and CRCs, export types and namespaces are taken from
/// whichever source carries them.
/// </summary>
internal sealed class MergedSymbolTable : IKernelSymbolSource
{
    private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private int _sources;

    /// <summary>A table holding only <paramref name="source"/>.</summary>
    public static MergedSymbolTable Of(KernelSymbolList source)
    {
        var table = new MergedSymbolTable();
        table.Merge(source.Symbols);
        return table;
    }

    /// <summary>Adds a later source.</summary>
    public void Merge(IReadOnlyList<KernelSymbol> symbols)
    {
        int source = ++_sources;
        foreach (var symbol in symbols)
        {
            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_byName, symbol.Name, out bool exists);
            if (!exists)
            {
                entry = new Entry(symbol, source, null, symbol);
            }
            else if (entry.Source != source)
            {
                entry = new Entry(KernelSymbol.Merge(entry.Symbol, symbol), source, entry.Symbol, symbol);
            }
            else if (KernelSymbol.Prefers(symbol, entry.Own))
            {
                // Of two entries in one source the global one wins: merge it, not the first, over the earlier sources.
                entry = new Entry(entry.Earlier is { } earlier ? KernelSymbol.Merge(earlier, symbol) : symbol, source, entry.Earlier, symbol);
            }
        }
    }

    /// <inheritdoc />
    public string Description => "merged symbol lists";

    /// <summary>A name's merged symbol, the source that last gave it, the merge before that source, and that source's own entry.</summary>
    private readonly record struct Entry(KernelSymbol Symbol, int Source, KernelSymbol? Earlier, KernelSymbol Own);

    /// <inheritdoc />
    public IEnumerable<KernelSymbol> Symbols => _byName.Values.Select(v => v.Symbol);

    /// <inheritdoc />
    public bool TryGet(string name, [MaybeNullWhen(false)] out KernelSymbol symbol)
    {
        bool found = _byName.TryGetValue(name, out var entry);
        symbol = entry.Symbol;
        return found;
    }
}
