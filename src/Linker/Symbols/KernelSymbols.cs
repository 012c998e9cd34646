using System.Diagnostics.CodeAnalysis;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// One view over any number of symbol sources. A name resolves to the first source (in the order added) that
/// gives it an address; within one source the global (upper-case type) entry wins over local ones, then the
/// first. CRCs, export types and namespaces are taken from whichever source carries them.
/// </summary>
/// <remarks>
/// Indexed sources (a System.map is indexed in place, without a string per line) are asked name by name, so a link
/// only pays for the names its modules import. Consecutive listed sources (Module.symvers, the exports of modules
/// linked earlier) share one dictionary, so linking thousands of modules does not ask thousands of sources.
/// </remarks>
public sealed class KernelSymbols
{
    private readonly List<IKernelSymbolSource> _sources = [];
    private readonly List<IKernelSymbolSource> _layers = [];

    /// <summary>The sources, in the order they were added.</summary>
    public IReadOnlyList<IKernelSymbolSource> Sources => _sources;

    /// <summary>Adds a source; names it defines that earlier sources already gave an address keep that address.</summary>
    public void Add(IKernelSymbolSource source)
    {
        _sources.Add(source);
        if (source is KernelSymbolList list)
        {
            if (_layers.Count == 0 || _layers[^1] is not MergedSymbolTable table)
            {
                _layers.Add(table = new MergedSymbolTable());
            }

            table.Merge(list.Symbols);
        }
        else
        {
            _layers.Add(source);
        }
    }

    /// <summary>Tells the sources which names the next lookups will ask for (see <see cref="IKernelSymbolSource.Prepare"/>).</summary>
    public void Prepare(IReadOnlyCollection<string> names)
    {
        foreach (var source in _layers)
        {
            source.Prepare(names);
        }
    }

    /// <summary>True when some source would use <see cref="Prepare"/>'s names.</summary>
    public bool WantsNames => _layers.Exists(s => s.WantsNames);

    /// <summary>Finds <paramref name="name"/>; the result may lack an address (known only from Module.symvers).</summary>
    public bool TryGet(string name, [MaybeNullWhen(false)] out KernelSymbol symbol)
    {
        symbol = null;
        foreach (var layer in _layers)
        {
            if (layer.TryGet(name, out var s))
            {
                symbol = symbol is null ? s : KernelSymbol.Merge(symbol, s);
            }
        }

        return symbol is not null;
    }

    /// <summary>The address of <paramref name="name"/>, or null when no source gives one.</summary>
    public ulong? AddressOf(string name) => TryGet(name, out var s) ? s.Address : null;
}
