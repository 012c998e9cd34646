namespace LkmKit.Bench;

/// <summary>Finds module files in a tree by name.</summary>
internal static class ModuleFinder
{
    /// <summary>The name endings treated as module files.</summary>
    public static readonly string[] Suffixes = [".ko", ".ko.gz", ".ko.xz", ".ko.zst", ".kmod", ".sys"];

    /// <summary>Every module file under <paramref name="directory"/>, sorted ordinally so runs are repeatable.</summary>
    public static string[] Find(string directory)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
            ReturnSpecialDirectories = false,
        };
        var files = new List<string>();
        foreach (string path in Directory.EnumerateFiles(directory, "*", options))
        {
            if (IsModuleName(path))
            {
                files.Add(path);
            }
        }

        files.Sort(StringComparer.Ordinal);
        return [.. files];
    }

    /// <summary>True when the file name ends in one of <see cref="Suffixes"/> (case-insensitive, for <c>.SYS</c>).</summary>
    public static bool IsModuleName(string path)
    {
        foreach (string suffix in Suffixes)
        {
            if (path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
