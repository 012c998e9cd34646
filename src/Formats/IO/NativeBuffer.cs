using System.Buffers;
using System.Runtime.InteropServices;

namespace LkmKit.Formats.IO;

/// <summary>
/// File bytes read into native memory: no garbage-collector pressure for the many ~100 KB modules of a tree,
/// and, like a mapped view, any use after <see cref="IDisposable.Dispose"/> throws instead of reading freed memory.
/// </summary>
internal sealed unsafe class NativeBuffer : MemoryManager<byte>
{
    private byte* _pointer;
    private readonly int _length;

    private NativeBuffer(int length)
    {
        _length = length;
        _pointer = (byte*)NativeMemory.Alloc((nuint)Math.Max(length, 1));
    }

    /// <summary>Reads the whole of <paramref name="handle"/> (<paramref name="length"/> bytes) into a new buffer.</summary>
    public static NativeBuffer Read(Microsoft.Win32.SafeHandles.SafeFileHandle handle, int length, string path)
    {
        var buffer = new NativeBuffer(length);
        try
        {
            var span = buffer.GetSpan();
            int total = 0;
            while (total < length)
            {
                int read = RandomAccess.Read(handle, span[total..], total);
                if (read == 0)
                {
                    throw new ModuleFormatException(path, total, "file", $"the file shrank while being read ({total} of {length} bytes)");
                }

                total += read;
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
        if (_pointer != null)
        {
            NativeMemory.Free(_pointer);
            _pointer = null;
        }
    }
}
