using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Converting;

/// <summary>
/// An i386 ELF relocatable object being assembled by a converter: sections with their bytes and REL relocations
/// (addends in place), and named symbols. <see cref="Describe"/> hands it to <see cref="ElfWriter"/>, each section
/// followed by its <c>.rel</c> table, then <c>.symtab</c> and <c>.strtab</c>.
/// </summary>
internal sealed class RelocatableObject
{
    public const uint R386_32 = 1, R386_PC32 = 2;

    private readonly List<Section> _sections = [];
    private readonly List<Symbol> _symbols = [];
    private readonly Dictionary<string, Symbol> _byName = new(StringComparer.Ordinal);

    public sealed class Section(string name, uint type, ulong flags, ulong alignment)
    {
        public string Name { get; } = name;

        public uint Type { get; } = type;

        public ulong Flags { get; } = flags;

        public ulong Alignment { get; set; } = alignment;

        public List<byte> Bytes { get; } = [];

        public ulong NoBitsSize { get; set; }

        public List<(ulong Offset, Symbol Target, uint Type)> Relocations { get; } = [];

        public Symbol? SectionSymbol { get; set; }

        public ulong Size => Type == ElfConstants.ShtNoBits ? NoBitsSize : (ulong)Bytes.Count;

        /// <summary>Appends <paramref name="bytes"/> at the next multiple of <paramref name="alignment"/>, padding with <paramref name="fill"/>.</summary>
        public int Append(ReadOnlySpan<byte> bytes, int alignment = 1, byte fill = 0)
        {
            while (Bytes.Count % alignment != 0) Bytes.Add(fill);
            int at = Bytes.Count;
            Bytes.AddRange(bytes.ToArray());
            return at;
        }

        public void WriteWord(ulong offset, int value) => System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Bytes).Slice((int)offset, 4), value);

        /// <summary>A 32-bit pointer at <paramref name="at"/>: the addend written in place (REL) and an R_386_32 to <paramref name="target"/>.</summary>
        public void WritePointer(int at, Symbol target, int addend)
        {
            WriteWord((ulong)at, addend);
            Relocations.Add(((ulong)at, target, R386_32));
        }

        public int ReadWord(ulong offset) => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Bytes).Slice((int)offset, 4));
    }

    /// <summary>A symbol; <see cref="Section"/> null means undefined (or absolute when <see cref="Absolute"/>).</summary>
    public sealed class Symbol(string name, Section? section, ulong value, byte binding, byte type, ulong size)
    {
        public string Name { get; } = name;

        public Section? Section { get; set; } = section;

        public ulong Value { get; set; } = value;

        public byte Binding { get; set; } = binding;

        public byte Type { get; } = type;

        public ulong Size { get; set; } = size;

        public bool Absolute { get; init; }
    }

    public IReadOnlyList<Section> Sections => _sections;

    public IReadOnlyList<Symbol> Symbols => _symbols;

    public Section AddSection(string name, uint type, ulong flags, ulong alignment)
    {
        var s = new Section(name, type, flags, alignment);
        _sections.Add(s);
        s.SectionSymbol = new Symbol("", s, 0, ElfConstants.StbLocal, ElfConstants.SttSection, 0);
        _symbols.Add(s.SectionSymbol);
        return s;
    }

    public Symbol AddSymbol(Symbol symbol)
    {
        _symbols.Add(symbol);
        if (symbol.Name.Length > 0 && symbol.Binding != ElfConstants.StbLocal)
        {
            _byName[symbol.Name] = symbol;
        }

        return symbol;
    }

    /// <summary>Adds <paramref name="symbol"/> as the code or data from <paramref name="at"/> to the end of <paramref name="section"/>.</summary>
    public Symbol Define(Symbol symbol, Section section, int at)
    {
        symbol.Section = section;
        symbol.Value = (ulong)at;
        symbol.Size = (ulong)(section.Bytes.Count - at);
        return AddSymbol(symbol);
    }

    /// <summary>The global symbol <paramref name="name"/>, added as undefined the first time it is asked for.</summary>
    public Symbol Import(string name)
    {
        if (!_byName.TryGetValue(name, out var symbol))
        {
            symbol = AddSymbol(new Symbol(name, null, 0, ElfConstants.StbGlobal, ElfConstants.SttNoType, 0));
        }

        return symbol;
    }

    /// <summary>The undefined global symbols, in the order they were first asked for.</summary>
    public IEnumerable<Symbol> Imports() => _symbols.Where(s => s.Section is null && !s.Absolute && s.Binding != ElfConstants.StbLocal && s.Type != ElfConstants.SttSection);

    public ElfFileDescription Describe(byte osAbi)
    {
        var used = _sections.Where(s => s.Size > 0 || s.Relocations.Count > 0).ToList();
        var live = _symbols.Where(s => s.Type != ElfConstants.SttSection || used.Contains(s.Section!)).ToList();
        var index = new Dictionary<Section, int>();
        var sections = new List<ElfSectionDescription>();
        int relocationTables = used.Count(s => s.Relocations.Count > 0);
        int symtab = used.Count + relocationTables + 1;
        foreach (var s in used)
        {
            index[s] = sections.Count + 1;
            sections.Add(new ElfSectionDescription
            {
                Name = s.Name, Type = s.Type, Flags = s.Flags, Alignment = s.Alignment,
                Data = s.Type == ElfConstants.ShtNoBits ? default : s.Bytes.ToArray(), Size = s.NoBitsSize,
            });
            if (s.Relocations.Count > 0)
            {
                sections.Add(new ElfSectionDescription
                {
                    Name = ".rel" + s.Name, Type = ElfConstants.ShtRel, Flags = ElfConstants.ShfInfoLink, Alignment = 4,
                    Link = (uint)symtab, Info = (uint)index[s],
                    Relocations = [.. s.Relocations.OrderBy(r => r.Offset).Select(r => new ElfRelocationDescription(r.Offset, (uint)live.IndexOf(r.Target) + 1, r.Type))],
                });
            }
        }

        var symbols = live.Select(s => new ElfSymbolDescription(s.Name, s.Value, s.Size, (byte)((s.Binding << 4) | s.Type), 0,
            s.Absolute ? ElfConstants.ShnAbs : s.Section is null ? 0u : (uint)index[s.Section], s.Absolute)).ToList();
        sections.Add(new ElfSectionDescription { Name = ".symtab", Type = ElfConstants.ShtSymTab, Link = (uint)symtab + 1, Alignment = 4, Symbols = symbols });
        sections.Add(new ElfSectionDescription { Name = ".strtab", Type = ElfConstants.ShtStrTab });
        return new ElfFileDescription
        {
            Bits = 32, ByteOrder = ByteOrder.LittleEndian, Type = ElfConstants.TypeRel, Machine = ElfConstants.Machine386,
            OsAbi = osAbi, Sections = sections,
        };
    }
}
