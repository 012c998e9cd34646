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

    /// <summary>Expands <paramref name="paths"/> in order; directory contents are sorted ordinally.</summary>
    public static IEnumerable<string> Expand(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
                    .Where(f => IsModuleFileName(Path.GetFileName(f)))
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
