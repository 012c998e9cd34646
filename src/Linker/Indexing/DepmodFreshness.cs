namespace LkmKit.Linker.Indexing;

/// <summary>depmod's <c>-A</c> test: are the indexes of a module directory newer than every module in it?</summary>
internal static class DepmodFreshness
{
    /// <summary>
    /// kmod's rule: up to date when <c>modules.dep</c> exists and no module file below the directory (<c>build</c> and
    /// <c>source</c> aside, links followed, depmod.d not read) has a modification time in a later second. A missing
    /// directory or <c>modules.dep</c> is reported and counts as out of date.
    /// </summary>
    public static bool IsUpToDate(string moduleDirectory, Action<DepmodMessage> report)
    {
        string directory = moduleDirectory.TrimEnd('/');
        if (!Directory.Exists(directory))
        {
            report(new(DepmodMessageKind.Error, $"could not open directory {directory}: No such file or directory"));
            return false;
        }

        var dep = new FileInfo(Path.Combine(directory, "modules.dep"));
        if (!dep.Exists)
        {
            report(new(DepmodMessageKind.Error, $"could not fstatat({directory}, modules.dep): No such file or directory"));
            return false;
        }

        return !HasNewerModule(directory, Seconds(dep.LastWriteTimeUtc));
    }

    private static bool HasNewerModule(string directory, long depSeconds)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(directory).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // kmod ignores what it cannot read
        }

        foreach (string entry in entries)
        {
            string name = Path.GetFileName(entry);
            if (name is "build" or "source")
            {
                continue;
            }

            if (Directory.Exists(entry))
            {
                if (HasNewerModule(entry, depSeconds))
                {
                    return true;
                }
            }
            else if (DepmodTree.ModuleExtension(name) is not null && File.Exists(entry) && Seconds(File.GetLastWriteTimeUtc(entry)) > depSeconds)
            {
                return true;
            }
        }

        return false;
    }

    private static long Seconds(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds();
}
