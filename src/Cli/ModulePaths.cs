namespace LkmKit.Cli;

/// <summary>Expands command-line paths: files are taken as given, directories are searched recursively for module files.</summary>
public static class ModulePaths
{
    private static readonly string[] ModuleSuffixes = [".ko", ".ko.gz", ".ko.xz", ".ko.zst", ".kmod", ".sys"];

    /// <summary>True when a file found in a directory walk looks like a module by its name.</summary>
    public static bool IsModuleFileName(string name)
    {
        foreach (var suffix in ModuleSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when a directory is a bundle read as one module path (<c>*.kext</c>), not searched file by file.</summary>
    public static bool IsBundleName(string directory) => Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)).EndsWith(".kext", StringComparison.Ordinal);

    /// <summary>True when <paramref name="path"/>, found below <paramref name="root"/>, lies inside a bundle below the root (its plug-ins and files belong to that bundle).</summary>
    private static bool InsideBundle(string root, string path)
    {
        var parent = Path.GetDirectoryName(path);
        string top = Path.TrimEndingDirectorySeparator(root);
        while (parent is not null && parent.Length > top.Length)
        {
            if (IsBundleName(parent))
            {
                return true;
            }

            parent = Path.GetDirectoryName(parent);
        }

        return false;
    }

    /// <summary>Expands <paramref name="paths"/> in order; directory contents are sorted ordinally.</summary>
    public static IEnumerable<string> Expand(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path) && IsBundleName(path))
            {
                yield return path;
            }
            else if (Directory.Exists(path))
            {
                var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
                var found = Directory.EnumerateFiles(path, "*", options)
                    .Where(f => IsModuleFileName(Path.GetFileName(f)) && !InsideBundle(path, f))
                    .Concat(Directory.EnumerateDirectories(path, "*.kext", options).Where(d => !InsideBundle(path, d)))
                    .Order(StringComparer.Ordinal);
                foreach (var file in found)
                {
                    yield return file;
                }
            }
            else
            {
                yield return path;
            }
        }
    }
}
