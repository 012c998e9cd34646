using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf.Writing;

/// <summary>
/// The reserve step of <see cref="ElfWriter"/>: the final section list (described sections, then the generated
/// SHT_SYMTAB_SHNDX tables and <c>.shstrtab</c>), the string tables, the symbol order and every file offset.
/// </summary>
internal sealed class ElfLayout
{
    private const int PageSize = 4096;

    public required bool Is64 { get; init; }

    public required int HeaderSize { get; init; }

    public required int ProgramHeaderEntrySize { get; init; }

    public required int SectionHeaderEntrySize { get; init; }

    /// <summary>All sections, index 0 the null section.</summary>
    public required List<PlannedSection> Sections { get; init; }

    public required int SectionNameTable { get; init; }

    public required Dictionary<int, ElfStringTableBuilder> StringTables { get; init; }

    public required long SectionHeaderOffset { get; init; }

    public required long FileSize { get; init; }

    public static ElfLayout Reserve(ElfFileDescription d)
    {
        if (d.Bits is not (32 or 64))
        {
            throw new ArgumentException($"ELF files are 32 or 64 bit, not {d.Bits}", nameof(d));
        }

        bool is64 = d.Bits == 64;
        var sections = new List<PlannedSection> { new(new ElfSectionDescription { Name = "", Type = ElfConstants.ShtNull, Alignment = 0 }) };
        sections.AddRange(d.Sections.Select(s => new PlannedSection(s)));
        int described = sections.Count;

        // Symbol order and the extended section index tables: known before any index is handed out.
        for (int i = 1; i < described; i++)
        {
            if (sections[i].Description.Symbols is { } symbols)
            {
                sections[i].Order = LocalsFirst(symbols, out int firstGlobal);
                sections[i].FirstGlobal = firstGlobal;
                if (symbols.Any(s => !s.IsReservedIndex && s.SectionIndex >= ElfConstants.ShnLoReserve))
                {
                    sections[i].ShndxSection = sections.Count;
                    sections.Add(new PlannedSection(new ElfSectionDescription
                    {
                        Name = sections[i].Description.Name + "_shndx", Type = ElfConstants.ShtSymTabShndx, Alignment = 4, EntrySize = 4, Link = (uint)i,
                    }) { ShndxOf = i });
                }
            }
        }

        int nameTable = d.SectionNameTable;
        if (nameTable == 0)
        {
            nameTable = sections.Count;
            sections.Add(new PlannedSection(new ElfSectionDescription { Name = ".shstrtab", Type = ElfConstants.ShtStrTab }));
        }

        CheckIndex(sections, nameTable, "the section name table");
        var strings = new Dictionary<int, ElfStringTableBuilder>();
        for (int i = 1; i < sections.Count; i++)
        {
            var s = sections[i].Description;
            if (s.Type == ElfConstants.ShtStrTab && s.Data.IsEmpty && s.Symbols is null)
            {
                strings[i] = new ElfStringTableBuilder();
            }
        }

        if (!strings.TryGetValue(nameTable, out var names))
        {
            throw new ArgumentException($"section {nameTable} cannot hold the section names: it is not a generated string table");
        }

        for (int i = 1; i < sections.Count; i++)
        {
            sections[i].NameOffset = names.Add(sections[i].Description.Name);
        }

        for (int i = 1; i < described; i++)
        {
            var p = sections[i];
            if (p.Description.Symbols is { } symbols)
            {
                int link = (int)p.Description.Link;
                CheckIndex(sections, link, $"the string table of {p.Description.Name}");
                if (!strings.TryGetValue(link, out var table))
                {
                    throw new ArgumentException($"{p.Description.Name}: its string table (section {link}) is not a generated one");
                }

                p.SymbolNames = p.Order!.Select(k => table.Add(symbols[k].Name)).ToArray();
            }
        }

        int ehSize = is64 ? 64 : 52, phEntry = is64 ? 56 : 32, shEntry = is64 ? 64 : 40;
        long position = ehSize + (long)phEntry * d.Segments.Count;
        var loadOf = LoadSegmentOfSection(d, sections.Count);
        for (int i = 1; i < sections.Count; i++)
        {
            var p = sections[i];
            p.Size = ContentSize(p, sections, strings, is64, i);
            if (loadOf[i] is { } segment)
            {
                position = PlaceInSegment(d, sections, segment, i, position);
            }
            else
            {
                position = (long)Align(position, Math.Min(Math.Max(p.Description.Alignment, 1), PageSize));
                p.Offset = position;
            }

            if (p.Description.Type != ElfConstants.ShtNoBits)
            {
                position = p.Offset + (long)p.Size;
            }
        }

        ulong shAlign = d.SectionHeaderAlignment == 0 ? (is64 ? 8UL : 4UL) : d.SectionHeaderAlignment;
        long shOffset = (long)Align(position, shAlign);
        return new ElfLayout
        {
            Is64 = is64,
            HeaderSize = ehSize,
            ProgramHeaderEntrySize = phEntry,
            SectionHeaderEntrySize = shEntry,
            Sections = sections,
            SectionNameTable = nameTable,
            StringTables = strings,
            SectionHeaderOffset = shOffset,
            FileSize = shOffset + (long)shEntry * sections.Count,
        };
    }

    internal static int SymbolEntrySize(bool is64) => is64 ? 24 : 16;

    internal static int RelocationEntrySize(bool is64, bool rela) => (is64 ? 16 : 8) + (rela ? (is64 ? 8 : 4) : 0);

    private static ulong ContentSize(PlannedSection p, List<PlannedSection> sections, Dictionary<int, ElfStringTableBuilder> strings, bool is64, int index)
    {
        var s = p.Description;
        if (s.Type == ElfConstants.ShtNoBits)
        {
            return s.Size;
        }

        if (s.Symbols is { } symbols)
        {
            return (ulong)((symbols.Count + 1) * SymbolEntrySize(is64));
        }

        if (s.Relocations is { } relocations)
        {
            if (s.Type is not (ElfConstants.ShtRel or ElfConstants.ShtRela))
            {
                throw new ArgumentException($"{s.Name}: relocations need a section of type SHT_REL or SHT_RELA, not {s.Type}");
            }

            CheckIndex(sections, (int)s.Link, $"the symbol table of {s.Name}");
            return (ulong)(relocations.Count * RelocationEntrySize(is64, s.Type == ElfConstants.ShtRela));
        }

        if (p.ShndxOf > 0)
        {
            return (ulong)((sections[p.ShndxOf].Description.Symbols!.Count + 1) * 4);
        }

        return strings.TryGetValue(index, out var table) ? (ulong)table.Length : (ulong)s.Data.Length;
    }

    /// <summary>Inside a PT_LOAD segment a section's file offset follows its address; the first one is congruent to it.</summary>
    private static long PlaceInSegment(ElfFileDescription d, List<PlannedSection> sections, ElfSegmentDescription segment, int index, long position)
    {
        var p = sections[index];
        var first = sections[segment.FirstSection];
        long offset;
        if (index == segment.FirstSection)
        {
            ulong modulus = Math.Min(Math.Max(segment.Align, 1), PageSize);
            offset = (long)Align(position, Math.Min(Math.Max(p.Description.Alignment, 1), PageSize));
            long skew = (long)(((p.Description.Address % modulus) - ((ulong)offset % modulus) + modulus) % modulus);
            offset += skew;
        }
        else
        {
            if (p.Description.Address < first.Description.Address)
            {
                throw new ArgumentException($"{p.Description.Name}: address 0x{p.Description.Address:x} is below the start of its segment");
            }

            offset = first.Offset + (long)(p.Description.Address - first.Description.Address);
            if (offset < position && p.Description.Type != ElfConstants.ShtNoBits)
            {
                throw new ArgumentException($"{p.Description.Name}: overlaps the section before it in its segment");
            }
        }

        p.Offset = offset;
        return Math.Max(position, offset);
    }

    private static ElfSegmentDescription?[] LoadSegmentOfSection(ElfFileDescription d, int count)
    {
        var result = new ElfSegmentDescription?[count];
        foreach (var segment in d.Segments)
        {
            if (segment.FirstSection == 0 && segment.LastSection == 0)
            {
                continue;
            }

            if (segment.FirstSection <= 0 || segment.LastSection < segment.FirstSection || segment.LastSection >= count)
            {
                throw new ArgumentException($"segment of type {segment.Type}: sections {segment.FirstSection}..{segment.LastSection} are not a range of sections");
            }

            if (segment.Type != ElfConstants.PtLoad)
            {
                continue;
            }

            for (int i = segment.FirstSection; i <= segment.LastSection; i++)
            {
                result[i] ??= segment;
            }
        }

        return result;
    }

    private static int[] LocalsFirst(IReadOnlyList<ElfSymbolDescription> symbols, out int firstGlobal)
    {
        var order = new List<int>(symbols.Count);
        for (int i = 0; i < symbols.Count; i++)
        {
            if (symbols[i].IsLocal) order.Add(i);
        }

        firstGlobal = order.Count + 1;
        for (int i = 0; i < symbols.Count; i++)
        {
            if (!symbols[i].IsLocal) order.Add(i);
        }

        return [.. order];
    }

    private static void CheckIndex(List<PlannedSection> sections, int index, string what)
    {
        if (index <= 0 || index >= sections.Count)
        {
            throw new ArgumentException($"{what} is section {index}, which does not exist");
        }
    }

    internal static ulong Align(long value, ulong alignment) => alignment <= 1 ? (ulong)value : ((ulong)value + alignment - 1) / alignment * alignment;

    /// <summary>One output section and what the reserve step decided for it.</summary>
    internal sealed class PlannedSection(ElfSectionDescription description)
    {
        public ElfSectionDescription Description { get; } = description;

        public uint NameOffset { get; set; }

        public long Offset { get; set; }

        public ulong Size { get; set; }

        /// <summary>For a generated symbol table: description indexes in output order, and the first global's index.</summary>
        public int[]? Order { get; set; }

        public int FirstGlobal { get; set; }

        public uint[]? SymbolNames { get; set; }

        /// <summary>The SHT_SYMTAB_SHNDX section of a symbol table that needs one (0: none).</summary>
        public int ShndxSection { get; set; }

        /// <summary>For a generated SHT_SYMTAB_SHNDX section: its symbol table.</summary>
        public int ShndxOf { get; set; }

        /// <summary>Symbol index as described → index in the written table (index 0 stays 0).</summary>
        public uint[] NewSymbolIndex()
        {
            var map = new uint[Order!.Length + 1];
            for (int k = 0; k < Order.Length; k++)
            {
                map[Order[k] + 1] = (uint)(k + 1);
            }

            return map;
        }
    }
}
