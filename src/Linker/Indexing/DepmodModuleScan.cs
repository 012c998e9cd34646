using System.Text;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.IO;

namespace LkmKit.Linker.Indexing;

/// <summary>A symbol a module exports or needs, with the CRC it carries (0 when none).</summary>
internal readonly record struct DepmodSymbol(string Name, ulong Crc, bool Weak);

/// <summary>What depmod reads from one module file: <c>.modinfo</c> strings, exports and needed symbols.</summary>
internal sealed class DepmodModuleScan
{
    public required List<string> Modinfo { get; init; }
    public required List<DepmodSymbol> Exports { get; init; }
    public required List<DepmodSymbol> Needs { get; init; }

    private static readonly byte[] CrcPrefix = "__crc_"u8.ToArray();

    /// <summary>
    /// Reads the module at <paramref name="path"/> (plain or compressed) the way kmod's libkmod-elf does: exports are
    /// the <c>__crc_</c> symbols (or <c>__ksymtab_strings</c> without modversions); needed symbols are the named
    /// undefined symbols followed by the <c>__versions</c> entries no undefined symbol matched.
    /// </summary>
    /// <exception cref="ModuleFormatException">The file is not a well-formed ELF module.</exception>
    public static DepmodModuleScan Read(string path)
    {
        using var source = ModuleSource.Open(path);
        var elf = ElfFile.Parse(source.Data, path);
        var versions = ReadVersions(elf);
        var scan = new DepmodModuleScan { Modinfo = ReadModinfo(elf), Exports = [], Needs = [] };
        int symtab = elf.FindSection(".symtab");
        if (symtab >= 0 && elf.Sections[symtab].Type == ElfConstants.ShtSymTab)
        {
            ReadSymbols(elf, elf.GetSymbolTable(symtab), versions, scan);
        }

        if (scan.Exports.Count == 0)
        {
            ReadKsymtabStrings(elf, scan.Exports);
        }

        foreach (var (name, crc, matched) in versions)
        {
            if (!matched)
            {
                scan.Needs.Add(new DepmodSymbol(name, crc, false));
            }
        }

        return scan;
    }

    private static List<string> ReadModinfo(ElfFile elf)
    {
        var strings = new List<string>();
        int index = elf.FindSection(".modinfo");
        if (index < 0)
        {
            return strings;
        }

        var span = elf.GetSectionBytes(index);
        while (!span.IsEmpty)
        {
            int nul = span.IndexOf((byte)0);
            var item = nul < 0 ? span : span[..nul];
            if (!item.IsEmpty)
            {
                strings.Add(Encoding.Latin1.GetString(item));
            }

            span = nul < 0 ? default : span[(nul + 1)..];
        }

        return strings;
    }

    private static List<(string Name, ulong Crc, bool Matched)> ReadVersions(ElfFile elf)
    {
        var versions = new List<(string, ulong, bool)>();
        int index = elf.FindSection("__versions");
        if (index < 0)
        {
            return versions;
        }

        var span = elf.GetSectionBytes(index);
        int crcSize = elf.Is64 ? 8 : 4;
        const int record = 64;
        for (int at = 0; at + record <= span.Length; at += record)
        {
            ulong crc = elf.Is64 ? elf.Reader.U64(span, at) : elf.Reader.U32(span, at);
            var name = span.Slice(at + crcSize, record - crcSize);
            int nul = name.IndexOf((byte)0);
            versions.Add((Encoding.Latin1.GetString(nul < 0 ? name : name[..nul]), crc, false));
        }

        return versions;
    }

    private static void ReadSymbols(ElfFile elf, ElfSymbolTable table, List<(string Name, ulong Crc, bool Matched)> versions, DepmodModuleScan scan)
    {
        for (int i = 1; i < table.Count; i++)
        {
            var symbol = table[i];
            var name = table.GetNameBytes(symbol);
            if (name.IsEmpty)
            {
                continue;
            }

            if (name.StartsWith(CrcPrefix))
            {
                string exported = Encoding.Latin1.GetString(name[CrcPrefix.Length..]);
                scan.Exports.Add(new DepmodSymbol(exported, ResolveCrc(elf, symbol), symbol.Binding == ElfConstants.StbWeak));
            }

            if (!symbol.IsUndefined)
            {
                continue;
            }

            string needed = Encoding.Latin1.GetString(name);
            ulong crc = 0;
            for (int v = 0; v < versions.Count; v++)
            {
                if (versions[v].Name == needed)
                {
                    crc = versions[v].Crc;
                    versions[v] = versions[v] with { Matched = true };
                    break;
                }
            }

            scan.Needs.Add(new DepmodSymbol(needed, crc, symbol.Binding == ElfConstants.StbWeak));
        }
    }

    /// <summary>A <c>__crc_</c> symbol's value is the CRC itself when absolute, else its offset in the CRC section.</summary>
    private static ulong ResolveCrc(ElfFile elf, in ElfSymbol symbol)
    {
        if (symbol.RawSectionIndex is ElfConstants.ShnAbs or ElfConstants.ShnUndef)
        {
            return symbol.Value;
        }

        if (symbol.SectionIndex >= (uint)elf.Sections.Count)
        {
            return ulong.MaxValue;
        }

        var section = elf.Sections[(int)symbol.SectionIndex];
        if (section.Size < 4 || symbol.Value > section.Size - 4 || !section.HasContents)
        {
            return ulong.MaxValue;
        }

        return elf.Reader.U32(elf.GetSectionBytes((int)symbol.SectionIndex), (int)symbol.Value);
    }

    private static void ReadKsymtabStrings(ElfFile elf, List<DepmodSymbol> exports)
    {
        int index = elf.FindSection("__ksymtab_strings");
        if (index < 0)
        {
            return;
        }

        var span = elf.GetSectionBytes(index);
        while (!span.IsEmpty)
        {
            int nul = span.IndexOf((byte)0);
            var item = nul < 0 ? span : span[..nul];
            if (!item.IsEmpty)
            {
                exports.Add(new DepmodSymbol(Encoding.Latin1.GetString(item), 0, false));
            }

            span = nul < 0 ? default : span[(nul + 1)..];
        }
    }
}
