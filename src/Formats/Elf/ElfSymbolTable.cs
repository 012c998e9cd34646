using System.Buffers.Binary;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Elf;

/// <summary>A view of one SHT_SYMTAB or SHT_DYNSYM section; entries are decoded on access.</summary>
internal readonly struct ElfSymbolTable
{
    private readonly ElfFile _file;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly ReadOnlyMemory<byte> _extendedIndexes;
    private readonly int _entrySize;
    private readonly bool _littleEndian64;
    // The decoded names by symbol index: a module's imports and its model symbols decode the same names. Threads may
    // race to fill a slot; both write equal strings, so either may win.
    private readonly IReadOnlyList<string?> _names;

    internal ElfSymbolTable(ElfFile file, int sectionIndex)
    {
        _file = file;
        file.CheckSectionIndex((ulong)sectionIndex, (long)file.Header.SectionHeaderOffset, "symbol table");
        var section = file.Sections[sectionIndex];
        SectionIndex = sectionIndex;
        int expected = file.Is64 ? 24 : 16;
        if (section.EntrySize != 0 && section.EntrySize != (ulong)expected)
        {
            throw new ModuleFormatException(file.Path, (long)section.Offset, Structure(file, sectionIndex), $"sh_entsize is {section.EntrySize}, expected {expected}");
        }

        if (section.Link >= (uint)file.Sections.Length)
        {
            file.CheckSectionIndex(section.Link, (long)section.Offset, Structure(file, sectionIndex) + " string table link");
        }

        if (file.Sections[(int)section.Link].Type != ElfConstants.ShtStrTab)
        {
            throw new ModuleFormatException(file.Path, (long)section.Offset, Structure(file, sectionIndex), $"sh_link {section.Link} is not a string table");
        }

        StringTableIndex = (int)section.Link;
        _entrySize = expected;
        _littleEndian64 = file.Is64 && !file.IsBigEndian;
        _bytes = file.GetSectionMemory(sectionIndex);
        Count = _bytes.Length / expected;
        _names = ChunkedList<string?>.Create(Count);
        _extendedIndexes = ReadOnlyMemory<byte>.Empty;
        for (int i = 0; i < file.Sections.Length; i++)
        {
            var s = file.Sections[i];
            if (s.Type == ElfConstants.ShtSymTabShndx && s.Link == (uint)sectionIndex)
            {
                _extendedIndexes = file.GetSectionMemory(i);
                break;
            }
        }
    }

    /// <summary>The section holding the table.</summary>
    public int SectionIndex { get; }
    /// <summary>The string table holding the names.</summary>
    public int StringTableIndex { get; }
    /// <summary>Number of entries, including the null entry 0.</summary>
    public int Count { get; }

    /// <summary>Decodes entry <paramref name="index"/>.</summary>
    public ElfSymbol this[int index] => Read(_bytes.Span, index);

    /// <summary>The table's bytes (what <see cref="Read"/> decodes from; a loop fetches them once).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.Span;

    /// <summary>The bytes of the string table holding the names (what <see cref="GetNameBytes(ReadOnlySpan{byte}, in ElfSymbol)"/> reads).</summary>
    public ReadOnlySpan<byte> StringBytes => _file.GetSectionBytes(StringTableIndex);

    /// <summary>Decodes entry <paramref name="index"/> from <paramref name="span"/> (<see cref="Bytes"/>).</summary>
    public ElfSymbol Read(ReadOnlySpan<byte> span, int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ModuleFormatException(_file.Path, (long)_file.Sections[SectionIndex].Offset, $"symbol table {_file.GetSectionName(SectionIndex)}",
                $"symbol index {index} is out of range (the table has {Count} entries)");
        }

        int at = index * _entrySize;
        if (_littleEndian64)
        {
            // The common case (x86-64 and arm64 modules), decoded straight from the bytes.
            var entry = span.Slice(at, 24);
            ushort index16 = BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]);
            if (index16 != ElfConstants.ShnXIndex)
            {
                return new ElfSymbol(index, BinaryPrimitives.ReadUInt32LittleEndian(entry), BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]),
                    BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]), entry[4], entry[5], index16, index16);
            }
        }

        var r = _file.Reader;
        uint name;
        ulong value, size;
        byte info, other;
        ushort shndx;
        if (_file.Is64)
        {
            name = r.U32(span, at);
            info = span[at + 4];
            other = span[at + 5];
            shndx = r.U16(span, at + 6);
            value = r.U64(span, at + 8);
            size = r.U64(span, at + 16);
        }
        else
        {
            name = r.U32(span, at);
            value = r.U32(span, at + 4);
            size = r.U32(span, at + 8);
            info = span[at + 12];
            other = span[at + 13];
            shndx = r.U16(span, at + 14);
        }

        uint section = shndx;
        if (shndx == ElfConstants.ShnXIndex)
        {
            var ext = _extendedIndexes.Span;
            if (index * 4 + 4 > ext.Length)
            {
                throw new ModuleFormatException(_file.Path, (long)_file.Sections[SectionIndex].Offset + at, $"symbol {index}",
                    "uses SHN_XINDEX but no SHT_SYMTAB_SHNDX entry exists for it");
            }

            section = r.U32(ext, index * 4);
        }

        return new ElfSymbol(index, name, value, size, info, other, shndx, section);
    }

    private static string Structure(ElfFile file, int sectionIndex) => $"symbol table {file.GetSectionName(sectionIndex)}";

    /// <summary>The name of <paramref name="symbol"/> (an entry of this table).</summary>
    public string GetName(in ElfSymbol symbol) => GetName(StringBytes, symbol);

    /// <summary>The name of the symbol at <paramref name="index"/>.</summary>
    public string GetName(int index) => GetName(this[index]);

    /// <summary>The raw name bytes of <paramref name="symbol"/> without decoding (for fast comparisons).</summary>
    public ReadOnlySpan<byte> GetNameBytes(in ElfSymbol symbol) => GetNameBytes(StringBytes, symbol);

    /// <summary>The name of <paramref name="symbol"/> from <paramref name="table"/> (<see cref="StringBytes"/>).</summary>
    public string GetName(ReadOnlySpan<byte> table, in ElfSymbol symbol)
    {
        if ((uint)symbol.Index >= (uint)Count)
        {
            return CString.Decode(GetNameBytes(table, symbol));
        }

        ref string? slot = ref ChunkedList<string?>.Slot(_names, symbol.Index);
        return slot ??= CString.Decode(GetNameBytes(table, symbol));
    }

    /// <summary>The raw name bytes of <paramref name="symbol"/> from <paramref name="table"/> (<see cref="StringBytes"/>).</summary>
    public ReadOnlySpan<byte> GetNameBytes(ReadOnlySpan<byte> table, in ElfSymbol symbol)
    {
        if (symbol.NameOffset >= (uint)table.Length)
        {
            return symbol.NameOffset == 0 ? default : throw new ModuleFormatException(_file.Path, (long)_file.Sections[StringTableIndex].Offset,
                $"name of symbol {symbol.Index}", $"string offset {symbol.NameOffset} is past the end of its string table ({table.Length} bytes)");
        }

        return CString.TryRead(table[(int)symbol.NameOffset..], out var name) ? name
            : throw new ModuleFormatException(_file.Path, (long)_file.Sections[StringTableIndex].Offset + symbol.NameOffset, $"name of symbol {symbol.Index}", "string is not NUL-terminated");
    }
}
