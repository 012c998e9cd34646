using System.IO.Compression;

namespace LkmKit.Formats.IO;

/// <summary>
/// The bytes of one module file: a memory-mapped view of the file, or the decompressed contents when the file
/// is gzip, xz or zstd compressed (detected by magic, never by extension).
/// </summary>
public sealed class ModuleSource : IDisposable
{
    /// <summary>Largest decompressed size accepted, to stop decompression bombs (1 GiB).</summary>
    public const long MaxDecompressedSize = 1L << 30;

    private readonly IDisposable? _owner;
    private bool _onDisk;

    private ModuleSource(string path, ReadOnlyMemory<byte> data, CompressionKind compression, long storedSize, IDisposable? owner)
    {
        Path = path;
        Data = data;
        Compression = compression;
        StoredSize = storedSize;
        _owner = owner;
    }

    /// <summary>The path opened.</summary>
    public string Path { get; }
    /// <summary>The module bytes (decompressed).</summary>
    public ReadOnlyMemory<byte> Data { get; }
    /// <summary>The compression found on disk.</summary>
    public CompressionKind Compression { get; }
    /// <summary>Size of the file on disk.</summary>
    public long StoredSize { get; }

    /// <summary>Wraps bytes already in memory (decompressing them if they are compressed).</summary>
    public static ModuleSource FromMemory(string path, ReadOnlyMemory<byte> bytes)
    {
        var compression = DetectCompression(bytes.Span);
        if (compression == CompressionKind.None)
        {
            return new ModuleSource(path, bytes, compression, bytes.Length, null);
        }

        return new ModuleSource(path, Decompress(path, bytes.Span, compression), compression, bytes.Length, null);
    }

    /// <summary>
    /// Files up to this size are read into memory with one positional read instead of being mapped: measured on a
    /// Debian module tree, mapping and unmapping a ~100 KB module costs more than copying it, and unmapping from
    /// several threads serialises on the address-space lock. Larger files are mapped.
    /// </summary>
    public const int ReadInsteadOfMapLimit = 4 << 20;

    /// <summary>Opens a file: reads or maps it into memory and decompresses it if needed.</summary>
    /// <exception cref="ModuleFormatException">The file is empty, too large, not a regular file (FIFO, device, socket), or its compressed data is corrupt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ModuleSource Open(string path) => OpenUnlessDirectory(path, ReadInsteadOfMapLimit) ?? OpenPortably(path);

    /// <summary>
    /// Like <see cref="Open"/>, but null when <paramref name="path"/> is a directory (one stat fewer for callers that
    /// treat directories apart); on Linux, files larger than <paramref name="mapAbove"/> bytes are mapped.
    /// </summary>
    internal static ModuleSource? OpenUnlessDirectory(string path, int mapAbove)
    {
        using (var file = NativeFile.TryOpen(path))
        {
            if (file is not null)
            {
                switch (file.Kind)
                {
                    case FileKind.Directory:
                        return null;
                    case FileKind.Regular when file.Length > 0 && file.Length <= mapAbove:
                        return FromFileContents(path, NativeBuffer.Read(file, (int)file.Length, path), file.Length);
                    case FileKind.Regular when file.Length > mapAbove && file.Length <= int.MaxValue && file.TryMap() is { } mapped:
                        return FromFileContents(path, mapped, file.Length);
                }
            }
        }

        // Empty, large (mapped) and special files, and every failure, take the portable path and its messages.
        return Directory.Exists(path) ? null : OpenPortably(path);
    }

    private static ModuleSource OpenPortably(string path)
    {
        // Opening a FIFO waits for a writer and a device may never end: refuse anything but a regular file first.
        var status = FileStatus.Of(path);
        if (status.Kind is FileKind.Fifo or FileKind.CharacterDevice or FileKind.BlockDevice or FileKind.Socket)
        {
            throw new ModuleFormatException(path, 0, "file", $"not a regular file (a {status.KindName}); refused");
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(handle);
        if (length == 0)
        {
            throw new ModuleFormatException(path, 0, "file", "file is empty");
        }

        if (length > int.MaxValue)
        {
            throw new ModuleFormatException(path, 0, "file", $"file of {length} bytes is larger than the 2 GiB this reader supports");
        }

        System.Buffers.MemoryManager<byte> memory = length <= ReadInsteadOfMapLimit
            ? NativeBuffer.Read(handle, (int)length, path)
            : MappedMemory.Open(handle, (int)length);
        return FromFileContents(path, memory, length);
    }

    /// <summary>
    /// A file that belongs beside the module (e.g. NetBSD's <c>NAME.prop</c>), as this source reaches it: the file at
    /// <paramref name="path"/> for a source opened from disk; none for bytes given in memory (a reader never goes to the
    /// disk on its own).
    /// </summary>
    internal SideFile? FindSideFile(string path) =>
        _onDisk && File.Exists(path) ? new SideFile(path, new FileInfo(path).Length, () => File.ReadAllBytes(path)) : null;

    /// <summary>A source for the contents of the file at <paramref name="path"/> (so its side files are reachable).</summary>
    private static ModuleSource FromFileContents(string path, System.Buffers.MemoryManager<byte> memory, long length)
    {
        var compression = DetectCompression(memory.GetSpan());
        ModuleSource source;
        if (compression == CompressionKind.None)
        {
            source = new ModuleSource(path, memory.Memory, compression, length, memory);
        }
        else
        {
            using (memory)
            {
                source = new ModuleSource(path, Decompress(path, memory.GetSpan(), compression), compression, length, null);
            }
        }

        source._onDisk = true;
        return source;
    }

    /// <summary>Recognises gzip, xz and zstd by their magic bytes.</summary>
    public static CompressionKind DetectCompression(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b, 0x08]))
        {
            return CompressionKind.Gzip;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
        {
            return CompressionKind.Xz;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]))
        {
            return CompressionKind.Zstd;
        }

        return CompressionKind.None;
    }

    private static ReadOnlyMemory<byte> Decompress(string path, ReadOnlySpan<byte> bytes, CompressionKind compression) => compression switch
    {
        CompressionKind.Gzip => DecompressGzip(path, bytes),
        CompressionKind.Xz => NativeDecompression.DecompressXz(bytes, path, MaxDecompressedSize),
        CompressionKind.Zstd => NativeDecompression.DecompressZstd(bytes, path, MaxDecompressedSize),
        _ => bytes.ToArray(),
    };

    private static unsafe ReadOnlyMemory<byte> DecompressGzip(string path, ReadOnlySpan<byte> bytes)
    {
        // The trailer's ISIZE is the uncompressed length modulo 2^32 of the (single-member) stream the kernel expects:
        // a larger one is refused before inflating, and the output buffer grows up to that size (one byte more proves a
        // stream that runs longer, e.g. one whose real size wrapped past 4 GiB), never to what a lying trailer claims.
        const int MinimumSize = 18;
        if (bytes.Length < MinimumSize)
        {
            throw new ModuleFormatException(path, bytes.Length, "gzip stream", $"truncated: {bytes.Length} bytes cannot hold a gzip header and trailer");
        }

        uint declared = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]);
        NativeDecompression.DeclaredSize(declared, path, "gzip stream", MaxDecompressedSize);
        var output = new byte[NativeDecompression.OutputBuffer.InitialSize(declared, bytes.Length)];
        int length = 0;
        fixed (byte* pointer = bytes)
        {
            using var input = new UnmanagedMemoryStream(pointer, bytes.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            try
            {
                int read;
                while ((read = gzip.Read(output, length, output.Length - length)) > 0)
                {
                    length += read;
                    if (length == output.Length)
                    {
                        if (length > declared)
                        {
                            break;
                        }

                        Array.Resize(ref output, NativeDecompression.OutputBuffer.Grown(output.Length, declared));
                    }
                }
            }
            catch (InvalidDataException e)
            {
                throw new ModuleFormatException(path, input.Position, "gzip stream", e.Message);
            }

            if (length > declared)
            {
                throw new ModuleFormatException(path, input.Position, "gzip stream",
                    $"decompresses to more than the {declared} bytes its trailer records");
            }

            // GZipStream stops quietly at the end of truncated input; the trailer exposes that.
            if (length != declared)
            {
                throw new ModuleFormatException(path, bytes.Length, "gzip stream",
                    $"truncated or corrupt: {length} bytes decompressed but the trailer records {declared}");
            }

            return output.AsMemory(0, length);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _owner?.Dispose();
}
