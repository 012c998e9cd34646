namespace LkmKit.Linker.Indexing;

/// <summary>
/// kmod's configuration file list (conf_files_list): a path that is a file is read as is; a directory contributes
/// its <c>*.conf</c> files; a name found in several directories is taken from the first; all are read in name order.
/// </summary>
internal static class ConfigFiles
{
    public static List<string> List(IEnumerable<string> paths)
    {
        var byName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            if (File.Exists(path))
            {
                byName.TryAdd(Path.GetFileName(path), path);
                continue;
            }

            if (!Directory.Exists(path))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(path))
            {
                string name = Path.GetFileName(file);
                if (!name.StartsWith('.') && name.EndsWith(".conf", StringComparison.Ordinal))
                {
                    byName.TryAdd(name, file);
                }
            }
        }

        return [.. byName.Values];
    }

    /// <summary>Lines with backslash-newline joined and the line number of each line's start.</summary>
    public static IEnumerable<(int Line, string Text)> LogicalLines(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int start = i + 1;
            string line = lines[i];
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + lines[++i];
            }

            yield return (start, line);
        }
    }

    /// <summary>Splits on spaces and tabs, dropping empty fields (strtok).</summary>
    public static string[] Tokens(string line) => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
}
