using System.Buffers.Binary;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.AOut;

/// <summary>
/// Where the parts of an a.out file lie (the <c>N_TXTOFF</c> … <c>N_STROFF</c> macros) and the addresses its
/// segments have: an object's text at 0, data at <c>a_text</c>, bss at <c>a_text + a_data</c>, which is what its
/// symbol values and in-place addends assume.
/// </summary>
/// <param name="TextOffset">N_TXTOFF.</param>
/// <param name="DataOffset">N_DATOFF.</param>
/// <param name="TextRelocOffset">N_TRELOFF.</param>
/// <param name="DataRelocOffset">N_DRELOFF.</param>
/// <param name="SymbolOffset">N_SYMOFF.</param>
/// <param name="StringOffset">N_STROFF.</param>
/// <param name="StringTableSize">The string table's size word (it counts its own 4 bytes), 0 when the file has no string table.</param>
/// <param name="TextAddress">Address of the text segment.</param>
/// <param name="DataAddress">Address of the data segment.</param>
/// <param name="BssAddress">Address of the bss segment.</param>
/// <param name="RelocationSize">Size of one relocation record: 8 (standard) or 12 (SPARC extended).</param>
internal sealed record AOutLayout(
    ulong TextOffset, ulong DataOffset, ulong TextRelocOffset, ulong DataRelocOffset, ulong SymbolOffset, ulong StringOffset,
    uint StringTableSize, ulong TextAddress, ulong DataAddress, ulong BssAddress, int RelocationSize)
{
    /// <summary>Computes the layout without checking it against the file.</summary>
    public static AOutLayout Compute(AOutHeader h, ReadOnlySpan<byte> data)
    {
        bool paged = h.Magic is AOutConstants.ZMagic or AOutConstants.QMagic;
        bool bsd = h.Encoding != AOutMagicEncoding.Gnu;
        ulong textOffset = (h.Encoding, h.Magic) switch
        {
            (AOutMagicEncoding.NetBsd, AOutConstants.ZMagic) => 0,
            (AOutMagicEncoding.NetBsd, _) => AOutConstants.HeaderSize,
            (AOutMagicEncoding.Gnu, AOutConstants.ZMagic) => AOutConstants.LinuxZmagicTextOffset,
            (_, AOutConstants.ZMagic) => AOutConstants.PageSize,
            (_, AOutConstants.QMagic) => 0,
            _ => AOutConstants.HeaderSize,
        };
        ulong dataOffset = Align(textOffset + h.Text, bsd && paged ? AOutConstants.PageSize : 1);
        ulong textReloc = Align(dataOffset + h.Data, h.Encoding == AOutMagicEncoding.HostOrder && paged ? AOutConstants.PageSize : 1);
        ulong dataReloc = textReloc + h.TextRelocSize;
        ulong symbols = dataReloc + h.DataRelocSize;
        ulong strings = symbols + h.Syms;
        uint stringSize = 0;
        if (strings <= (ulong)data.Length && (ulong)data.Length - strings >= 4)
        {
            var word = data.Slice((int)strings, 4);
            stringSize = h.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(word) : BinaryPrimitives.ReadUInt32LittleEndian(word);
        }

        ulong textAddress, dataAddress;
        if (h.IsObject)
        {
            textAddress = 0;
            dataAddress = h.Text;
        }
        else if (h.Encoding == AOutMagicEncoding.Gnu)
        {
            textAddress = h.Magic == AOutConstants.QMagic ? AOutConstants.PageSize : 0;
            dataAddress = Align(textAddress + h.Text, AOutConstants.LinuxZmagicTextOffset);
        }
        else
        {
            bool oldZmagic = h.Magic == AOutConstants.ZMagic && h.Encoding == AOutMagicEncoding.OldStyle;
            textAddress = oldZmagic ? 0 : AOutConstants.PageSize;
            dataAddress = Align(textAddress + h.Text, AOutConstants.PageSize);
        }

        int relocationSize = h.MachineId is AOutConstants.MidSparc or AOutConstants.MidSparc64
            ? AOutConstants.ExtendedRelocationSize : AOutConstants.StandardRelocationSize;
        return new AOutLayout(textOffset, dataOffset, textReloc, dataReloc, symbols, strings, stringSize,
            textAddress, dataAddress, dataAddress + h.Data, relocationSize);
    }

    /// <summary>True when every size of <paramref name="h"/> is consistent with a file of <paramref name="data"/>'s length.</summary>
    public static bool Fits(AOutHeader h, ReadOnlySpan<byte> data) => Problem(h, Compute(h, data), data.Length) is null;

    /// <summary>Computes the layout and checks it against the file.</summary>
    /// <exception cref="ModuleFormatException">A size runs past the end of the file or is not a whole number of entries.</exception>
    public static AOutLayout Check(AOutHeader h, ReadOnlySpan<byte> data, string path)
    {
        var layout = Compute(h, data);
        if (Problem(h, layout, data.Length) is { } problem)
        {
            throw new ModuleFormatException(path, problem.Offset, "a.out header", problem.Reason);
        }

        return layout;
    }

    private static (long Offset, string Reason)? Problem(AOutHeader h, AOutLayout l, long length)
    {
        ulong fileLength = (ulong)length;
        if (h.Syms % AOutConstants.SymbolSize != 0)
        {
            return (16, $"a_syms {h.Syms} is not a multiple of the {AOutConstants.SymbolSize}-byte nlist entry");
        }

        if (h.TextRelocSize % (uint)l.RelocationSize != 0)
        {
            return (24, $"a_trsize {h.TextRelocSize} is not a multiple of the {l.RelocationSize}-byte relocation record");
        }

        if (h.DataRelocSize % (uint)l.RelocationSize != 0)
        {
            return (28, $"a_drsize {h.DataRelocSize} is not a multiple of the {l.RelocationSize}-byte relocation record");
        }

        foreach (var (field, at, start, size) in new[]
        {
            ("a_text", 4L, l.TextOffset, (ulong)h.Text), ("a_data", 8L, l.DataOffset, (ulong)h.Data),
            ("a_trsize", 24L, l.TextRelocOffset, (ulong)h.TextRelocSize), ("a_drsize", 28L, l.DataRelocOffset, (ulong)h.DataRelocSize),
            ("a_syms", 16L, l.SymbolOffset, (ulong)h.Syms),
        })
        {
            if (start > fileLength || size > fileLength - start)
            {
                return (at, $"{field} {size} at file offset 0x{start:x} runs past the end of the file (0x{fileLength:x} bytes)");
            }
        }

        if (l.StringOffset == fileLength)
        {
            return h.Syms == 0 ? null : ((long)l.StringOffset, "the symbol table has no string table after it");
        }

        if (fileLength - l.StringOffset < 4)
        {
            return ((long)l.StringOffset, "the string table's 4-byte size word is truncated");
        }

        if (l.StringTableSize < 4 || l.StringTableSize > fileLength - l.StringOffset)
        {
            return ((long)l.StringOffset,
                $"string table size {l.StringTableSize} is not between 4 and the 0x{fileLength - l.StringOffset:x} bytes left in the file");
        }

        return null;
    }

    private static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) / alignment * alignment;
}
