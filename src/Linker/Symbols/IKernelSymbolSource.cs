namespace LkmKit.Linker.Symbols;

/// <summary>A set of kernel symbols read from one place (System.map, kallsyms, Module.symvers, an ELF image, modules).</summary>
public interface IKernelSymbolSource
{
    /// <summary>What the symbols came from, e.g. the file path; used in messages and the link map.</summary>
    string Description { get; }

    /// <summary>The symbols, in source order; a name may appear more than once.</summary>
    IReadOnlyList<KernelSymbol> Symbols { get; }
}

/// <summary>A source backed by a list built once.</summary>
/// <param name="Description">What the symbols came from.</param>
/// <param name="Symbols">The symbols in source order.</param>
public sealed record KernelSymbolList(string Description, IReadOnlyList<KernelSymbol> Symbols) : IKernelSymbolSource;
