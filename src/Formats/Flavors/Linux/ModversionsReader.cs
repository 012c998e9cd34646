using LkmKit.Formats.Elf;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Flavors.Linux;

/// <summary>Reads the <c>__versions</c> table (64-byte records: CRC word then NUL-terminated name) and the extended form.</summary>
internal static class ModversionsReader
{
    /// <summary>Size of one <c>__versions</c> record on 32- and 64-bit kernels alike.</summary>
    public const int RecordSize = 64;

    /// <summary>One symbol version as it is stored: where its name's bytes are in the file, and its CRC.</summary>
    /// <param name="NameOffset">File offset of the name (after a leading '.' of the 64-bit PowerPC ABI).</param>
    /// <param name="NameLength">Length of the name in bytes, without its NUL.</param>
    /// <param name="Crc">The CRC.</param>
    public readonly record struct Record(int NameOffset, int NameLength, uint Crc);

    /// <summary>Reads every record in file order; empty when the module has no symbol versions.</summary>
    public static List<SymbolVersion> Read(ElfFile elf)
    {
        var records = ReadRecords(elf);
        var data = elf.Data.Span;
        var result = new List<SymbolVersion>(records.Length);
        foreach (var record in records)
        {
            result.Add(new SymbolVersion(CString.Decode(data.Slice(record.NameOffset, record.NameLength)), record.Crc));
        }

        return result;
    }

    /// <summary>The records in file order, names left as bytes (what <see cref="SymbolVersionIndex"/> looks names up in).</summary>
    /// <exception cref="ModuleFormatException">The table is malformed.</exception>
    public static Record[] ReadRecords(ElfFile elf)
    {
        int extCrcs = elf.FindSection("__version_ext_crcs");
        int extNames = elf.FindSection("__version_ext_names");
        if (extCrcs >= 0 && extNames >= 0)
        {
            return ReadExtended(elf, extCrcs, extNames);
        }

        int index = elf.FindSection("__versions");
        if (index < 0)
        {
            return [];
        }

        var header = elf.Sections[index];
        var span = elf.GetSectionBytes(index);
        if (span.Length % RecordSize != 0)
        {
            throw new ModuleFormatException(elf.Path, (long)header.Offset, "__versions", $"size {span.Length} is not a multiple of {RecordSize}");
        }

        int crcSize = elf.Is64 ? 8 : 4;
        var result = new Record[span.Length / RecordSize];
        for (int at = 0, n = 0; at < span.Length; at += RecordSize, n++)
        {
            uint crc = (uint)elf.Reader.Word(span, at, elf.Is64);
            int nameAt = at + crcSize;
            var text = CString.Read(span.Slice(nameAt, RecordSize - crcSize), elf.Path, (long)header.Offset + nameAt,
                "__versions record", "symbol name is not NUL-terminated");
            int skip = text.Length > 0 && text[0] == (byte)'.' ? 1 : 0;
            result[n] = new Record((int)header.Offset + nameAt + skip, text.Length - skip, crc);
        }

        return result;
    }

    private static Record[] ReadExtended(ElfFile elf, int crcsIndex, int namesIndex)
    {
        var crcs = elf.GetSectionBytes(crcsIndex);
        var names = elf.GetSectionBytes(namesIndex);
        int namesOffset = (int)elf.Sections[namesIndex].Offset;
        var result = new Record[crcs.Length / 4];
        int nameAt = 0;
        for (int n = 0; n < result.Length; n++)
        {
            if (nameAt >= names.Length)
            {
                throw new ModuleFormatException(elf.Path, namesOffset, "__version_ext_names", "fewer names than CRCs");
            }

            var name = CString.Read(names[nameAt..], elf.Path, namesOffset + nameAt, "__version_ext_names");
            result[n] = new Record(namesOffset + nameAt, name.Length, elf.Reader.U32(crcs, n * 4));
            nameAt += name.Length + 1;
        }

        return result;
    }
}
