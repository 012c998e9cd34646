using System.Diagnostics.CodeAnalysis;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// A dictionary over one or more listed sources: within a source the first global entry of a name wins, else its
/// first entry; across sources the first address wins and CRCs, export types and namespaces are taken from
/// whichever source carries them.
/// </summary>
internal sealed class MergedSymbolTable : IKernelSymbolSource
{
    private readonly Dictionary<string, KernelSymbol> _byName = new(StringComparer.Ordinal);

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
        var seenHere = new Dictionary<string, KernelSymbol>(symbols.Count, StringComparer.Ordinal);
        foreach (var symbol in symbols)
        {
            if (!seenHere.TryGetValue(symbol.Name, out var previous) || KernelSymbol.Prefers(symbol, previous))
            {
                seenHere[symbol.Name] = symbol;
            }
        }

        foreach (var (name, symbol) in seenHere)
        {
            _byName[name] = _byName.TryGetValue(name, out var existing) ? KernelSymbol.Merge(existing, symbol) : symbol;
        }
    }

    /// <inheritdoc />
    public string Description => "merged symbol lists";

    /// <inheritdoc />
    public IEnumerable<KernelSymbol> Symbols => _byName.Values;

    /// <inheritdoc />
    public bool TryGet(string name, [MaybeNullWhen(false)] out KernelSymbol symbol) => _byName.TryGetValue(name, out symbol);
}
