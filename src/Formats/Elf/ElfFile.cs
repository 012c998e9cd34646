using System.Buffers.Binary;
using System.Text;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Elf;

/// <summary>
/// A zero-copy reader over the bytes of an ELF file (32/64-bit, either byte order). Every offset, size and count
/// read from the file is checked against the file length before use; malformed input throws
/// <see cref="ModuleFormatException"/>.
/// </summary>
internal sealed class ElfFile
{
    private static readonly byte[] Magic = [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    private readonly ElfSectionHeader[] _sections;
    private readonly IReadOnlyList<string?> _sectionNames;
    private readonly ReadOnlyMemory<byte> _nameTable;
    private System.Runtime.CompilerServices.StrongBox<ElfSymbolTable>?[]? _symbolTables;

    private ElfFile(string path, ReadOnlyMemory<byte> data, ElfHeader header, ElfSectionHeader[] sections, ReadOnlyMemory<byte> nameTable)
    {
        Path = path;
        Data = data;
        Header = header;
        _sections = sections;
        _sectionNames = ChunkedList<string?>.Create(sections.Length);
        _nameTable = nameTable;
        Reader = new EndianReader(path, header.IsBigEndian);
    }

    /// <summary>The file name used in error messages.</summary>
    public string Path { get; }
    /// <summary>The whole file.</summary>
    public ReadOnlyMemory<byte> Data { get; }
    /// <summary>The file header.</summary>
    public ElfHeader Header { get; }
    /// <summary>True for 64-bit files.</summary>
    public bool Is64 => Header.Is64;
    /// <summary>True for big-endian files.</summary>
    public bool IsBigEndian => Header.IsBigEndian;
    /// <summary>The section headers, in table order.</summary>
    public ReadOnlySpan<ElfSectionHeader> Sections => _sections;
    /// <summary>A bounds-checked reader for this file's byte order.</summary>
    public EndianReader Reader { get; }

    /// <summary>True when <paramref name="head"/> starts with the ELF magic.</summary>
    public static bool IsElf(ReadOnlySpan<byte> head) => head.StartsWith(Magic);

    /// <summary>Parses the file header and the section header table.</summary>
    /// <exception cref="ModuleFormatException">The bytes are not a well-formed ELF file.</exception>
    public static ElfFile Parse(ReadOnlyMemory<byte> data, string path)
    {
        var span = data.Span;
        if (span.Length < ElfConstants.IdentSize || !IsElf(span))
        {
            throw new ModuleFormatException(path, 0, "ELF header", "not an ELF file (no \\x7fELF magic)");
        }

        byte elfClass = span[4], elfData = span[5];
        if (elfClass is not (ElfConstants.Class32 or ElfConstants.Class64))
        {
            throw new ModuleFormatException(path, 4, "ELF header", $"unknown EI_CLASS {elfClass}");
        }

        if (elfData is not (ElfConstants.DataLsb or ElfConstants.DataMsb))
        {
            throw new ModuleFormatException(path, 5, "ELF header", $"unknown EI_DATA {elfData}");
        }

        var header = ReadHeader(span, path, elfClass == ElfConstants.Class64, elfData == ElfConstants.DataMsb);
        var reader = new EndianReader(path, header.IsBigEndian);
        var sections = ReadSectionHeaders(span, path, reader, ref header);
        var nameTable = CheckSectionNames(span, data, path, header, sections);
        return new ElfFile(path, data, header, sections, nameTable);
    }

    private static ElfHeader ReadHeader(ReadOnlySpan<byte> span, string path, bool is64, bool bigEndian)
    {
        var r = new EndianReader(path, bigEndian);
        int size = is64 ? 64 : 52;
        r.CheckRange(span, 0, (ulong)size, "ELF header");
        int w = is64 ? 8 : 4;
        ulong entry = r.Word(span, 24, is64);
        ulong phoff = r.Word(span, 24 + w, is64);
        ulong shoff = r.Word(span, 24 + 2 * w, is64);
        int o = 24 + 3 * w;
        return new ElfHeader(
            span[4], span[5], span[7], span[8],
            r.U16(span, 16), r.U16(span, 18), r.U32(span, 20),
            entry, phoff, shoff,
            r.U32(span, o), r.U16(span, o + 4), r.U16(span, o + 6), r.U16(span, o + 8),
            r.U16(span, o + 10), r.U16(span, o + 12), r.U16(span, o + 14));
    }

    private static ElfSectionHeader[] ReadSectionHeaders(ReadOnlySpan<byte> span, string path, EndianReader r, ref ElfHeader header)
    {
        if (header.SectionHeaderOffset == 0)
        {
            return [];
        }

        int entrySize = header.Is64 ? 64 : 40;
        if (header.SectionHeaderEntrySize != entrySize)
        {
            throw new ModuleFormatException(path, header.Is64 ? 58 : 46, "ELF header",
                $"e_shentsize is {header.SectionHeaderEntrySize}, expected {entrySize}");
        }

        long tableOffset = r.CheckRange(span, header.SectionHeaderOffset, (ulong)entrySize, "ELF section header 0");
        long count = header.SectionHeaderCount;
        int nameIndex = header.SectionNameTableIndex;
        var first = ReadSectionHeader(span, r, (int)tableOffset, 0, header.Is64);
        if (count == 0)
        {
            // More than SHN_LORESERVE sections: the real count lives in section 0's sh_size.
            count = first.Size > int.MaxValue ? int.MaxValue : (long)first.Size;
            if (count == 0)
            {
                throw new ModuleFormatException(path, header.Is64 ? 60 : 48, "ELF header",
                    "e_shnum is 0 and section 0's sh_size is 0, yet e_shoff points at a section table");
            }
        }

        if (nameIndex == ElfConstants.ShnXIndex)
        {
            nameIndex = (int)first.Link;
        }

        r.CheckRange(span, header.SectionHeaderOffset, (ulong)count * (ulong)entrySize, "ELF section header table");
        var sections = new ElfSectionHeader[count];
        for (int i = 0; i < count; i++)
        {
            int at = (int)tableOffset + i * entrySize;
            var s = i == 0 ? first : ReadSectionHeader(span, r, at, i, header.Is64);
            if (s.HasContents && s.Size > 0 && (s.Offset > (ulong)span.Length || s.Size > (ulong)span.Length - s.Offset))
            {
                r.CheckRange(span, s.Offset, s.Size, $"ELF section header {i}", at);
            }

            sections[i] = s;
        }

        if (nameIndex < 0 || nameIndex >= count)
        {
            throw new ModuleFormatException(path, header.Is64 ? 62 : 50, "ELF header",
                $"e_shstrndx {nameIndex} is not a section index (the file has {count} sections)");
        }

        header = header with { SectionHeaderCount = (int)count, SectionNameTableIndex = nameIndex };
        return sections;
    }

    private static ElfSectionHeader ReadSectionHeader(ReadOnlySpan<byte> span, EndianReader r, int at, int index, bool is64)
    {
        if (is64)
        {
            return new ElfSectionHeader(index, r.U32(span, at), r.U32(span, at + 4), r.U64(span, at + 8),
                r.U64(span, at + 16), r.U64(span, at + 24), r.U64(span, at + 32), r.U32(span, at + 40),
                r.U32(span, at + 44), r.U64(span, at + 48), r.U64(span, at + 56));
        }

        return new ElfSectionHeader(index, r.U32(span, at), r.U32(span, at + 4), r.U32(span, at + 8),
            r.U32(span, at + 12), r.U32(span, at + 16), r.U32(span, at + 20), r.U32(span, at + 24),
            r.U32(span, at + 28), r.U32(span, at + 32), r.U32(span, at + 36));
    }

    /// <summary>Checks that every section name lies in the name table and is NUL-terminated; returns the table.</summary>
    private static ReadOnlyMemory<byte> CheckSectionNames(ReadOnlySpan<byte> span, ReadOnlyMemory<byte> data, string path, ElfHeader header, ElfSectionHeader[] sections)
    {
        if (sections.Length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var table = sections[header.SectionNameTableIndex];
        // An empty section's offset is not checked against the file, so it is never sliced.
        var strings = table.HasContents && table.Size > 0 ? data.Slice((int)table.Offset, (int)table.Size) : ReadOnlyMemory<byte>.Empty;
        int lastNul = strings.Span.LastIndexOf((byte)0);
        for (int i = 0; i < sections.Length; i++)
        {
            uint offset = sections[i].NameOffset;
            if (offset != 0 && (long)offset > lastNul)
            {
                // Let the string reader name the exact problem (past the end, or unterminated).
                CString.At(strings.Span, offset, path, (long)table.Offset, $"name of ELF section {i}");
            }
        }

        return strings;
    }

    /// <summary>The name of section <paramref name="index"/>.</summary>
    public string GetSectionName(int index) => ChunkedList<string?>.Slot(_sectionNames, index) ??= DecodeSectionName(index);

    private string DecodeSectionName(int index)
    {
        // Parse checked that every name starts inside the name table and ends with a NUL there.
        var table = _nameTable.Span;
        uint offset = _sections[index].NameOffset;
        return offset < (uint)table.Length && CString.TryRead(table[(int)offset..], out var name)
            ? NamePool.SectionNames.Get(name)
            : CString.At(table, offset, Path, 0, $"name of ELF section {index}");
    }

    /// <summary>Index of the first section called <paramref name="name"/>, or -1 (compares the stored bytes, decodes nothing).</summary>
    public int FindSection(string name)
    {
        Span<byte> wanted = stackalloc byte[256];
        if (!Encoding.UTF8.TryGetBytes(name, wanted, out int length))
        {
            return FindSectionSlow(name);
        }

        wanted = wanted[..length];
        var table = _nameTable.Span;
        for (int i = 0; i < _sections.Length; i++)
        {
            int offset = (int)_sections[i].NameOffset;
            if (offset + length < table.Length && table[offset + length] == 0 && table.Slice(offset, length).SequenceEqual(wanted))
            {
                return i;
            }
        }

        return -1;
    }

    private int FindSectionSlow(string name)
    {
        for (int i = 0; i < _sections.Length; i++)
        {
            if (GetSectionName(i) == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Index of the first section of type <paramref name="type"/>, or -1.</summary>
    public int FindSectionOfType(uint type)
    {
        for (int i = 0; i < _sections.Length; i++)
        {
            if (_sections[i].Type == type)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The file bytes of a section (empty for NOBITS). Bounds were checked when the file was parsed.</summary>
    public ReadOnlySpan<byte> GetSectionBytes(int index) => GetSectionMemory(index).Span;

    /// <summary>The file bytes of a section as memory (empty for NOBITS).</summary>
    public ReadOnlyMemory<byte> GetSectionMemory(int index)
    {
        var s = _sections[index];
        return s.HasContents && s.Size > 0 ? Data.Slice((int)s.Offset, (int)s.Size) : ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>Checks that <paramref name="index"/> names a section, else throws naming <paramref name="structure"/>.</summary>
    public void CheckSectionIndex(ulong index, long fileOffset, string structure)
    {
        if (index >= (ulong)_sections.Length)
        {
            throw new ModuleFormatException(Path, fileOffset, structure, $"section index {index} is out of range (the file has {_sections.Length} sections)");
        }
    }

    /// <summary>Opens the symbol table held in section <paramref name="sectionIndex"/> (SHT_SYMTAB or SHT_DYNSYM).</summary>
    public ElfSymbolTable GetSymbolTable(int sectionIndex)
    {
        if ((uint)sectionIndex < (uint)_sections.Length)
        {
            // Boxed, so that a table published by one thread is never seen half-written by another.
            var tables = _symbolTables ??= new System.Runtime.CompilerServices.StrongBox<ElfSymbolTable>?[_sections.Length];
            return (tables[sectionIndex] ??= new(new ElfSymbolTable(this, sectionIndex))).Value;
        }

        return new ElfSymbolTable(this, sectionIndex);
    }

    /// <summary>Opens the REL or RELA table held in section <paramref name="sectionIndex"/>.</summary>
    public ElfRelocationTable GetRelocationTable(int sectionIndex) => new(this, sectionIndex);

    /// <summary>Reads a NUL-terminated string from the string-table section <paramref name="stringTableIndex"/>.</summary>
    public string ReadString(int stringTableIndex, uint offset, string structure)
    {
        CheckSectionIndex((ulong)stringTableIndex, (long)Header.SectionHeaderOffset, structure);
        var table = _sections[stringTableIndex];
        return CString.At(GetSectionBytes(stringTableIndex), offset, Path, (long)table.Offset, structure);
    }

    /// <summary>The program headers (empty for most relocatable objects).</summary>
    public IReadOnlyList<ElfProgramHeader> ReadProgramHeaders()
    {
        var h = Header;
        if (h.ProgramHeaderOffset == 0 || h.ProgramHeaderCount == 0)
        {
            return [];
        }

        int entrySize = h.Is64 ? 56 : 32;
        var span = Data.Span;
        if (h.ProgramHeaderEntrySize != entrySize)
        {
            throw new ModuleFormatException(Path, h.Is64 ? 54 : 42, "ELF header", $"e_phentsize is {h.ProgramHeaderEntrySize}, expected {entrySize}");
        }

        long table = Reader.CheckRange(span, h.ProgramHeaderOffset, (ulong)h.ProgramHeaderCount * (ulong)entrySize, "ELF program header table");
        var result = new ElfProgramHeader[h.ProgramHeaderCount];
        var r = Reader;
        for (int i = 0; i < result.Length; i++)
        {
            int at = (int)table + i * entrySize;
            result[i] = h.Is64
                ? new ElfProgramHeader(r.U32(span, at), r.U32(span, at + 4), r.U64(span, at + 8), r.U64(span, at + 16),
                    r.U64(span, at + 24), r.U64(span, at + 32), r.U64(span, at + 40), r.U64(span, at + 48))
                : new ElfProgramHeader(r.U32(span, at), r.U32(span, at + 24), r.U32(span, at + 4), r.U32(span, at + 8),
                    r.U32(span, at + 12), r.U32(span, at + 16), r.U32(span, at + 20), r.U32(span, at + 28));
        }

        return result;
    }

    /// <summary>The notes of a SHT_NOTE section.</summary>
    public IReadOnlyList<ElfNote> ReadNotes(int sectionIndex)
    {
        var section = _sections[sectionIndex];
        var bytes = GetSectionMemory(sectionIndex);
        var span = bytes.Span;
        var notes = new List<ElfNote>();
        int at = 0;
        string structure = $"note in section {GetSectionName(sectionIndex)}";
        while (at + 12 <= span.Length)
        {
            uint nameSize = Reader.U32(span, at), descSize = Reader.U32(span, at + 4), type = Reader.U32(span, at + 8);
            ulong nameEnd = (ulong)at + 12 + nameSize;
            ulong descStart = Align4(nameEnd);
            ulong descEnd = descStart + descSize;
            if (descEnd > (ulong)span.Length)
            {
                throw new ModuleFormatException(Path, (long)section.Offset + at, structure,
                    $"note of name size {nameSize} and descriptor size {descSize} runs past the end of the section");
            }

            var name = span.Slice(at + 12, (int)nameSize);
            string owner = Encoding.ASCII.GetString(CString.Field(name));
            notes.Add(new ElfNote(owner, type, bytes.Slice((int)descStart, (int)descSize), (long)section.Offset + at));
            at = (int)Align4(descEnd);
        }

        return notes;
    }

    /// <summary>The entries of the SHT_DYNAMIC section, up to and excluding DT_NULL.</summary>
    public IReadOnlyList<ElfDynamicEntry> ReadDynamicEntries()
    {
        int index = FindSectionOfType(ElfConstants.ShtDynamic);
        if (index < 0)
        {
            return [];
        }

        var span = GetSectionBytes(index);
        int entrySize = Is64 ? 16 : 8;
        var result = new List<ElfDynamicEntry>();
        for (int at = 0; at + entrySize <= span.Length; at += entrySize)
        {
            long tag = Is64 ? (long)Reader.U64(span, at) : Reader.I32(span, at);
            ulong value = Reader.Word(span, at + (Is64 ? 8 : 4), Is64);
            if (tag == 0)
            {
                break;
            }

            result.Add(new ElfDynamicEntry(tag, value));
        }

        return result;
    }

    private static ulong Align4(ulong value) => (value + 3) & ~3UL;
}
