using System.Reflection.PortableExecutable;
using System.Text;
using LkmKit.Formats.IO;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Pe;

/// <summary>
/// A PE image over bytes already in memory: the headers as the BCL's <see cref="PEReader"/> decodes them, checked
/// against the file length, plus bounds-checked access to the bytes an RVA or data directory names.
/// </summary>
internal sealed class PeImage
{
    /// <summary>The <c>MZ</c> magic at offset 0.</summary>
    public const ushort DosMagic = 0x5A4D;

    // IMAGE_DOS_HEADER.e_lfanew, "PE\0\0", sizeof(IMAGE_FILE_HEADER), sizeof(IMAGE_SECTION_HEADER).
    private const int LfanewOffset = 0x3C;
    private const uint PeSignature = 0x00004550;
    private const int CoffHeaderSize = 20;
    private const int SectionHeaderSize = 40;

    private PeImage(string path, ReadOnlyMemory<byte> data, PEHeaders headers, int sectionTableOffset)
    {
        Path = path;
        Data = data;
        Headers = headers;
        Header = headers.PEHeader!;
        SectionTableOffset = sectionTableOffset;
        Reader = new EndianReader(path, BigEndian: false);
    }

    /// <summary>The file name used in error messages.</summary>
    public string Path { get; }
    /// <summary>The whole file.</summary>
    public ReadOnlyMemory<byte> Data { get; }
    /// <summary>The headers decoded by <see cref="PEReader"/>.</summary>
    public PEHeaders Headers { get; }
    /// <summary>The optional header (always present in an image).</summary>
    public PEHeader Header { get; }
    /// <summary>File offset of the section table.</summary>
    public int SectionTableOffset { get; }
    /// <summary>A little-endian reader naming this file in its errors.</summary>
    public EndianReader Reader { get; }
    /// <summary>True for PE32+ (64-bit) images.</summary>
    public bool Is64 => Header.Magic == PEMagic.PE32Plus;

    /// <summary>True when <paramref name="head"/> starts with <c>MZ</c>.</summary>
    public static bool IsPe(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 'M' && head[1] == 'Z';

    /// <summary>Checks the DOS stub, the PE signature and the section table against the file, then decodes the headers.</summary>
    /// <exception cref="ModuleFormatException">The headers are truncated, inconsistent or not an image's.</exception>
    public static unsafe PeImage Parse(ReadOnlyMemory<byte> data, string path)
    {
        var span = data.Span;
        var reader = new EndianReader(path, BigEndian: false);
        if (span.Length < LfanewOffset + 4)
        {
            throw new ModuleFormatException(path, 0, "DOS header", $"file of {span.Length} bytes is too short for a DOS header (64 bytes)");
        }

        uint lfanew = reader.U32(span, LfanewOffset);
        if (lfanew > (uint)span.Length || (uint)span.Length - lfanew < 4 + CoffHeaderSize)
        {
            throw new ModuleFormatException(path, LfanewOffset, "DOS header",
                $"e_lfanew 0x{lfanew:x} points past the end of the file (0x{span.Length:x} bytes) or leaves no room for the PE headers");
        }

        int pe = (int)lfanew;
        if (reader.U32(span, pe) != PeSignature)
        {
            throw new ModuleFormatException(path, pe, "PE signature", "e_lfanew does not point at \"PE\\0\\0\"");
        }

        int coff = pe + 4;
        int sections = reader.U16(span, coff + 2);
        int optionalSize = reader.U16(span, coff + 16);
        if (optionalSize == 0)
        {
            throw new ModuleFormatException(path, coff + 16, "COFF header", "no optional header: not a PE image");
        }

        long tableOffset = (long)coff + CoffHeaderSize + optionalSize;
        if (tableOffset + (long)sections * SectionHeaderSize > span.Length)
        {
            throw new ModuleFormatException(path, Math.Min(tableOffset, span.Length), "section table",
                $"{sections} section headers at 0x{tableOffset:x} run past the end of the file (0x{span.Length:x} bytes)");
        }

        PEHeaders headers;
        try
        {
            fixed (byte* pointer = span)
            {
                using var peReader = new PEReader(pointer, span.Length);
                headers = peReader.PEHeaders;
            }
        }
        catch (Exception e) when (e is BadImageFormatException or ArgumentException)
        {
            throw new ModuleFormatException(path, pe, "PE headers", e.Message);
        }

        if (headers.PEHeader is null)
        {
            throw new ModuleFormatException(path, coff + 16, "COFF header", "no optional header: not a PE image");
        }

        var image = new PeImage(path, data, headers, (int)tableOffset);
        image.CheckSections();
        return image;
    }

    private void CheckSections()
    {
        var sections = Headers.SectionHeaders;
        for (int i = 0; i < sections.Length; i++)
        {
            var s = sections[i];
            if ((uint)s.SizeOfRawData > 0 && ((ulong)(uint)s.PointerToRawData + (uint)s.SizeOfRawData > (ulong)Data.Length))
            {
                throw new ModuleFormatException(Path, SectionHeaderOffset(i) + 16, $"PE section header {i} ({s.Name})",
                    $"raw data 0x{(uint)s.PointerToRawData:x}+0x{(uint)s.SizeOfRawData:x} runs past the end of the file (0x{Data.Length:x} bytes)");
            }
        }
    }

    /// <summary>File offset of section header <paramref name="index"/>.</summary>
    public int SectionHeaderOffset(int index) => SectionTableOffset + index * SectionHeaderSize;

    /// <summary>The number of bytes of a section that are stored in the file (raw size capped by the virtual size).</summary>
    public static uint StoredSize(SectionHeader s) =>
        s.VirtualSize > 0 ? Math.Min((uint)s.SizeOfRawData, (uint)s.VirtualSize) : (uint)s.SizeOfRawData;

    /// <summary>The index of the section whose memory range holds <paramref name="rva"/>, or -1.</summary>
    public int FindSection(uint rva)
    {
        var sections = Headers.SectionHeaders;
        for (int i = 0; i < sections.Length; i++)
        {
            var s = sections[i];
            uint size = Math.Max((uint)s.VirtualSize, (uint)s.SizeOfRawData);
            if (rva >= (uint)s.VirtualAddress && rva - (uint)s.VirtualAddress < size)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Maps <paramref name="rva"/> to a file offset and the number of file bytes from there to the end of the stored
    /// part of its section (or of the headers). False when the RVA is in no section or in its zero-filled tail.
    /// </summary>
    public bool TryMap(uint rva, out int offset, out int available)
    {
        offset = 0;
        available = 0;
        int index = FindSection(rva);
        if (index < 0)
        {
            if (rva < (uint)Header.SizeOfHeaders && rva < (uint)Data.Length)
            {
                offset = (int)rva;
                available = (int)Math.Min((uint)Header.SizeOfHeaders, (uint)Data.Length) - offset;
                return true;
            }

            return false;
        }

        var s = Headers.SectionHeaders[index];
        uint delta = rva - (uint)s.VirtualAddress;
        uint stored = StoredSize(s);
        if (delta >= stored)
        {
            return false;
        }

        offset = (int)((uint)s.PointerToRawData + delta);
        available = (int)(stored - delta);
        return true;
    }

    /// <summary>The file bytes [<paramref name="rva"/>, +<paramref name="length"/>), which must lie in one section's stored data.</summary>
    /// <param name="rva">Start of the range.</param>
    /// <param name="length">Length of the range.</param>
    /// <param name="structure">What is being read, for the error message.</param>
    /// <param name="reportOffset">The file offset of the field that named the RVA, reported on failure.</param>
    /// <param name="fileOffset">The file offset of the range.</param>
    /// <exception cref="ModuleFormatException">The range is outside every section or crosses a section's end.</exception>
    public ReadOnlySpan<byte> Slice(uint rva, ulong length, string structure, long reportOffset, out int fileOffset)
    {
        if (length == 0)
        {
            fileOffset = 0;
            return default;
        }

        if (!TryMap(rva, out fileOffset, out int available))
        {
            throw new ModuleFormatException(Path, reportOffset, structure, $"RVA 0x{rva:x} lies in no section's file data");
        }

        if (length > (ulong)available)
        {
            throw new ModuleFormatException(Path, reportOffset, structure,
                $"RVA range 0x{rva:x}+0x{length:x} runs past the end of its section's file data (0x{available:x} bytes left)");
        }

        return Data.Span.Slice(fileOffset, (int)length);
    }

    /// <summary>All file bytes from <paramref name="rva"/> to the end of its section's stored data.</summary>
    /// <exception cref="ModuleFormatException">The RVA is outside every section.</exception>
    public ReadOnlySpan<byte> Rest(uint rva, string structure, long reportOffset, out int fileOffset)
    {
        if (!TryMap(rva, out fileOffset, out int available))
        {
            throw new ModuleFormatException(Path, reportOffset, structure, $"RVA 0x{rva:x} lies in no section's file data");
        }

        return Data.Span.Slice(fileOffset, available);
    }

    /// <summary>Reads the NUL-terminated ASCII string at <paramref name="rva"/>, which must end inside its section.</summary>
    /// <exception cref="ModuleFormatException">The RVA is outside every section or the string has no terminator.</exception>
    public string ReadAsciiZ(uint rva, string structure, long reportOffset)
    {
        var rest = Rest(rva, structure, reportOffset, out int at);
        return Encoding.Latin1.GetString(CString.Read(rest, Path, at, structure, $"string at RVA 0x{rva:x} has no NUL terminator before the end of its section"));
    }

    /// <summary>The file offset of data directory <paramref name="index"/>'s entry in the optional header.</summary>
    public int DirectoryEntryOffset(int index) =>
        Headers.PEHeaderStartOffset + (Is64 ? 112 : 96) + index * 8;
}
