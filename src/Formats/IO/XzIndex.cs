using System.Buffers.Binary;

namespace LkmKit.Formats.IO;

/// <summary>
/// The uncompressed size an .xz file declares: each stream ends with a footer that locates its index, whose
/// records give every block's unpadded and uncompressed size (xz file format 1.x, sections 2.1.2 and 4). Streams
/// may be concatenated, with padding of zero bytes in multiples of four between them.
/// </summary>
internal static class XzIndex
{
    private const int HeaderSize = 12;
    private const int FooterSize = 12;

    /// <summary>The sum of the uncompressed sizes of every block of every stream; null when the file's tail is not a well-formed index (the decoder then reports the problem).</summary>
    public static long? DeclaredSize(ReadOnlySpan<byte> file)
    {
        long total = 0;
        int end = file.Length;
        while (end > 0)
        {
            while (end >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(file[(end - 4)..end]) == 0)
            {
                end -= 4; // stream padding
            }

            if (end < HeaderSize + FooterSize || file[end - 2] != (byte)'Y' || file[end - 1] != (byte)'Z')
            {
                return null;
            }

            long indexSize = ((long)BinaryPrimitives.ReadUInt32LittleEndian(file[(end - 8)..]) + 1) * 4;
            long indexStart = end - FooterSize - indexSize;
            if (indexStart < HeaderSize)
            {
                return null;
            }

            var index = file[(int)indexStart..(end - FooterSize)];
            int at = 1;
            if (index[0] != 0 || !TryReadVarint(index, ref at, out ulong records) || records > (ulong)index.Length)
            {
                return null;
            }

            ulong blocks = 0;
            for (ulong i = 0; i < records; i++)
            {
                if (!TryReadVarint(index, ref at, out ulong unpadded) || !TryReadVarint(index, ref at, out ulong uncompressed)
                    || unpadded > (ulong)file.Length || uncompressed > long.MaxValue - (ulong)total)
                {
                    return null;
                }

                blocks += (unpadded + 3) & ~3UL;
                total += (long)uncompressed;
            }

            long streamStart = indexStart - (long)blocks - HeaderSize;
            if (blocks > (ulong)file.Length || streamStart < 0 || !ModuleSource.DetectCompression(file[(int)streamStart..]).Equals(CompressionKind.Xz))
            {
                return null;
            }

            end = (int)streamStart;
        }

        return total;
    }

    /// <summary>An xz multibyte integer: 7 bits per byte, least significant first, at most 9 bytes.</summary>
    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int at, out ulong value)
    {
        value = 0;
        for (int i = 0; i < 9 && at < data.Length; i++)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return i == 0 || b != 0;
            }
        }

        return false;
    }
}
