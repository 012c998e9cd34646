using LkmKit.Formats;

namespace LkmKit.Linker.Indexing;

/// <summary>
/// kmod's <c>depmod</c>: reads every module of <c>BASEDIR/lib/modules/KREL</c> and builds <c>modules.dep</c>,
/// <c>modules.alias</c>, <c>modules.softdep</c>, <c>modules.symbols</c>, <c>modules.devname</c> and the binary
/// indexes, byte for byte what kmod 30 writes.
/// </summary>
public static class Depmod
{
    /// <summary>The files depmod writes, in the order it writes them.</summary>
    public static IReadOnlyList<string> OutputNames { get; } =
    [
        "modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin", "modules.softdep", "modules.symbols",
        "modules.symbols.bin", "modules.builtin.bin", "modules.builtin.alias.bin", "modules.devname",
    ];

    /// <summary>
    /// Indexes the tree and returns the output files in write order. Problems with single files are reported
    /// through <paramref name="report"/> (in module order, in kmod's words: <c>WARNING: …</c> or <c>ERROR: …</c>, without
    /// the program name) and never stop the run.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The module directory does not exist.</exception>
    /// <exception cref="InvalidOperationException">The modules depend on each other in a cycle (depmod fails too), or a
    /// file of <see cref="DepmodOptions.Modules"/> is missing, not absolute, or a second file of one module name.</exception>
    public static IReadOnlyList<DepmodFile> Build(DepmodOptions options, Action<string>? report = null) =>
        BuildDirectory(options.ModuleDirectory, options, report is null ? null : message => report(message.ToString()));

    /// <summary>Indexes <paramref name="directory"/> itself; the other settings come from <paramref name="options"/>.</summary>
    internal static IReadOnlyList<DepmodFile> BuildDirectory(string directory, DepmodOptions options, Action<DepmodMessage>? report)
    {
        report ??= _ => { };
        if (options.Modules is null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"could not open directory {directory}: No such file or directory");
        }

        // kmod's order: the kernel's symbols first, then depmod.d and the search (depmod.d only when searching).
        var symbols = new DepmodSymbolTable(options.SymbolPrefix);
        bool checkCrcs = false;
        if (options.ModuleSymvers is not null)
        {
            symbols.LoadModuleSymvers(options.ModuleSymvers, report);
            checkCrcs = true;
        }
        else if (options.SystemMap is not null)
        {
            symbols.LoadSystemMap(options.SystemMap, report);
        }
        else if (options.ReportSymbolErrors)
        {
            report(new(DepmodMessageKind.Warning, "-e needs -E or -F"));
        }

        List<DepmodModule> modules;
        if (options.Modules is { } files)
        {
            modules = DepmodTree.FromFiles(directory, files, report);
        }
        else
        {
            var config = DepmodConfig.Load(options.ConfigPaths ?? DepmodConfig.DefaultPaths, options.KernelRelease, text => report(new(DepmodMessageKind.Error, text)));
            modules = DepmodTree.Discover(directory, config, report);
        }

        ReadModules(modules, options.MaxParallelism, report);
        foreach (var module in modules)
        {
            foreach (var export in module.Scan?.Exports ?? [])
            {
                symbols.Add(export.Name, export.Crc, module);
            }
        }

        bool printUnknown = options.ReportSymbolErrors && (options.ModuleSymvers is not null || options.SystemMap is not null);
        foreach (var module in modules)
        {
            ResolveDependencies(module, symbols, printUnknown, checkCrcs, options.ShowDependency, report);
        }

        DepmodOrdering.SortTopologically(modules);
        return DepmodOutput.Build(directory, modules, symbols, options, report);
    }

    /// <summary>
    /// Writes <paramref name="files"/> into <paramref name="directory"/> one by one, each to a temporary name first
    /// and then renamed into place, so a reader never sees a half-written index.
    /// </summary>
    public static void Write(IReadOnlyList<DepmodFile> files, string directory)
    {
        foreach (var file in files)
        {
            string target = Path.Combine(directory, file.Name);
            string temporary = $"{target}.{Environment.ProcessId}.{DateTime.UtcNow.Ticks}";
            try
            {
                File.WriteAllBytes(temporary, file.Contents);
                File.Move(temporary, target, overwrite: true);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }
        }
    }

    private static void ReadModules(List<DepmodModule> modules, int maxParallelism, Action<DepmodMessage> report)
    {
        var failures = new string?[modules.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount };
        Parallel.For(0, modules.Count, parallel, i =>
        {
            try
            {
                modules[i].Scan = DepmodModuleScan.Read(modules[i].Path);
            }
            catch (ModuleFormatException e)
            {
                failures[i] = $"{LoadError(e)} ({e.Message})";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures[i] = $"Input/output error ({e.Message})";
            }
        });

        for (int i = 0; i < modules.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                report(new(DepmodMessageKind.Error, $"failed to load symbols from {modules[i].Path}: {failure}"));
            }
        }
    }

    /// <summary>The strerror text kmod would give: a file that is not ELF at all is ENOEXEC, a broken one EINVAL.</summary>
    private static string LoadError(ModuleFormatException e) =>
        e.Offset <= 5 && e.Structure is "ELF header" or "file" && !e.Reason.Contains("empty", StringComparison.Ordinal)
            ? "Exec format error"
            : "Invalid argument";

    private static void ResolveDependencies(DepmodModule module, DepmodSymbolTable symbols, bool printUnknown, bool checkCrcs, Action<string>? show, Action<DepmodMessage> report)
    {
        if (module.Scan is not { } scan)
        {
            return;
        }

        foreach (var need in scan.Needs)
        {
            var name = scan.NeedName(need);
            if (!symbols.TryFind(name, out var symbol))
            {
                if (printUnknown && !need.Weak)
                {
                    report(new(DepmodMessageKind.Warning, $"{module.Path} needs unknown symbol {name}"));
                }

                continue;
            }

            if (checkCrcs && symbol.Crc != need.Crc && !need.Weak && printUnknown)
            {
                report(new(DepmodMessageKind.Warning, $"{module.Path} disagrees about version of symbol {name}"));
            }

            if (symbol.Owner is { } owner && !module.Dependencies.Contains(owner))
            {
                module.Dependencies.Add(owner);
                owner.Users++;
                show?.Invoke($"{module.Path} needs \"{symbol.Name}\": {owner.Path}");
            }
        }
    }
}
