using System.Text;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Pe;

/// <summary>The decoded version resource (VS_VERSIONINFO).</summary>
/// <param name="FileVersion">VS_FIXEDFILEINFO file version as <c>a.b.c.d</c>.</param>
/// <param name="ProductVersion">VS_FIXEDFILEINFO product version as <c>a.b.c.d</c>.</param>
/// <param name="FileType">VS_FIXEDFILEINFO dwFileType (VFT_DRV = 3).</param>
/// <param name="FileSubtype">VS_FIXEDFILEINFO dwFileSubtype (VFT2_DRV_SYSTEM = 7).</param>
/// <param name="Strings">StringFileInfo key/value pairs in file order (every string table).</param>
internal sealed record PeVersionInfo(string? FileVersion, string? ProductVersion, uint FileType, uint FileSubtype,
    IReadOnlyList<KeyValuePair<string, string>> Strings);

/// <summary>
/// Finds the RT_VERSION resource (type 16) through the three-level resource directory and decodes its
/// VS_VERSIONINFO: the fixed file info and every StringFileInfo string.
/// </summary>
internal static class PeVersionResourceReader
{
    private const int DirectoryIndex = 2;
    private const uint RtVersion = 16;
    private const uint SubdirectoryFlag = 0x8000_0000;
    private const uint FixedInfoSignature = 0xFEEF04BD;
    private const int FixedInfoSize = 52;
    private const int BlockHeaderSize = 6;

    /// <summary>Reads the first version resource, or null when the image has none.</summary>
    /// <exception cref="ModuleFormatException">The resource directory or the version block is malformed.</exception>
    public static PeVersionInfo? Read(PeImage image)
    {
        var directory = image.Header.ResourceTableDirectory;
        if (directory.RelativeVirtualAddress == 0)
        {
            return null;
        }

        uint rootRva = (uint)directory.RelativeVirtualAddress;
        var root = image.Rest(rootRva, "PE resource directory", image.DirectoryEntryOffset(DirectoryIndex), out int rootOffset);

        // Type → name → language: three levels, so a cyclic subdirectory offset cannot loop.
        uint? entry = FindEntry(image, root, rootOffset, 0, RtVersion);
        for (int level = 1; level < 3 && entry is { } value; level++)
        {
            if ((value & SubdirectoryFlag) == 0)
            {
                throw new ModuleFormatException(image.Path, rootOffset, "PE resource directory", $"level {level} entry is data, not a subdirectory");
            }

            entry = FindEntry(image, root, rootOffset, value & ~SubdirectoryFlag, null);
        }

        if (entry is not { } leaf)
        {
            return null;
        }

        if ((leaf & SubdirectoryFlag) != 0)
        {
            throw new ModuleFormatException(image.Path, rootOffset, "PE resource directory", "the version resource is nested deeper than three levels");
        }

        var reader = image.Reader;
        var dataEntry = Sub(image, root, rootOffset, leaf, 16, "PE resource data entry");
        var block = image.Slice(reader.U32(dataEntry, 0), reader.U32(dataEntry, 4), "PE version resource", rootOffset + (int)leaf, out int blockOffset);
        return Decode(image, block, blockOffset);
    }

    // The value of the entry with id (or the first entry when id is null) in the directory at dirOffset.
    private static uint? FindEntry(PeImage image, ReadOnlySpan<byte> root, int rootOffset, uint dirOffset, uint? id)
    {
        var reader = image.Reader;
        var header = Sub(image, root, rootOffset, dirOffset, 16, "PE resource directory");
        int count = reader.U16(header, 12) + reader.U16(header, 14);
        var entries = Sub(image, root, rootOffset, dirOffset + 16, (uint)count * 8, "PE resource directory entries");
        for (int i = 0; i < count; i++)
        {
            uint name = reader.U32(entries, i * 8);
            if (id is null || name == id)
            {
                return reader.U32(entries, i * 8 + 4);
            }
        }

        return null;
    }

    private static ReadOnlySpan<byte> Sub(PeImage image, ReadOnlySpan<byte> root, int rootOffset, uint offset, uint length, string structure)
    {
        if (offset > (uint)root.Length || length > (uint)root.Length - offset)
        {
            throw new ModuleFormatException(image.Path, rootOffset + Math.Min(offset, (uint)root.Length), structure,
                $"offset 0x{offset:x}+0x{length:x} runs past the end of the resource section (0x{root.Length:x} bytes)");
        }

        return root.Slice((int)offset, (int)length);
    }

    private static PeVersionInfo Decode(PeImage image, ReadOnlySpan<byte> data, int dataOffset)
    {
        var reader = image.Reader;
        var top = ReadBlock(image, data, 0, data.Length, dataOffset);
        if (top.Key != "VS_VERSION_INFO")
        {
            throw new ModuleFormatException(image.Path, dataOffset, "PE version resource", $"root key is \"{top.Key}\", not VS_VERSION_INFO");
        }

        string? fileVersion = null, productVersion = null;
        uint fileType = 0, fileSubtype = 0;
        if (top.ValueLength >= FixedInfoSize && top.ValueStart + FixedInfoSize <= top.End)
        {
            var info = data.Slice(top.ValueStart, FixedInfoSize);
            if (reader.U32(info, 0) != FixedInfoSignature)
            {
                throw new ModuleFormatException(image.Path, dataOffset + top.ValueStart, "PE version resource",
                    $"VS_FIXEDFILEINFO signature is 0x{reader.U32(info, 0):x8}, not 0x{FixedInfoSignature:x8}");
            }

            fileVersion = Version(reader.U32(info, 8), reader.U32(info, 12));
            productVersion = Version(reader.U32(info, 16), reader.U32(info, 20));
            fileType = reader.U32(info, 36);
            fileSubtype = reader.U32(info, 40);
        }

        var strings = new List<KeyValuePair<string, string>>();
        int childStart = Align4(top.ValueStart + top.ValueLength);
        for (int at = childStart; at + BlockHeaderSize <= top.End;)
        {
            var child = ReadBlock(image, data, at, top.End, dataOffset);
            if (child.Key == "StringFileInfo")
            {
                for (int table = Align4(child.ValueStart); table + BlockHeaderSize <= child.End;)
                {
                    var stringTable = ReadBlock(image, data, table, child.End, dataOffset);
                    for (int s = Align4(stringTable.ValueStart); s + BlockHeaderSize <= stringTable.End;)
                    {
                        var text = ReadBlock(image, data, s, stringTable.End, dataOffset);
                        var value = data[text.ValueStart..text.End];
                        strings.Add(new(text.Key, Utf16Z(value[..(value.Length & ~1)])));
                        s = Align4(text.End);
                    }

                    table = Align4(stringTable.End);
                }
            }

            at = Align4(child.End);
        }

        return new PeVersionInfo(fileVersion, productVersion, fileType, fileSubtype, strings);
    }

    private static string Version(uint ms, uint ls) => $"{ms >> 16}.{ms & 0xFFFF}.{ls >> 16}.{ls & 0xFFFF}";

    private static int Align4(int value) => (value + 3) & ~3;

    private readonly record struct Block(string Key, int ValueStart, int ValueLength, int End);

    // { u16 wLength; u16 wValueLength; u16 wType; WCHAR szKey[]; pad to 4; value } bounded by parentEnd.
    // ValueLength is in bytes for binary values and in characters for text values (wType 1).
    private static Block ReadBlock(PeImage image, ReadOnlySpan<byte> data, int at, int parentEnd, int dataOffset)
    {
        var reader = image.Reader;
        int length = reader.U16(data, at);
        if (length < BlockHeaderSize || length > parentEnd - at)
        {
            throw new ModuleFormatException(image.Path, dataOffset + at, "PE version resource",
                $"block length {length} is below its 6-byte header or runs past its parent block");
        }

        int end = at + length;
        int valueLength = reader.U16(data, at + 2);
        bool isText = reader.U16(data, at + 4) == 1;
        var keyArea = data[(at + BlockHeaderSize)..end];
        int keyChars = 0;
        while (keyChars * 2 + 1 < keyArea.Length && (keyArea[keyChars * 2] | keyArea[keyChars * 2 + 1]) != 0)
        {
            keyChars++;
        }

        if (keyChars * 2 + 1 >= keyArea.Length)
        {
            throw new ModuleFormatException(image.Path, dataOffset + at + BlockHeaderSize, "PE version resource", "block key has no NUL terminator");
        }

        string key = Encoding.Unicode.GetString(keyArea[..(keyChars * 2)]);
        int valueStart = Math.Min(Align4(at + BlockHeaderSize + keyChars * 2 + 2), end);
        int valueBytes = Math.Min(isText ? valueLength * 2 : valueLength, end - valueStart);
        return new Block(key, valueStart, valueBytes, end);
    }

    private static string Utf16Z(ReadOnlySpan<byte> bytes)
    {
        string text = Encoding.Unicode.GetString(bytes);
        int nul = text.IndexOf('\0', StringComparison.Ordinal);
        return nul >= 0 ? text[..nul] : text;
    }
}
