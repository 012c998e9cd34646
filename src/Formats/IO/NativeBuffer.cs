using System.Buffers;
using System.Runtime.InteropServices;

namespace LkmKit.Formats.IO;

/// <summary>
/// File bytes read into native memory: no garbage-collector pressure for the many ~100 KB modules of a tree,
/// and, like a mapped view, any use after <see cref="IDisposable.Dispose"/> throws instead of reading freed memory.
/// </summary>
/// <remarks>
/// Each thread keeps the last freed block for its next file: allocating and freeing a fresh ~100 KB block per
/// module makes the C allocator map and unmap memory, and unmapping from two threads at once serialised a
/// two-thread read of a module tree to below the speed of one thread. A block freed on another thread than the one
/// that read it (one thread reads modules, another links them) goes to a small shared pool instead, because a
/// fresh block costs a page fault per 4 KB touched.
/// </remarks>
internal sealed unsafe class NativeBuffer : MemoryManager<byte>
{
    private const int MinimumBlock = 256 << 10;
    private const int LargestCachedBlock = 8 << 20;

    private const int SharedBlocks = 16;
    private static readonly System.Collections.Concurrent.ConcurrentStack<Block> Shared = new();
    [ThreadStatic]
    private static Block t_cached;

    private Block _block;
    private readonly int _length;

    private readonly struct Block(byte* pointer, int capacity)
    {
        public byte* Pointer { get; } = pointer;
        public int Capacity { get; } = capacity;
    }

    private byte* _pointer => _block.Pointer;

    private NativeBuffer(int length)
    {
        _length = length;
        var cached = t_cached;
        if (cached.Pointer != null && cached.Capacity >= length)
        {
            t_cached = default;
            _block = cached;
            return;
        }

        if (Shared.TryPop(out var shared))
        {
            if (shared.Capacity >= length)
            {
                _block = shared;
                return;
            }

            NativeMemory.Free(shared.Pointer);
        }

        int capacity = Math.Max(length, MinimumBlock);
        _block = new Block((byte*)NativeMemory.Alloc((nuint)capacity), capacity);
    }

    /// <summary>Reads the whole of <paramref name="handle"/> (<paramref name="length"/> bytes) into a new buffer.</summary>
    public static NativeBuffer Read(Microsoft.Win32.SafeHandles.SafeFileHandle handle, int length, string path) =>
        Read((into, offset) => RandomAccess.Read(handle, into, offset), length, path);

    /// <summary>Reads the whole of <paramref name="file"/> (<paramref name="length"/> bytes) into a new buffer.</summary>
    public static NativeBuffer Read(NativeFile file, int length, string path) => Read(file.Read, length, path);

    private delegate int PositionalRead(Span<byte> into, long offset);

    private static NativeBuffer Read(PositionalRead read, int length, string path)
    {
        var buffer = new NativeBuffer(length);
        try
        {
            var span = buffer.GetSpan();
            int total = 0;
            while (total < length)
            {
                int count = read(span[total..], total);
                if (count == 0)
                {
                    throw new ModuleFormatException(path, total, "file", $"the file shrank while being read ({total} of {length} bytes)");
                }

                total += count;
            }

            return buffer;
        }
        catch
        {
            ((IDisposable)buffer).Dispose();
            throw;
        }
    }

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        return new Span<byte>(_pointer, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        var block = _block;
        if (block.Pointer == null)
        {
            return;
        }

        _block = default;
        var cached = t_cached;
        if (block.Capacity <= LargestCachedBlock && (cached.Pointer == null || cached.Capacity < block.Capacity))
        {
            t_cached = block;
            block = cached;
        }

        if (block.Pointer != null && block.Capacity <= LargestCachedBlock && Shared.Count < SharedBlocks)
        {
            Shared.Push(block);
            block = default;
        }

        if (block.Pointer != null)
        {
            NativeMemory.Free(block.Pointer);
        }
    }
}
