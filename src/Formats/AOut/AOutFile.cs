using System.Buffers.Binary;
using System.Text;
using LkmKit.Formats.IO;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.AOut;

/// <summary>
/// A zero-copy reader over a 32-bit a.out file: header, segments, relocation records, symbols and strings. Every
/// size is checked against the file length when the file is parsed; names and relocation records are checked when
/// they are read, and malformed input throws <see cref="ModuleFormatException"/>.
/// </summary>
internal sealed class AOutFile
{
    private AOutFile(string path, ReadOnlyMemory<byte> data, AOutHeader header, AOutLayout layout)
    {
        Path = path;
        Data = data;
        Header = header;
        Layout = layout;
        Reader = new EndianReader(path, header.BigEndian);
    }

    /// <summary>The file name used in error messages.</summary>
    public string Path { get; }
    /// <summary>The whole file.</summary>
    public ReadOnlyMemory<byte> Data { get; }
    /// <summary>The header.</summary>
    public AOutHeader Header { get; }
    /// <summary>Offsets and addresses of the parts.</summary>
    public AOutLayout Layout { get; }
    /// <summary>A bounds-checked reader for the file's byte order.</summary>
    public EndianReader Reader { get; }
    /// <summary>Number of nlist entries.</summary>
    public int SymbolCount => (int)(Header.Syms / AOutConstants.SymbolSize);
    /// <summary>True when the relocation tables use the standard 8-byte records this reader decodes.</summary>
    public bool HasStandardRelocations => Layout.RelocationSize == AOutConstants.StandardRelocationSize;

    /// <summary>
    /// True when <paramref name="data"/> is recognisably a.out: a distinctive first word (see
    /// <see cref="AOutHeader.HasStrongMagic"/>), or a weak one (old style, unknown machine) whose sizes all fit the file.
    /// </summary>
    public static bool IsAOut(ReadOnlySpan<byte> data) => AOutHeader.HasStrongMagic(data) || AOutHeader.TryRead(data) is not null;

    /// <summary>Parses the header and checks every size against the file.</summary>
    /// <exception cref="ModuleFormatException">The header is truncated or a size runs past the end of the file.</exception>
    public static AOutFile Parse(ReadOnlyMemory<byte> data, string path)
    {
        var span = data.Span;
        var header = AOutHeader.Read(span, path);
        var layout = AOutLayout.Check(header, span, path);
        return new AOutFile(path, data, header, layout);
    }

    /// <summary>The text segment's bytes.</summary>
    public ReadOnlyMemory<byte> Text => Data.Slice((int)Layout.TextOffset, (int)Header.Text);
    /// <summary>The data segment's bytes.</summary>
    public ReadOnlyMemory<byte> DataSegment => Data.Slice((int)Layout.DataOffset, (int)Header.Data);

    /// <summary>Reads nlist entry <paramref name="index"/>.</summary>
    public AOutSymbol GetSymbol(int index)
    {
        if ((uint)index >= (uint)SymbolCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        var span = Data.Span;
        int at = (int)Layout.SymbolOffset + index * AOutConstants.SymbolSize;
        return new AOutSymbol(index, Reader.U32(span, at), span[at + 4], span[at + 5], Reader.U16(span, at + 6), Reader.U32(span, at + 8));
    }

    /// <summary>File offset of nlist entry <paramref name="index"/>.</summary>
    public long SymbolFileOffset(int index) => (long)Layout.SymbolOffset + (long)index * AOutConstants.SymbolSize;

    /// <summary>The name of <paramref name="symbol"/> (empty when n_strx is 0).</summary>
    /// <exception cref="ModuleFormatException">n_strx points outside the string table or the name has no terminator.</exception>
    public string GetName(in AOutSymbol symbol)
    {
        if (symbol.StringIndex == 0)
        {
            return "";
        }

        uint size = Layout.StringTableSize;
        if (symbol.StringIndex < 4 || symbol.StringIndex >= size)
        {
            throw new ModuleFormatException(Path, SymbolFileOffset(symbol.Index), $"a.out symbol {symbol.Index}",
                $"name offset {symbol.StringIndex} is outside the string table (names lie at 4..{size - 1})");
        }

        var table = Data.Span.Slice((int)Layout.StringOffset, (int)size);
        return CString.Decode(CString.Read(table[(int)symbol.StringIndex..], Path, (long)Layout.StringOffset + symbol.StringIndex,
            $"a.out symbol {symbol.Index}", "name runs to the end of the string table without a NUL terminator"));
    }

    /// <summary>Number of records in the text (<paramref name="data"/> false) or data relocation table.</summary>
    public int RelocationCount(bool data) => (int)((data ? Header.DataRelocSize : Header.TextRelocSize) / (uint)Layout.RelocationSize);

    /// <summary>Decodes standard relocation record <paramref name="index"/> of the text or data table.</summary>
    /// <exception cref="InvalidOperationException">The file uses extended (12-byte) records.</exception>
    public AOutRelocation GetRelocation(bool data, int index)
    {
        if (!HasStandardRelocations)
        {
            throw new InvalidOperationException("extended (12-byte) relocation records are not decoded");
        }

        if ((uint)index >= (uint)RelocationCount(data))
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        var span = Data.Span;
        long at = (long)(data ? Layout.DataRelocOffset : Layout.TextRelocOffset) + (long)index * AOutConstants.StandardRelocationSize;
        int address = Reader.I32(span, (int)at);
        var info = span.Slice((int)at + 4, 4);
        uint symbol;
        byte flags;
        if (Header.BigEndian)
        {
            symbol = (uint)(info[0] << 16 | info[1] << 8 | info[2]);
            byte b = info[3];
            flags = (byte)((b >> 7) & 1 | ((b >> 5) & 3) << 1 | ((b >> 4) & 1) << 3 | ((b >> 3) & 1) << 4
                | ((b >> 2) & 1) << 5 | ((b >> 1) & 1) << 6 | (b & 1) << 7);
        }
        else
        {
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(info);
            symbol = word & 0xffffff;
            flags = (byte)(word >> 24);
        }

        return new AOutRelocation(index, at, address, symbol, flags);
    }
}
