using System.IO.Compression;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Discovery;

/// <summary>
/// Finds module files: paths named by the caller are taken as given (special files refused); directories are walked
/// and a file is taken when its content is a module container (ELF, Mach-O, PE, a.out, or gzip/xz/zstd data), whatever
/// its name. A <c>*.kext</c> directory (or one holding an Info.plist) is one bundle path. Each file and directory is
/// visited once (identified by device and inode, so link loops end), links that leave the tree are not followed unless
/// asked, and FIFOs, devices and sockets are refused with the reason instead of opened.
/// </summary>
public static class ModuleDiscovery
{
    /// <summary>How many bytes of a file are examined to decide whether it is a module.</summary>
    private const int HeadBytes = 64 * 1024;

    /// <summary>How many decompressed bytes of a compressed file are examined.</summary>
    private const int DecompressedHeadBytes = 4096;

    /// <summary>Expands <paramref name="paths"/> in order; what a directory holds comes in ordinal order of the paths.</summary>
    /// <param name="paths">Files (taken as given) and directories (walked).</param>
    /// <param name="followLinksOutOfTree">Follow symbolic links whose target lies outside the directory given (default: links
    /// inside the tree are followed, links that lead out of it are not).</param>
    public static IEnumerable<DiscoveredPath> Expand(IEnumerable<string> paths, bool followLinksOutOfTree = false)
    {
        foreach (var path in paths)
        {
            var status = FileStatus.Of(path);
            if (status.Kind == FileKind.Directory && !IsBundle(path))
            {
                foreach (var found in Walk(path, followLinksOutOfTree))
                {
                    yield return found;
                }
            }
            else if (IsSpecial(status.Kind))
            {
                yield return new DiscoveredPath(path, $"not a regular file (a {status.KindName}); refused", true);
            }
            else
            {
                yield return new DiscoveredPath(path, null, true);
            }
        }
    }

    /// <summary>True when <paramref name="directory"/> is read as one bundle (<c>*.kext</c>, or holding an Info.plist), not searched file by file.</summary>
    public static bool IsBundle(string directory) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)).EndsWith(".kext", StringComparison.Ordinal)
        || Flavors.Kext.KextBundleReader.IsBundle(directory);

    /// <summary>True when <paramref name="head"/> (the first bytes of a file, or all of a small one) is a module container or compressed data.</summary>
    public static bool IsModuleContent(ReadOnlySpan<byte> head)
    {
        switch (ModuleSource.DetectCompression(head))
        {
            case CompressionKind.None:
                break;
            case CompressionKind.Gzip:
                return IsModuleContent(GunzipHead(head));
            default:
                // xz and zstd: the first decompressed bytes decide; data that does not decode is left to the reader to report.
                return NativeDecompression.DecompressHead(head, ModuleSource.DetectCompression(head), DecompressedHeadBytes) is not { } inner
                    || IsModuleContent(inner);
        }

        foreach (var container in ModuleReader.Default.Containers)
        {
            if (container.CanRead(head))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<DiscoveredPath> Walk(string root, bool followLinksOutOfTree)
    {
        string realRoot = FileStatus.RealPath(root) ?? Path.GetFullPath(root);
        var seen = new HashSet<(ulong, ulong, string?)> { FileStatus.Of(root).Identity };
        var found = new List<DiscoveredPath>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string directory = pending.Pop();
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                found.Add(new DiscoveredPath(directory, $"cannot be listed: {e.Message}", false));
                continue;
            }

            foreach (var entry in entries)
            {
                if (Visit(entry, realRoot, followLinksOutOfTree, seen, out bool isDirectory) is { } result)
                {
                    if (isDirectory && !IsBundle(entry))
                    {
                        pending.Push(entry);
                    }
                    else
                    {
                        found.Add(result);
                    }
                }
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return found;
    }

    /// <summary>Decides one directory entry: null to skip it silently (not a module, or seen before).</summary>
    private static DiscoveredPath? Visit(string entry, string realRoot, bool followLinksOutOfTree, HashSet<(ulong, ulong, string?)> seen,
        out bool isDirectory)
    {
        isDirectory = false;
        var own = FileStatus.Of(entry, followLink: false);
        if (own.Kind == FileKind.SymbolicLink && !followLinksOutOfTree)
        {
            string? target = FileStatus.RealPath(entry);
            if (target is null)
            {
                return null; // a dangling link names no file
            }

            if (!FileStatus.IsWithin(target, realRoot))
            {
                return new DiscoveredPath(entry, $"a link out of the tree (to {target}); not followed", false);
            }
        }

        var status = own.Kind == FileKind.SymbolicLink ? FileStatus.Of(entry) : own;
        if (status.Kind == FileKind.Missing || !seen.Add(status.Identity))
        {
            return null;
        }

        if (IsSpecial(status.Kind))
        {
            return new DiscoveredPath(entry, $"not a regular file (a {status.KindName}); refused", false);
        }

        if (status.Kind == FileKind.Directory)
        {
            isDirectory = true;
            return new DiscoveredPath(entry, null, false);
        }

        return HasModuleContent(entry) ? new DiscoveredPath(entry, null, false) : null;
    }

    private static bool IsSpecial(FileKind kind) => kind is FileKind.Fifo or FileKind.CharacterDevice or FileKind.BlockDevice or FileKind.Socket;

    /// <summary>How many bytes are read first: enough for every container's magic; a.out's weak magic may need more.</summary>
    private const int FirstHeadBytes = 4096;

    private static bool HasModuleContent(string file)
    {
        using (var native = NativeFile.TryOpen(file))
        {
            if (native is { Kind: FileKind.Regular })
            {
                try
                {
                    Span<byte> first = stackalloc byte[FirstHeadBytes];
                    int count = native.Read(first, 0);
                    if (IsModuleContent(first[..count]) || native.Length <= count)
                    {
                        return IsModuleContent(first[..count]);
                    }
                }
                catch (IOException)
                {
                    return true; // let the reader report why it cannot be read
                }
            }
        }

        try
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read);
            long length = RandomAccess.GetLength(handle);
            var head = new byte[(int)Math.Min(length, HeadBytes)];
            int read = RandomAccess.Read(handle, head, 0);
            return IsModuleContent(head.AsSpan(0, read));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true; // let the reader report why it cannot be read
        }
    }

    private static byte[] GunzipHead(ReadOnlySpan<byte> compressed)
    {
        using var gzip = new GZipStream(new MemoryStream(compressed.ToArray()), CompressionMode.Decompress);
        var head = new byte[4096];
        int total = 0;
        try
        {
            int read;
            while (total < head.Length && (read = gzip.Read(head, total, head.Length - total)) > 0)
            {
                total += read;
            }
        }
        catch (InvalidDataException)
        {
            // Corrupt gzip data: whatever came out decides.
        }

        return head[..total];
    }
}
