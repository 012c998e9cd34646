using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

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

    // The readers below run once per field of every symbol and relocation: they stay small enough to inline, and the
    // message is built only in the throwing helper.

    /// <summary>Reads a 16-bit unsigned integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort U16(ReadOnlySpan<byte> s, int at)
    {
        Check(s, at, 2);
        ushort value = BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);
        return BigEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
    }

    /// <summary>Reads a 32-bit unsigned integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint U32(ReadOnlySpan<byte> s, int at)
    {
        Check(s, at, 4);
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);
        return BigEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
    }

    /// <summary>Reads a 32-bit signed integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int I32(ReadOnlySpan<byte> s, int at) => unchecked((int)U32(s, at));

    /// <summary>Reads a 64-bit unsigned integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong U64(ReadOnlySpan<byte> s, int at)
    {
        Check(s, at, 8);
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);
        return BigEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
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
        Check(s, at, size);
        return s.Slice(at, size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Check(ReadOnlySpan<byte> s, int at, int size)
    {
        if (at < 0 || at > s.Length - size)
        {
            ThrowPastEnd(s.Length, at, size);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowPastEnd(int length, int at, int size) =>
        throw new ModuleFormatException(Path, at, "data", $"a {size}-byte read at 0x{at:x} runs past the end of the data (0x{length:x} bytes)");
}
