using System.Runtime.InteropServices;

namespace LkmKit.Formats.IO;

/// <summary>What kind of file system object a path names.</summary>
internal enum FileKind
{
    /// <summary>The path names nothing (or cannot be examined).</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,
    /// <summary>A FIFO (named pipe): opening it would wait for a writer.</summary>
    Fifo,
    /// <summary>A character device.</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A socket.</summary>
    Socket,
}

/// <summary>
/// A path's kind and identity (device, inode) from Linux <c>statx</c>, whose structure has one layout on every
/// architecture. Elsewhere (or when the call is unavailable) the kind comes from the BCL and the identity is the
/// fully resolved path.
/// </summary>
/// <param name="Kind">The kind of object.</param>
/// <param name="Device">The device (major &lt;&lt; 32 | minor); 0 without statx.</param>
/// <param name="Inode">The inode; 0 without statx.</param>
/// <param name="ResolvedPath">The path with every link resolved, when statx was not available.</param>
internal readonly partial record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, string? ResolvedPath)
{
    /// <summary>A short description of the kind for messages ("FIFO", "character device", …).</summary>
    public string KindName => Kind switch
    {
        FileKind.Fifo => "FIFO",
        FileKind.CharacterDevice => "character device",
        FileKind.BlockDevice => "block device",
        FileKind.Socket => "socket",
        FileKind.SymbolicLink => "symbolic link",
        FileKind.Directory => "directory",
        FileKind.Regular => "regular file",
        _ => "missing",
    };

    /// <summary>An identity usable as a set key: (device, inode), or the resolved path without statx.</summary>
    public (ulong Device, ulong Inode, string? Path) Identity => (Device, Inode, Device == 0 && Inode == 0 ? ResolvedPath : null);

    /// <summary>Examines <paramref name="path"/>, following a final symbolic link when <paramref name="followLink"/>.</summary>
    public static FileStatus Of(string path, bool followLink = true)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return Statx(path, followLink);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Fall through to the portable answer.
            }
        }

        return Portable(path, followLink);
    }

    private static unsafe FileStatus Statx(string path, bool followLink)
    {
        byte* buffer = stackalloc byte[256];
        int flags = followLink ? 0 : AtSymlinkNoFollow;
        if (NativeStatx(AtFdCwd, path, flags, StatxBasicStats, buffer) != 0)
        {
            return new FileStatus(FileKind.Missing, 0, 0, null);
        }

        ushort mode = *(ushort*)(buffer + 28);
        ulong inode = *(ulong*)(buffer + 32);
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        return new FileStatus(KindOf(mode), device, inode, null);
    }

    /// <summary>The kind of object a <c>st_mode</c>/<c>stx_mode</c> value describes.</summary>
    public static FileKind KindOf(ushort mode) =>
        (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Missing,
        };

    private static FileStatus Portable(string path, bool followLink)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null)
        {
            return new FileStatus(FileKind.Missing, 0, 0, null);
        }

        if (!followLink && info.LinkTarget is not null)
        {
            return new FileStatus(FileKind.SymbolicLink, 0, 0, Path.GetFullPath(path));
        }

        var resolved = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true);
        if (resolved is null || !resolved.Exists)
        {
            return new FileStatus(FileKind.Missing, 0, 0, null);
        }

        return new FileStatus(resolved is DirectoryInfo ? FileKind.Directory : FileKind.Regular, 0, 0, resolved.FullName);
    }

    /// <summary>The path with every symbolic link resolved (realpath), or null when it names nothing.</summary>
    public static string? RealPath(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return NativeRealPath(path);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Fall through.
            }
        }

        var status = Portable(path, followLink: true);
        return status.Kind == FileKind.Missing ? null : status.ResolvedPath;
    }

    private static unsafe string? NativeRealPath(string path)
    {
        byte* resolved = RealPathNative(path, null);
        if (resolved == null)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8((nint)resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or lies below it (both resolved paths).</summary>
    public static bool IsWithin(string path, string root)
    {
        string top = Path.TrimEndingDirectorySeparator(root);
        return path == top || path.StartsWith(top + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || top == Path.DirectorySeparatorChar.ToString();
    }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int NativeStatx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial byte* RealPathNative(string path, byte* resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static unsafe partial void Free(byte* pointer);
}
