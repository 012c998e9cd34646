using System.Buffers.Binary;

namespace LkmKit.Formats.IO;

/// <summary>
/// Reads fixed-size integers of one byte order from spans, checking every range first and reporting failures
/// as <see cref="ModuleFormatException"/> naming the file.
/// </summary>
/// <param name="Path">The file name used in error messages.</param>
/// <param name="BigEndian">True for most-significant-byte-first data.</param>
internal readonly record struct EndianReader(string Path, bool BigEndian)
{
    /// <summary>Checks that [<paramref name="offset"/>, +<paramref name="length"/>) lies inside <paramref name="span"/>.</summary>
    /// <returns>The offset as a <see cref="long"/>.</returns>
    public long CheckRange(ReadOnlySpan<byte> span, ulong offset, ulong length, string structure, long reportOffset = -1)
    {
        if (offset > (ulong)span.Length || length > (ulong)span.Length - offset)
        {
            throw new ModuleFormatException(Path, reportOffset >= 0 ? reportOffset : (long)Math.Min(offset, long.MaxValue), structure,
                $"range 0x{offset:x}+0x{length:x} runs past the end of the data (0x{span.Length:x} bytes)");
        }

        return (long)offset;
    }

    /// <summary>Reads a 16-bit unsigned integer.</summary>
    public ushort U16(ReadOnlySpan<byte> s, int at)
    {
        var b = Slice(s, at, 2);
        return BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    /// <summary>Reads a 32-bit unsigned integer.</summary>
    public uint U32(ReadOnlySpan<byte> s, int at)
    {
        var b = Slice(s, at, 4);
        return BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    /// <summary>Reads a 32-bit signed integer.</summary>
    public int I32(ReadOnlySpan<byte> s, int at) => unchecked((int)U32(s, at));

    /// <summary>Reads a 64-bit unsigned integer.</summary>
    public ulong U64(ReadOnlySpan<byte> s, int at)
    {
        var b = Slice(s, at, 8);
        return BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    /// <summary>Reads a pointer-sized unsigned word: 8 bytes when <paramref name="is64"/>, else 4.</summary>
    public ulong Word(ReadOnlySpan<byte> s, int at, bool is64) => is64 ? U64(s, at) : U32(s, at);

    /// <summary>Reads an unsigned integer of <paramref name="size"/> bytes (1, 2, 4 or 8).</summary>
    public ulong Unsigned(ReadOnlySpan<byte> s, int at, int size) => size switch
    {
        1 => Slice(s, at, 1)[0],
        2 => U16(s, at),
        4 => U32(s, at),
        8 => U64(s, at),
        _ => throw new ArgumentOutOfRangeException(nameof(size)),
    };

    private ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> s, int at, int size)
    {
        if (at < 0 || at > s.Length - size)
        {
            throw new ModuleFormatException(Path, at, "data", $"a {size}-byte read at 0x{at:x} runs past the end of the data (0x{s.Length:x} bytes)");
        }

        return s.Slice(at, size);
    }
}
