using LkmKit.Formats.Model;

namespace LkmKit.Linker.Symbols;

/// <summary>The symbol table of a kernel ELF image (<c>vmlinux</c>) as a symbol source, through the common model.</summary>
internal static class ElfImageSymbols
{
    /// <summary>Every named, defined, non-section symbol of <paramref name="image"/> with its address.</summary>
    public static KernelSymbolList From(KernelModule image, string description)
    {
        var result = new List<KernelSymbol>();
        foreach (var symbol in image.Symbols)
        {
            if (symbol.Name.Length == 0 || symbol.Type is SymbolType.Section or SymbolType.File
                || symbol.Definition is not (SymbolDefinition.Section or SymbolDefinition.Absolute))
            {
                continue;
            }

            char letter = symbol.Type == SymbolType.Function ? 't' : symbol.Definition == SymbolDefinition.Absolute ? 'a' : 'd';
            if (symbol.Binding is SymbolBinding.Global or SymbolBinding.Weak)
            {
                letter = char.ToUpperInvariant(letter);
            }

            result.Add(new KernelSymbol(symbol.Name, symbol.Value, letter, Owner: "vmlinux"));
        }

        return new KernelSymbolList(description, result);
    }
}
