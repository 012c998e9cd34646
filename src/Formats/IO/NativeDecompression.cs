using System.Runtime.InteropServices;

namespace LkmKit.Formats.IO;

/// <summary>
/// In-memory decompression of .xz and zstd data through the system libraries
/// (liblzma.so.5 and libzstd.so.1), bound with source-generated P/Invoke so it
/// stays trimming- and AOT-compatible.
/// </summary>
internal static unsafe partial class NativeDecompression
{
    private const string LzmaLibrary = "liblzma.so.5";
    private const string ZstdLibrary = "libzstd.so.1";

    private const string XzStructure = "xz stream";
    private const string ZstdStructure = "zstd frame";

    /// <summary>
    /// zstd input is handed over in slices of this size: libzstd does not report how far it got
    /// when a call fails, so smaller slices make error offsets more precise.
    /// </summary>
    private const int ZstdInputSlice = 64 * 1024;

    // ---------------------------------------------------------------- xz

    /// <summary>
    /// Decompress a complete .xz stream (possibly several concatenated streams, with stream
    /// padding) held in memory. Output larger than <paramref name="maxOutput"/> bytes throws.
    /// </summary>
    public static ReadOnlyMemory<byte> DecompressXz(ReadOnlySpan<byte> input, string path, long maxOutput)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutput);
        if (input.IsEmpty)
        {
            throw new ModuleFormatException(path, 0, XzStructure, "no compressed data (empty input)");
        }

        try
        {
            // The stream index declares the size: refuse a bomb before inflating a byte, then inflate into exactly
            // that much memory. Without a readable index, a first pass only counts (under the running limit).
            long size = DeclaredSize(XzIndex.DeclaredSize(input), path, XzStructure, maxOutput)
                ?? DecompressXzCore(input, path, OutputBuffer.Counting(maxOutput)).Total;
            return DecompressXzCore(input, path, OutputBuffer.Exact(size, input.Length)).Result;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new ModuleFormatException(path, 0, XzStructure,
                "xz decompression needs the system library liblzma.so.5 (Debian package liblzma5), which could not be loaded");
        }
    }

    private static OutputBuffer DecompressXzCore(ReadOnlySpan<byte> input, string path, OutputBuffer output)
    {
        // LZMA_STREAM_INIT is all zeroes.
        LzmaStream strm = default;
        int ret = LzmaStreamDecoder(&strm, ulong.MaxValue, LzmaConcatenated);
        if (ret != LzmaOk)
        {
            // On failure liblzma frees what it allocated; lzma_end on a zeroed stream is a no-op anyway.
            LzmaEnd(&strm);
            throw new ModuleFormatException(path, 0, XzStructure, "cannot initialise the decoder: " + DescribeLzma(ret));
        }

        try
        {
            fixed (byte* inPtr = input)
            {
                strm.NextIn = inPtr;
                strm.AvailIn = (nuint)input.Length;

                while (true)
                {
                    output.EnsureSpace(path, XzStructure, (long)strm.TotalIn);

                    // Once all input has been handed over, switch to LZMA_FINISH and stay there
                    // (liblzma requires LZMA_FINISH to be repeated until LZMA_STREAM_END).
                    int action = strm.AvailIn == 0 ? LzmaFinish : LzmaRun;
                    fixed (byte* outPtr = output.Buffer)
                    {
                        strm.NextOut = outPtr + output.Length;
                        strm.AvailOut = (nuint)(output.Buffer.Length - output.Length);
                        ret = LzmaCode(&strm, action);
                        output.Length = output.Buffer.Length - (int)strm.AvailOut;
                        strm.NextOut = null;
                    }

                    output.CheckLimit(path, XzStructure, (long)strm.TotalIn);

                    if (ret == LzmaStreamEnd || output.HeadIsFull)
                    {
                        break;
                    }

                    if (ret == LzmaOk)
                    {
                        continue;
                    }

                    if (ret == LzmaBufError && strm.AvailOut == 0)
                    {
                        // No progress only because the output buffer is full: grow and retry.
                        continue;
                    }

                    throw new ModuleFormatException(path, (long)strm.TotalIn, XzStructure, DescribeLzma(ret));
                }

                strm.NextIn = null;
                strm.AvailIn = 0;
            }

            return output;
        }
        finally
        {
            LzmaEnd(&strm);
        }
    }

    private static string DescribeLzma(int ret) => ret switch
    {
        LzmaMemError => "out of memory (LZMA_MEM_ERROR)",
        LzmaMemlimitError => "memory usage limit reached (LZMA_MEMLIMIT_ERROR)",
        LzmaFormatError => "not in .xz format (LZMA_FORMAT_ERROR)",
        LzmaOptionsError => "unsupported compression options (LZMA_OPTIONS_ERROR)",
        LzmaDataError => "corrupt data (LZMA_DATA_ERROR)",
        LzmaBufError => "truncated input: the compressed data ends unexpectedly (LZMA_BUF_ERROR)",
        LzmaProgError => "internal decoder error (LZMA_PROG_ERROR)",
        _ => $"unexpected liblzma result {ret}",
    };

    // lzma_ret values (lzma/base.h).
    private const int LzmaOk = 0;
    private const int LzmaStreamEnd = 1;
    private const int LzmaMemError = 5;
    private const int LzmaMemlimitError = 6;
    private const int LzmaFormatError = 7;
    private const int LzmaOptionsError = 8;
    private const int LzmaDataError = 9;
    private const int LzmaBufError = 10;
    private const int LzmaProgError = 11;

    // lzma_action values (lzma/base.h).
    private const int LzmaRun = 0;
    private const int LzmaFinish = 3;

    // Decoder flags (lzma/container.h).
    private const uint LzmaConcatenated = 0x08;

    /// <summary>
    /// lzma_stream from lzma/base.h (liblzma 5.x), LP64 layout: 136 bytes.
    /// Must start zeroed (LZMA_STREAM_INIT).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct LzmaStream
    {
        public byte* NextIn;          // const uint8_t *next_in      @0
        public nuint AvailIn;         // size_t avail_in             @8
        public ulong TotalIn;         // uint64_t total_in           @16
        public byte* NextOut;         // uint8_t *next_out           @24
        public nuint AvailOut;        // size_t avail_out            @32
        public ulong TotalOut;        // uint64_t total_out          @40
        public nint Allocator;        // const lzma_allocator *      @48
        public nint Internal;         // lzma_internal *             @56
        public nint ReservedPtr1;     // void *reserved_ptr1         @64
        public nint ReservedPtr2;     // void *reserved_ptr2         @72
        public nint ReservedPtr3;     // void *reserved_ptr3         @80
        public nint ReservedPtr4;     // void *reserved_ptr4         @88
        public ulong SeekPos;         // uint64_t seek_pos           @96
        public ulong ReservedInt2;    // uint64_t reserved_int2      @104
        public nuint ReservedInt3;    // size_t reserved_int3        @112
        public nuint ReservedInt4;    // size_t reserved_int4        @120
        public int ReservedEnum1;     // lzma_reserved_enum          @128
        public int ReservedEnum2;     // lzma_reserved_enum          @132
    }

    [LibraryImport(LzmaLibrary, EntryPoint = "lzma_stream_decoder")]
    private static partial int LzmaStreamDecoder(LzmaStream* strm, ulong memlimit, uint flags);

    [LibraryImport(LzmaLibrary, EntryPoint = "lzma_code")]
    private static partial int LzmaCode(LzmaStream* strm, int action);

    [LibraryImport(LzmaLibrary, EntryPoint = "lzma_end")]
    private static partial void LzmaEnd(LzmaStream* strm);

    // -------------------------------------------------------------- zstd

    /// <summary>
    /// Decompress a zstd frame sequence (one or more frames; skippable frames allowed) held in
    /// memory. Output larger than <paramref name="maxOutput"/> bytes throws.
    /// </summary>
    public static ReadOnlyMemory<byte> DecompressZstd(ReadOnlySpan<byte> input, string path, long maxOutput)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutput);
        if (input.IsEmpty)
        {
            throw new ModuleFormatException(path, 0, ZstdStructure, "no compressed data (empty input)");
        }

        try
        {
            // Frame headers usually declare the content size: as for xz, refuse early, else count first.
            long size = DeclaredSize(ZstdDeclaredSize(input), path, ZstdStructure, maxOutput)
                ?? DecompressZstdCore(input, path, OutputBuffer.Counting(maxOutput)).Total;
            return DecompressZstdCore(input, path, OutputBuffer.Exact(size, input.Length)).Result;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new ModuleFormatException(path, 0, ZstdStructure,
                "zstd decompression needs the system library libzstd.so.1 (Debian package libzstd1), which could not be loaded");
        }
    }

    private static OutputBuffer DecompressZstdCore(ReadOnlySpan<byte> input, string path, OutputBuffer output)
    {
        nint dstream = ZstdCreateDStream();
        if (dstream == 0)
        {
            throw new ModuleFormatException(path, 0, ZstdStructure, "cannot create the decoder (out of memory)");
        }

        try
        {
            nuint ret = ZstdInitDStream(dstream);
            if (ZstdIsError(ret) != 0)
            {
                throw new ModuleFormatException(path, 0, ZstdStructure,
                    "cannot initialise the decoder (" + ZstdErrorName(ret) + ")");
            }

            fixed (byte* inPtr = input)
            {
                nuint inputLength = (nuint)input.Length;
                ZstdInBuffer inBuf;
                inBuf.Src = inPtr;
                inBuf.Size = 0;
                inBuf.Pos = 0;

                while (true)
                {
                    output.EnsureSpace(path, ZstdStructure, (long)inBuf.Pos);
                    inBuf.Size = inBuf.Pos + Math.Min(inputLength - inBuf.Pos, (nuint)ZstdInputSlice);

                    nuint inBefore = inBuf.Pos;
                    int outBefore = output.Length;
                    bool outputFull;
                    fixed (byte* outPtr = output.Buffer)
                    {
                        ZstdOutBuffer outBuf;
                        outBuf.Dst = outPtr;
                        outBuf.Size = (nuint)output.Buffer.Length;
                        outBuf.Pos = (nuint)output.Length;
                        ret = ZstdDecompressStream(dstream, &outBuf, &inBuf);
                        output.Length = (int)outBuf.Pos;
                        outputFull = outBuf.Pos == outBuf.Size;
                    }

                    if (ZstdIsError(ret) != 0)
                    {
                        throw new ModuleFormatException(path, (long)inBuf.Pos, ZstdStructure,
                            "corrupt or unsupported data (" + ZstdErrorName(ret) + ")");
                    }

                    output.CheckLimit(path, ZstdStructure, (long)inBuf.Pos);
                    if (output.HeadIsFull)
                    {
                        break;
                    }

                    bool inputConsumed = inBuf.Pos == inputLength;
                    if (ret == 0)
                    {
                        // A frame has been completely decoded and flushed. More input means more frames.
                        if (inputConsumed)
                        {
                            break;
                        }

                        continue;
                    }

                    if (outputFull)
                    {
                        // The decoder may still hold data internally: grow and call again.
                        continue;
                    }

                    // ret != 0: the current frame is not finished yet.
                    if (inputConsumed)
                    {
                        throw new ModuleFormatException(path, (long)inBuf.Pos, ZstdStructure,
                            "truncated input: the compressed data ends before the end of the frame");
                    }

                    if (inBuf.Pos == inBefore && output.Length == outBefore)
                    {
                        // Input left, output space left, yet nothing happened: never loop forever.
                        throw new ModuleFormatException(path, (long)inBuf.Pos, ZstdStructure,
                            "the decoder made no progress (corrupt data)");
                    }
                }
            }

            return output;
        }
        finally
        {
            ZstdFreeDStream(dstream);
        }
    }

    /// <summary>
    /// The first <paramref name="count"/> bytes (fewer for a shorter stream) that <paramref name="input"/>, the start of an
    /// xz or zstd file, decompresses to: enough to tell by magic what the file holds without inflating all of it.
    /// Null when the data cannot be decoded from the start (corrupt, or the system library is missing).
    /// </summary>
    public static byte[]? DecompressHead(ReadOnlySpan<byte> input, CompressionKind kind, int count)
    {
        try
        {
            var head = OutputBuffer.Head(count);
            head = kind == CompressionKind.Xz ? DecompressXzCore(input, "", head) : DecompressZstdCore(input, "", head);
            return head.Result.ToArray();
        }
        catch (Exception e) when (e is ModuleFormatException or DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The sum of the frames' declared content sizes; null when a frame does not declare one (or cannot be parsed).</summary>
    private static long? ZstdDeclaredSize(ReadOnlySpan<byte> input)
    {
        long total = 0;
        fixed (byte* start = input)
        {
            nuint offset = 0, length = (nuint)input.Length;
            while (offset < length)
            {
                ulong size = ZstdGetFrameContentSize(start + offset, length - offset);
                nuint frame = ZstdFindFrameCompressedSize(start + offset, length - offset);
                if (size >= ZstdContentSizeError || ZstdIsError(frame) != 0 || frame == 0)
                {
                    return null;
                }

                total = size > (ulong)(long.MaxValue - total) ? long.MaxValue : total + (long)size;
                offset += frame;
            }
        }

        return total;
    }

    private const ulong ZstdContentSizeError = ulong.MaxValue - 1; // ZSTD_CONTENTSIZE_ERROR; UNKNOWN is ulong.MaxValue

    [LibraryImport(ZstdLibrary, EntryPoint = "ZSTD_getFrameContentSize")]
    private static partial ulong ZstdGetFrameContentSize(byte* src, nuint srcSize);

    [LibraryImport(ZstdLibrary, EntryPoint = "ZSTD_findFrameCompressedSize")]
    private static partial nuint ZstdFindFrameCompressedSize(byte* src, nuint srcSize);

    private static string ZstdErrorName(nuint code)
    {
        byte* name = ZstdGetErrorName(code);
        return name == null ? $"zstd error {code}" : Marshal.PtrToStringUTF8((nint)name) ?? $"zstd error {code}";
    }

    /// <summary>ZSTD_inBuffer from zstd.h.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ZstdInBuffer
    {
        public byte* Src;   // const void* src
        public nuint Size;  // size_t size
        public nuint Pos;   // size_t pos
    }

    /// <summary>ZSTD_outBuffer from zstd.h.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ZstdOutBuffer
    {
        public byte* Dst;   // void* dst
        public nuint Size;  // size_t size
        public nuint Pos;   // size_t pos
    }

    [LibraryImport(ZstdLibrary, EntryPoint = "ZSTD_createDStream")]
    private static partial nint ZstdCreateDStream();

    [LibraryImport(ZstdLibrary, EntryPoint = "ZSTD_initDStream")]
    private static partial nuint ZstdInitDStream(nint zds);

    [LibraryImport(ZstdLibrary, EntryPoint = "ZSTD_decompressStream")]
    private static partial nuint ZstdDecompressStream(nint zds, ZstdOutBuffer* output, ZstdInBuffer* input);

    [LibraryImport(ZstdLibrary, EntryPoint = "ZSTD_freeDStream")]
    private static partial nuint ZstdFreeDStream(nint zds);

    [LibraryImport(ZstdLibrary, EntryPoint = "ZSTD_isError")]
    private static partial uint ZstdIsError(nuint code);

    [LibraryImport(ZstdLibrary, EntryPoint = "ZSTD_getErrorName")]
    private static partial byte* ZstdGetErrorName(nuint code);

    // ------------------------------------------------------------ common

    /// <summary>A declared size checked against the limit: a bomb is refused before any byte is inflated.</summary>
    internal static long? DeclaredSize(long? declared, string path, string structure, long maxOutput)
    {
        if (declared > maxOutput)
        {
            throw new ModuleFormatException(path, 0, structure,
                $"declares {declared} bytes of decompressed data, more than the limit of {maxOutput} bytes (possible decompression bomb); refused before decompressing");
        }

        return declared;
    }

    /// <summary>
    /// Where a decoder writes: either a buffer growing up to the declared size (plus one byte that proves a stream
    /// longer than declared), so memory never exceeds what was declared and checked against the limit, nor much more
    /// than the data really produced; or a small window that only counts, under the running limit, for streams that
    /// declare nothing.
    /// </summary>
    internal struct OutputBuffer
    {
        private const int CountingWindow = 64 * 1024;
        private readonly long _limit;
        private readonly bool _counting;
        private readonly bool _head;
        private long _flushed;

        public byte[] Buffer;
        public int Length;

        private OutputBuffer(byte[] buffer, long limit, bool counting, bool head = false)
        {
            Buffer = buffer;
            _limit = limit;
            _counting = counting;
            _head = head;
        }

        /// <summary>A buffer for the first <paramref name="count"/> bytes only: the decoder stops once it is full.</summary>
        public static OutputBuffer Head(int count) => new(new byte[count], count, counting: false, head: true);

        /// <summary>True when a head-only buffer holds all it asked for.</summary>
        public readonly bool HeadIsFull => _head && Length == Buffer.Length;

        /// <summary>
        /// A buffer for a stream declaring <paramref name="size"/> bytes (already checked against the limit). It starts
        /// small and doubles up to the declared size (plus one byte), so a header that lies costs no more memory than
        /// the data really inflates to.
        /// </summary>
        public static OutputBuffer Exact(long size, int inputLength) =>
            new(new byte[InitialSize(size, inputLength)], size, counting: false);

        /// <summary>The first allocation for a stream declaring <paramref name="size"/> bytes from <paramref name="inputLength"/> bytes.</summary>
        internal static int InitialSize(long size, int inputLength) => (int)Math.Min(size + 1, Math.Max(CountingWindow, 4L * inputLength));

        /// <summary>The next allocation after <paramref name="current"/> bytes, never above the declared size plus one.</summary>
        internal static int Grown(int current, long size) => (int)Math.Min(size + 1, 2L * current);

        /// <summary>A window that counts the output and throws once it exceeds <paramref name="maxOutput"/>.</summary>
        public static OutputBuffer Counting(long maxOutput) => new(new byte[CountingWindow], maxOutput, counting: true);

        /// <summary>Bytes produced so far.</summary>
        public readonly long Total => _flushed + Length;

        /// <summary>The output (exact mode).</summary>
        public readonly ReadOnlyMemory<byte> Result => Buffer.AsMemory(0, Length);

        /// <summary>Make sure at least one byte of free space is available.</summary>
        public void EnsureSpace(string path, string structure, long inputOffset)
        {
            if (Length < Buffer.Length)
            {
                return;
            }

            if (_counting)
            {
                _flushed += Length;
                Length = 0;
                return;
            }

            if (Buffer.Length <= _limit)
            {
                Array.Resize(ref Buffer, Grown(Buffer.Length, _limit));
                return;
            }

            CheckLimit(path, structure, inputOffset);
        }

        /// <summary>Throws once more bytes were produced than declared (exact) or allowed (counting).</summary>
        public readonly void CheckLimit(string path, string structure, long inputOffset)
        {
            if (Total > _limit)
            {
                throw new ModuleFormatException(path, inputOffset, structure, _counting
                    ? $"decompressed data exceeds the limit of {_limit} bytes (possible decompression bomb)"
                    : $"decompresses to more than the {_limit} bytes it declares");
            }
        }
    }
}
