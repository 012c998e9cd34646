namespace LkmKit.Linker.Indexing;

/// <summary>Finds the modules of a module directory and puts them in depmod's order.</summary>
internal static class DepmodTree
{
    private static readonly string[] Extensions = [".ko", ".ko.xz", ".ko.zst", ".ko.gz"];

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

        var modules = byName.Values.ToList();
        KmodHash.SortInIterationOrder(modules, m => m.Name, 512);
        ApplyModulesOrder(moduleDirectory, modules, report);
        for (int i = 0; i < modules.Count; i++)
        {
            modules[i].Index = i;
        }

        return modules;
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
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (string entry in entries)
        {
            string name = Path.GetFileName(entry);
            string child = relative.Length == 0 ? name : relative + "/" + name;
            if (Directory.Exists(entry))
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
