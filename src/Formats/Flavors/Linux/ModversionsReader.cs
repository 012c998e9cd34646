using System.Text;
using LkmKit.Formats.Elf;
using LkmKit.Formats.IO;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Flavors.Linux;

/// <summary>Reads the <c>__versions</c> table (64-byte records: CRC word then NUL-terminated name) and the extended form.</summary>
internal static class ModversionsReader
{
    /// <summary>Size of one <c>__versions</c> record on 32- and 64-bit kernels alike.</summary>
    public const int RecordSize = 64;

    /// <summary>Reads every record in file order; empty when the module has no symbol versions.</summary>
    public static List<SymbolVersion> Read(ElfFile elf)
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
        var result = new List<SymbolVersion>(span.Length / RecordSize);
        for (int at = 0; at < span.Length; at += RecordSize)
        {
            uint crc = (uint)elf.Reader.Word(span, at, elf.Is64);
            var text = CString.Read(span.Slice(at + crcSize, RecordSize - crcSize), elf.Path, (long)header.Offset + at + crcSize,
                "__versions record", "symbol name is not NUL-terminated");
            if (text.Length > 0 && text[0] == (byte)'.')
            {
                text = text[1..];
            }

            result.Add(new SymbolVersion(CString.Decode(text), crc));
        }

        return result;
    }

    private static List<SymbolVersion> ReadExtended(ElfFile elf, int crcsIndex, int namesIndex)
    {
        var crcs = elf.GetSectionBytes(crcsIndex);
        var names = elf.GetSectionBytes(namesIndex);
        var result = new List<SymbolVersion>(crcs.Length / 4);
        int nameAt = 0;
        for (int at = 0; at + 4 <= crcs.Length; at += 4)
        {
            string name = CString.At(names, (ulong)nameAt, elf.Path, (long)elf.Sections[namesIndex].Offset, "__version_ext_names");
            if (nameAt >= names.Length)
            {
                throw new ModuleFormatException(elf.Path, (long)elf.Sections[namesIndex].Offset, "__version_ext_names", "fewer names than CRCs");
            }

            result.Add(new SymbolVersion(name, elf.Reader.U32(crcs, at)));
            nameAt += Encoding.UTF8.GetByteCount(name) + 1;
        }

        return result;
    }
}
