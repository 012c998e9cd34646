using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf;

/// <summary>
/// Exports and imports of modules whose kernels link by plain ELF symbols (FreeBSD, NetBSD): the defined global
/// symbols and the named undefined symbols of the primary symbol table.
/// </summary>
internal static class ElfModuleSymbols
{
    /// <summary>Global and weak symbols defined in a section, except those <paramref name="skip"/> rejects.</summary>
    public static List<ModuleExport> Exports(ElfFile elf, Func<string, bool> skip)
    {
        var result = new List<ModuleExport>();
        Visit(elf, (symbols, s) =>
        {
            if (!s.IsUndefined && s.Binding is ElfConstants.StbGlobal or ElfConstants.StbWeak
                && s.RawSectionIndex is not (ElfConstants.ShnAbs or ElfConstants.ShnCommon) && s.Type is not (ElfConstants.SttSection or ElfConstants.SttFile))
            {
                string name = symbols.GetName(s);
                if (name.Length > 0 && !skip(name))
                {
                    result.Add(new ModuleExport(name));
                }
            }
        });
        return result;
    }

    /// <summary>Named undefined symbols, except those <paramref name="skip"/> rejects.</summary>
    public static List<ModuleImport> Imports(ElfFile elf, Func<string, bool> skip)
    {
        var result = new List<ModuleImport>();
        Visit(elf, (symbols, s) =>
        {
            if (s.IsUndefined && s.NameOffset != 0)
            {
                string name = symbols.GetName(s);
                if (name.Length > 0 && !skip(name))
                {
                    result.Add(new ModuleImport(name, IsWeak: s.Binding == ElfConstants.StbWeak));
                }
            }
        });
        return result;
    }

    private static void Visit(ElfFile elf, Action<ElfSymbolTable, ElfSymbol> visit)
    {
        int index = ElfModelBuilder.PrimarySymbolTable(elf);
        if (index < 0)
        {
            return;
        }

        var symbols = elf.GetSymbolTable(index);
        for (int i = 1; i < symbols.Count; i++)
        {
            visit(symbols, symbols[i]);
        }
    }
}
