using System.Diagnostics.CodeAnalysis;

namespace LkmKit.Linker.Symbols;

/// <summary>A set of kernel symbols read from one place (System.map, kallsyms, Module.symvers, an ELF image, modules).</summary>
public interface IKernelSymbolSource
{
    /// <summary>What the symbols came from, e.g. the file path; used in messages and the link map.</summary>
    string Description { get; }

    /// <summary>Every entry, in source order; a name may appear more than once. Built on demand: prefer <see cref="TryGet"/>.</summary>
    IEnumerable<KernelSymbol> Symbols { get; }

    /// <summary>
    /// The entry this source gives for <paramref name="name"/>: of several entries with that name, the first global
    /// (upper-case type letter) one, else the first.
    /// </summary>
    bool TryGet(string name, [MaybeNullWhen(false)] out KernelSymbol symbol);

    /// <summary>
    /// Says which names are about to be asked for, so that a large source can answer them from one pass instead of
    /// an index of every entry. Asking for other names afterwards still works.
    /// </summary>
    void Prepare(IReadOnlyCollection<string> names)
    {
    }

    /// <summary>True when <see cref="Prepare"/> would use the names (so callers can skip collecting them).</summary>
    bool WantsNames => false;
}

/// <summary>
/// A source backed by a list built once. (A class, not a record: its lookup table is built on first use, and a
/// cache must not take part in equality.)
/// </summary>
/// <param name="description">What the symbols came from.</param>
/// <param name="symbols">The symbols in source order.</param>
public sealed class KernelSymbolList(string description, IReadOnlyList<KernelSymbol> symbols) : IKernelSymbolSource
{
    private MergedSymbolTable? _table;

    /// <inheritdoc />
    public string Description { get; } = description;

    /// <summary>The symbols in source order; a name may appear more than once.</summary>
    public IReadOnlyList<KernelSymbol> Symbols { get; } = symbols;

    IEnumerable<KernelSymbol> IKernelSymbolSource.Symbols => Symbols;

    /// <inheritdoc />
    public bool TryGet(string name, [MaybeNullWhen(false)] out KernelSymbol symbol) =>
        (_table ??= MergedSymbolTable.Of(this)).TryGet(name, out symbol);
}
