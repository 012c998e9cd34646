using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LkmKit.Formats.IO;

/// <summary>
/// Decompression of the lz4 "legacy" frame (<c>lz4 -l</c>, what the kernel build uses for lz4 images): a 4-byte
/// magic 0x184C2102, then blocks of at most 8 MiB output, each a 4-byte little-endian compressed size and an lz4
/// block. Blocks are decoded by the system liblz4 (<c>LZ4_decompress_safe</c>).
/// </summary>
internal static unsafe partial class Lz4LegacyDecompression
{
    private const string Library = "liblz4.so.1";
    private const string Structure = "lz4 legacy frame";
    private const uint Magic = 0x184C2102;
    private const int BlockOutput = 8 << 20;

    /// <summary>True when <paramref name="data"/> starts with the legacy frame magic.</summary>
    public static bool IsLegacyFrame(ReadOnlySpan<byte> data) =>
        data.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(data) == Magic;

    /// <summary>Decompresses a whole legacy frame (several concatenated frames are accepted).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> input, string path, long maxOutput)
    {
        try
        {
            return DecompressCore(input, path, maxOutput);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new ModuleFormatException(path, 0, Structure,
                "lz4 decompression needs the system library liblz4.so.1 (Debian package liblz4-1), which could not be loaded");
        }
    }

    private static byte[] DecompressCore(ReadOnlySpan<byte> input, string path, long maxOutput)
    {
        using var output = new MemoryStream();
        byte[] block = new byte[BlockOutput];
        int at = 4;
        while (input.Length - at >= 4)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(input[at..]);
            if (size == Magic)
            {
                at += 4;
                continue;
            }

            if (size == 0 || size > (uint)(input.Length - at - 4))
            {
                throw new ModuleFormatException(path, at, Structure,
                    $"block size {size} runs past the end of the input ({input.Length - at - 4} bytes left)");
            }

            int written;
            fixed (byte* source = input.Slice(at + 4, (int)size))
            fixed (byte* destination = block)
            {
                written = DecompressSafe(source, destination, (int)size, block.Length);
            }

            if (written < 0)
            {
                throw new ModuleFormatException(path, at + 4, Structure, $"lz4 block does not decode (error {written})");
            }

            if (output.Length + written > maxOutput)
            {
                throw new ModuleFormatException(path, at, Structure, $"decompressed data exceeds {maxOutput} bytes");
            }

            output.Write(block, 0, written);
            at += 4 + (int)size;
        }

        return output.ToArray();
    }

    [LibraryImport(Library, EntryPoint = "LZ4_decompress_safe")]
    private static partial int DecompressSafe(byte* source, byte* destination, int compressedSize, int destinationCapacity);
}
