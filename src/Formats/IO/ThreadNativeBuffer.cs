using System.Buffers;
using System.Runtime.InteropServices;

namespace LkmKit.Formats.IO;

/// <summary>
/// One thread's scratch buffer in native memory, grown to the largest size the thread has asked for and kept for the
/// thread's life. For reading parts of many files at their own offsets (depmod reads ~15% of each module): pages
/// never written stay unbacked, and the garbage collector neither counts, scans nor moves it.
/// </summary>
/// <remarks>The contents are only valid until the same thread asks again; never hand the memory to another thread.</remarks>
internal sealed unsafe class ThreadNativeBuffer : MemoryManager<byte>
{
    private const int MinimumCapacity = 1 << 20;

    [ThreadStatic]
    private static ThreadNativeBuffer? t_current;

    private byte* _pointer;
    private int _capacity;

    private ThreadNativeBuffer()
    {
    }

    /// <summary>The calling thread's buffer, at least <paramref name="length"/> bytes long (old contents are not kept).</summary>
    public static ThreadNativeBuffer ForCurrentThread(int length)
    {
        var buffer = t_current ??= new ThreadNativeBuffer();
        if (length > buffer._capacity)
        {
            int capacity = Math.Max(length, MinimumCapacity);
            NativeMemory.Free(buffer._pointer);
            buffer._pointer = (byte*)NativeMemory.Alloc((nuint)capacity);
            buffer._capacity = capacity;
        }

        return buffer;
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => new(_pointer, _capacity);

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <summary>Does nothing: the buffer lives as long as its thread and the memory goes back with the process.</summary>
    protected override void Dispose(bool disposing)
    {
    }
}
