using LkmKit.Formats.IO;

namespace LkmKit.Formats.Elf;

/// <summary>A view of one SHT_REL or SHT_RELA section; entries are decoded on access.</summary>
internal readonly struct ElfRelocationTable
{
    private readonly ElfFile _file;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly int _entrySize;

    internal ElfRelocationTable(ElfFile file, int sectionIndex)
    {
        _file = file;
        file.CheckSectionIndex((ulong)sectionIndex, (long)file.Header.SectionHeaderOffset, "relocation table");
        var section = file.Sections[sectionIndex];
        SectionIndex = sectionIndex;
        IsRela = section.Type == ElfConstants.ShtRela;
        if (!IsRela && section.Type != ElfConstants.ShtRel)
        {
            throw new ModuleFormatException(file.Path, (long)section.Offset, $"section {file.GetSectionName(sectionIndex)}", "is not a REL or RELA section");
        }

        int expected = (file.Is64 ? 8 : 4) * (IsRela ? 3 : 2);
        if (section.EntrySize != 0 && section.EntrySize != (ulong)expected)
        {
            throw new ModuleFormatException(file.Path, (long)section.Offset, $"relocation table {file.GetSectionName(sectionIndex)}",
                $"sh_entsize is {section.EntrySize}, expected {expected}");
        }

        _entrySize = expected;
        _bytes = file.GetSectionMemory(sectionIndex);
        Count = _bytes.Length / expected;
        FileOffset = (long)section.Offset;
    }

    /// <summary>The section holding the table.</summary>
    public int SectionIndex { get; }
    /// <summary>True for RELA (explicit addends).</summary>
    public bool IsRela { get; }
    /// <summary>Number of entries.</summary>
    public int Count { get; }
    /// <summary>File offset of the table.</summary>
    public long FileOffset { get; }
    /// <summary>Size of one entry in bytes.</summary>
    public int EntrySize => _entrySize;

    /// <summary>The table's bytes (what <see cref="Read"/> decodes from).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.Span;

    /// <summary>Decodes entry <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public ElfRelocation this[int index] => Read(_bytes.Span, index);

    /// <summary>Decodes entry <paramref name="index"/> from <paramref name="bytes"/> (<see cref="Bytes"/>, fetched once by a loop).</summary>
    public ElfRelocation Read(ReadOnlySpan<byte> bytes, int index)
    {
        var r = _file.Reader;
        int at = checked(index * _entrySize);
        if (_file.Is64)
        {
            ulong info = r.U64(bytes, at + 8);
            return new ElfRelocation(r.U64(bytes, at), (uint)(info >> 32), (uint)info, IsRela ? (long)r.U64(bytes, at + 16) : 0);
        }
        else
        {
            uint info = r.U32(bytes, at + 4);
            return new ElfRelocation(r.U32(bytes, at), info >> 8, info & 0xff, IsRela ? r.I32(bytes, at + 8) : 0);
        }
    }
}
