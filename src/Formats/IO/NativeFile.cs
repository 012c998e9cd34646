using System.Runtime.InteropServices;

namespace LkmKit.Formats.IO;

/// <summary>
/// The Linux fast path for reading a module file: <c>statx</c> for the kind and size (a FIFO or device is never
/// opened: opening one can wait for a writer or act on the device), then for a regular file <c>open</c>,
/// <c>pread</c>, <c>close</c>: four system calls where the portable path (a kind check, then
/// <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/> and its length) takes
/// six. Over a tree of thousands of small modules those calls are a large part of the kernel time. Any failure
/// answers "not opened" and the caller takes the portable path, which raises the usual exceptions.
/// </summary>
internal sealed unsafe partial class NativeFile : IDisposable
{
    private const int ReadOnlyNonBlocking = 0x800 | 0x80000 | 0x100; // O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY (same on x86-64 and arm64)
    private const int AtFdCwd = -100;
    private const uint StatxTypeAndSize = 0x1 | 0x200; // STATX_TYPE | STATX_SIZE

    private int _descriptor;

    private NativeFile(int descriptor, FileKind kind, long length)
    {
        _descriptor = descriptor;
        Kind = kind;
        Length = length;
    }

    /// <summary>What the descriptor refers to.</summary>
    public FileKind Kind { get; }

    /// <summary>The file's size in bytes (when <see cref="Kind"/> is <see cref="FileKind.Regular"/>).</summary>
    public long Length { get; }

    /// <summary>
    /// Examines <paramref name="path"/> (following links) and opens it when it is a regular file; null when the fast
    /// path is not available or failed. Other kinds come back unopened, with their kind.
    /// </summary>
    public static NativeFile? TryOpen(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            byte* buffer = stackalloc byte[256];
            if (Statx(AtFdCwd, path, 0, StatxTypeAndSize, buffer) != 0)
            {
                return null;
            }

            var kind = FileStatus.KindOf(*(ushort*)(buffer + 28));
            long length = *(long*)(buffer + 40);
            if (kind != FileKind.Regular)
            {
                return new NativeFile(-1, kind, length);
            }

            // O_NONBLOCK: should the path have become a FIFO since statx, opening it still does not wait.
            int fd = Open(path, ReadOnlyNonBlocking);
            return fd < 0 ? null : new NativeFile(fd, kind, length);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Reads up to <paramref name="into"/>.Length bytes at <paramref name="offset"/>; returns how many (0 at the end).</summary>
    /// <exception cref="IOException">The read failed.</exception>
    public int Read(Span<byte> into, long offset)
    {
        ObjectDisposedException.ThrowIf(_descriptor < 0, this);
        while (true)
        {
            nint read;
            fixed (byte* pointer = into)
            {
                read = PRead(_descriptor, pointer, (nuint)into.Length, offset);
            }

            if (read >= 0)
            {
                return (int)read;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != 4) // EINTR: try again
            {
                throw new IOException($"read failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
            }
        }
    }

    /// <summary>Maps the whole file read-only; null when mapping failed (the caller reads instead).</summary>
    public System.Buffers.MemoryManager<byte>? TryMap()
    {
        ObjectDisposedException.ThrowIf(_descriptor < 0, this);
        if (Length <= 0 || Length > int.MaxValue)
        {
            return null;
        }

        nint address = MMap(0, (nuint)Length, ProtRead, MapPrivate, _descriptor, 0);
        return address == -1 ? null : new Mapping((byte*)address, (int)Length);
    }

    private const int ProtRead = 1;
    private const int MapPrivate = 2;

    /// <summary>A read-only private mapping of a whole file; pages are read from the page cache as they are touched.</summary>
    private sealed class Mapping(byte* pointer, int length) : System.Buffers.MemoryManager<byte>
    {
        private byte* _pointer = pointer;

        public override Span<byte> GetSpan()
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return new Span<byte>(_pointer, length);
        }

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0)
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return new System.Buffers.MemoryHandle(_pointer + elementIndex);
        }

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
            if (_pointer != null)
            {
                MUnmap((nint)_pointer, (nuint)length);
                _pointer = null;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nint MMap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int MUnmap(nint address, nuint length);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_descriptor >= 0)
        {
            Close(_descriptor);
            _descriptor = -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
