using System.IO.Enumeration;

namespace LkmKit.Linker.Indexing;

/// <summary>Finds the modules of a module directory and puts them in depmod's order.</summary>
internal static class DepmodTree
{
    private static readonly string[] Extensions = [".ko", ".ko.xz", ".ko.zst", ".ko.gz"];

    /// <summary>Every entry, hidden ones included, like readdir.</summary>
    private static readonly EnumerationOptions AllEntries = new() { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };

    /// <summary>
    /// Walks the module directory (and external directories), keeps one module per name by depmod.d priority, and
    /// orders them: kmod hash order of names, then <c>modules.order</c>.
    /// </summary>
    public static List<DepmodModule> Discover(string moduleDirectory, DepmodConfig config, Action<DepmodMessage> report)
    {
        var byUncompressed = new HashSet<string>(StringComparer.Ordinal);
        var byName = new Dictionary<string, DepmodModule>(StringComparer.Ordinal);
        Walk(moduleDirectory, "", config, file => Add(moduleDirectory, file, config, byUncompressed, byName));
        foreach (string external in config.Externals)
        {
            if (Directory.Exists(external))
            {
                Walk(external, "", config, file => Add(moduleDirectory, Path.Combine(external, file), config, byUncompressed, byName));
            }
        }

        return InDepmodOrder(moduleDirectory, byName.Values, report);
    }

    /// <summary>
    /// depmod's <c>FILE...</c> mode: exactly these modules, no search and no depmod.d. A file inside the module
    /// directory is named relative to it (and found in <c>modules.order</c>); any other keeps the path as given.
    /// </summary>
    /// <exception cref="DepmodFatalException">A path is relative or missing, or names a module already given.</exception>
    public static List<DepmodModule> FromFiles(string moduleDirectory, IReadOnlyList<string> files, Action<DepmodMessage> report)
    {
        string inside = moduleDirectory.TrimEnd('/') + "/";
        var byName = new Dictionary<string, DepmodModule>(StringComparer.Ordinal);
        foreach (string path in files)
        {
            if (!path.StartsWith('/'))
            {
                throw new DepmodFatalException($"{path}: not absolute path.");
            }

            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new DepmodFatalException($"could not create module {path}: No such file or directory");
            }

            string name = KmodNames.ModuleNameFromPath(path);
            if (byName.TryGetValue(name, out var old))
            {
                if (old.Path != path)
                {
                    throw new DepmodFatalException($"could not create module {path}: File exists");
                }

                report(new(DepmodMessageKind.Error, $"hash_add_unique {name}: File exists"));
                throw new DepmodFatalException($"could not add module {path}: File exists");
            }

            // kmod keys modules.order on the relative path cut after the module name's length plus ".ko".
            string? relative = path.StartsWith(inside, StringComparison.Ordinal) ? path[inside.Length..] : null;
            string uncompressed = relative is null ? path : relative[..Math.Min(relative.Length, relative.LastIndexOf('/') + 1 + name.Length + 3)];
            byName[name] = new DepmodModule(path, relative ?? path, uncompressed, name);
        }

        return InDepmodOrder(moduleDirectory, byName.Values, report);
    }

    /// <summary>The kernel module file extension of <paramref name="name"/> (<c>.ko</c> plus compression), or null.</summary>
    public static string? ModuleExtension(string name)
    {
        foreach (string extension in Extensions)
        {
            if (name.EndsWith(extension, StringComparison.Ordinal) && name.Length > extension.Length)
            {
                return extension;
            }
        }

        return null;
    }

    private static void Walk(string root, string relative, DepmodConfig config, Action<string> found)
    {
        string directory = relative.Length == 0 ? root : Path.Combine(root, relative);
        List<(string Name, bool IsDirectory)> entries;
        try
        {
            // IsDirectory comes from the directory entry's type (a stat only for links and unknown types), as in kmod.
            entries = new FileSystemEnumerable<(string, bool)>(directory, (ref FileSystemEntry entry) => (entry.FileName.ToString(), entry.IsDirectory), AllEntries)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var (name, isDirectory) in entries)
        {
            string child = relative.Length == 0 ? name : relative + "/" + name;
            if (isDirectory)
            {
                if (!config.Excludes.Contains(name))
                {
                    Walk(root, child, config, found);
                }
            }
            else if (ModuleExtension(name) is not null)
            {
                found(child);
            }
        }
    }

    private static void Add(string moduleDirectory, string file, DepmodConfig config, HashSet<string> byUncompressed, Dictionary<string, DepmodModule> byName)
    {
        bool inside = !Path.IsPathRooted(file);
        string path = inside ? moduleDirectory.TrimEnd('/') + "/" + file : file;
        string extension = ModuleExtension(file)!;
        string uncompressed = file[..^extension.Length] + ".ko";
        if (!byUncompressed.Add(uncompressed))
        {
            return;
        }

        var module = new DepmodModule(path, file, uncompressed, KmodNames.ModuleNameFromPath(file));
        if (!byName.TryGetValue(module.Name, out var old) || IsHigherPriority(config, module, old))
        {
            byName[module.Name] = module;
        }
    }

    /// <summary>depmod's rule for two files of one module name: an override wins, else the earlier search entry.</summary>
    private static bool IsHigherPriority(DepmodConfig config, DepmodModule candidate, DepmodModule old)
    {
        foreach (var (module, subdirectory) in config.Overrides)
        {
            if (module == candidate.Name && DirectoryOf(candidate.OutputPath) == subdirectory)
            {
                return true;
            }

            if (module == old.Name && DirectoryOf(old.OutputPath) == subdirectory)
            {
                return false;
            }
        }

        int builtin = -1, newPriority = -1, oldPriority = -1;
        for (int i = 0; i < config.Searches.Count; i++)
        {
            string? search = config.Searches[i];
            if (search is null)
            {
                builtin = i;
            }
            else if (candidate.OutputPath.StartsWith(search + "/", StringComparison.Ordinal))
            {
                newPriority = i;
            }
            else if (old.OutputPath.StartsWith(search + "/", StringComparison.Ordinal))
            {
                oldPriority = i;
            }
        }

        if (newPriority < 0)
        {
            newPriority = builtin;
        }

        if (oldPriority < 0)
        {
            oldPriority = builtin;
        }

        return newPriority <= oldPriority;
    }

    private static string DirectoryOf(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    /// <summary>kmod's module array: hash iteration order of the names, then stably sorted by <c>modules.order</c>.</summary>
    private static List<DepmodModule> InDepmodOrder(string moduleDirectory, IEnumerable<DepmodModule> found, Action<DepmodMessage> report)
    {
        var modules = found.ToList();
        KmodHash.SortInIterationOrder(modules, m => m.Name, 512);
        ApplyModulesOrder(moduleDirectory, modules, report);
        for (int i = 0; i < modules.Count; i++)
        {
            modules[i].Index = i;
        }

        return modules;
    }

    private static void ApplyModulesOrder(string moduleDirectory, List<DepmodModule> modules, Action<DepmodMessage> report)
    {
        string orderFile = Path.Combine(moduleDirectory, "modules.order");
        string text;
        try
        {
            text = File.ReadAllText(orderFile, System.Text.Encoding.Latin1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report(new(DepmodMessageKind.Warning, $"could not open modules.order at {moduleDirectory.TrimEnd('/')}: No such file or directory"));
            return;
        }

        var lines = text.Split('\n');
        int count = lines.Length - 1; // the part after the last '\n'
        if (lines[^1].Length > 0)
        {
            report(new(DepmodMessageKind.Error, $"{orderFile}:{lines.Length} corrupted line misses '\\n'"));
            return;
        }

        var byPath = modules.ToDictionary(m => m.UncompressedRelativePath, StringComparer.Ordinal);
        int total = count + 1;
        for (int i = 0; i < count; i++)
        {
            if (byPath.TryGetValue(lines[i], out var module))
            {
                module.SortIndex = i + 1 - total;
            }
        }

        var sorted = modules.OrderBy(m => m.SortIndex).ToList(); // stable, like glibc's merge-sort qsort
        modules.Clear();
        modules.AddRange(sorted);
    }
}
