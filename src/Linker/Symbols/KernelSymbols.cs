namespace LkmKit.Linker.Symbols;

/// <summary>
/// One view over any number of symbol sources. A name resolves to the first source (in the order added) that
/// gives it an address; within one source the global (upper-case type) entry wins over local ones, then the
/// first. CRCs, export types and namespaces are taken from whichever source carries them.
/// </summary>
public sealed class KernelSymbols
{
    private readonly Dictionary<string, KernelSymbol> _byName = new(StringComparer.Ordinal);
    private readonly List<IKernelSymbolSource> _sources = [];

    /// <summary>The sources, in the order they were added.</summary>
    public IReadOnlyList<IKernelSymbolSource> Sources => _sources;

    /// <summary>How many distinct names are known.</summary>
    public int Count => _byName.Count;

    /// <summary>Adds a source; names it defines that earlier sources already gave an address keep that address.</summary>
    public void Add(IKernelSymbolSource source)
    {
        _sources.Add(source);
        var seenHere = new Dictionary<string, KernelSymbol>(StringComparer.Ordinal);
        foreach (var symbol in source.Symbols)
        {
            if (!seenHere.TryGetValue(symbol.Name, out var previous) || (!previous.IsGlobal && symbol.IsGlobal))
            {
                seenHere[symbol.Name] = symbol;
            }
        }

        foreach (var (name, symbol) in seenHere)
        {
            _byName[name] = _byName.TryGetValue(name, out var existing) ? Merge(existing, symbol) : symbol;
        }
    }

    /// <summary>Finds <paramref name="name"/>; the result may lack an address (known only from Module.symvers).</summary>
    public bool TryGet(string name, out KernelSymbol symbol) => _byName.TryGetValue(name, out symbol!);

    /// <summary>The address of <paramref name="name"/>, or null when no source gives one.</summary>
    public ulong? AddressOf(string name) => _byName.TryGetValue(name, out var s) ? s.Address : null;

    private static KernelSymbol Merge(KernelSymbol first, KernelSymbol later) =>
        first with
        {
            Address = first.Address ?? later.Address,
            TypeLetter = first.Address is null && later.Address is not null ? later.TypeLetter : first.TypeLetter,
            Crc = first.Crc ?? later.Crc,
            ExportType = first.ExportType ?? later.ExportType,
            Namespace = first.Namespace ?? later.Namespace,
            Owner = first.Address is null && later.Address is not null ? later.Owner ?? first.Owner : first.Owner ?? later.Owner,
        };
}
