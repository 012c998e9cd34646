using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using LkmKit.Formats;
using LkmKit.Formats.Model;
using LkmKit.Linker;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Symbols;

namespace LkmKit.Bench;

/// <summary>What the <c>link</c> command was asked to do.</summary>
internal sealed record LinkBenchOptions(string Directory, IReadOnlyList<string> SymbolFiles, int Iterations, int Warmup, int ShowFailures, string? KallsymsPath);

/// <summary>What one pass over the tree measured.</summary>
internal sealed record LinkPass(int Modules, int Linked, long Relocations, double SymbolSeconds, double ReadSeconds, double LinkSeconds, long AllocatedBytes,
    double CpuSeconds, IReadOnlyList<(string Path, string Message)> Failures)
{
    public double TotalSeconds => SymbolSeconds + ReadSeconds + LinkSeconds;
}

/// <summary>
/// The <c>link</c> command: loads the kernel symbol files, opens every module of a tree, and links each one in
/// dependency order (modinfo <c>depends</c>) the way the kernel would load them all, each at its own address and
/// resolving against the kernel and the modules linked before it.
/// </summary>
internal static class LinkHarness
{
    public static int Run(LinkBenchOptions options)
    {
        string[] files = ModuleFinder.Find(options.Directory);
        Console.WriteLine($"LkmKit.Bench link {options.Directory}");
        Console.WriteLine($"files:    {files.Length} module files; symbols: {string.Join(", ", options.SymbolFiles)}");
        Console.WriteLine($"machine:  {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}; load {DirectoryHarness.LoadAverage()}");
        if (files.Length == 0)
        {
            Console.WriteLine("no module files found");
            return 1;
        }

        for (int w = 0; w < options.Warmup; w++)
        {
            Console.WriteLine($"warm-up {w + 1}: {Pass(files, options).TotalSeconds:F3} s");
        }

        Console.WriteLine();
        Console.WriteLine("pass   modules  linked  relocations   symbols-s  read-s  link-s  total-s   M relocs/s (link)  M relocs/s (total)  MB alloc  cpu-s");
        var passes = new List<LinkPass>();
        for (int i = 0; i < options.Iterations; i++)
        {
            var p = Pass(files, options);
            passes.Add(p);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{i + 1,4}  {p.Modules,8}  {p.Linked,6}  {p.Relocations,11}  {p.SymbolSeconds,10:F3}  {p.ReadSeconds,6:F3}  {p.LinkSeconds,6:F3}  {p.TotalSeconds,7:F3}  {p.Relocations / p.LinkSeconds / 1e6,19:F2}  {p.Relocations / p.TotalSeconds / 1e6,18:F2}  {p.AllocatedBytes / 1e6,8:F0}  {p.CpuSeconds,5:F2}"));
        }

        if (options.KallsymsPath is { } kallsymsPath)
        {
            using var writer = new StreamWriter(kallsymsPath);
            Pass(files, options, writer);
            Console.WriteLine($"wrote the linked modules' exports to {kallsymsPath} (kallsyms format)");
        }

        var median = passes.OrderBy(p => p.TotalSeconds).ElementAt(passes.Count / 2);
        var best = passes.MinBy(p => p.TotalSeconds)!;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: {median.Relocations / median.TotalSeconds / 1e6:F2} M relocations/s end to end ({median.Relocations / median.LinkSeconds / 1e6:F2} M/s in the link phase), {median.Linked / median.TotalSeconds:F0} modules/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"best:   {best.Relocations / best.TotalSeconds / 1e6:F2} M relocations/s end to end ({best.Relocations / best.LinkSeconds / 1e6:F2} M/s in the link phase), {best.Linked / best.TotalSeconds:F0} modules/s"));
        Console.WriteLine("(read-s: every module's name and dependencies, on all cores; link-s: one core opens each module and builds its tables while the other links)");
        Console.WriteLine($"failures: {median.Failures.Count}");
        foreach (var (path, message) in median.Failures.Take(options.ShowFailures))
        {
            Console.WriteLine($"  {path}: {message}");
        }

        return 0;
    }

    /// <summary>A module's exported symbols at their linked addresses, as <c>/proc/kallsyms</c> lists a loaded module's.</summary>
    private static void WriteExports(TextWriter writer, LkmKit.Linker.Output.LinkedModule linked)
    {
        var exported = new HashSet<string>(linked.Module.Exports.Select(e => e.Name), StringComparer.Ordinal);
        foreach (var symbol in linked.Symbols)
        {
            if (symbol.SectionIndex >= 0 && exported.Remove(symbol.Name))
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{symbol.Address:x16} T {symbol.Name}\t[{linked.Name}]"));
            }
        }
    }

    private static LinkPass Pass(string[] files, LinkBenchOptions options, TextWriter? kallsyms = null)
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var kernel = new KernelSymbols();
        foreach (string path in options.SymbolFiles)
        {
            kernel.Add(SymbolFileLoader.Load(path));
        }

        double symbolSeconds = clock.Elapsed.TotalSeconds;
        var failures = new List<(string, string)>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        // Names and dependencies of every module, on all cores; each file is closed at once (its buffer is reused).
        var found = new KernelModule[]?[files.Length];
        var openErrors = new string?[files.Length];
        Parallel.For(0, files.Length, parallel, i =>
        {
            try
            {
                using var file = ModuleReader.Open(files[i]);
                found[i] = [.. file.Modules];
            }
            catch (Exception e) when (e is LkmKit.Formats.ModuleFormatException or IOException)
            {
                openErrors[i] = e.Message;
            }
        });
        var modules = new List<KernelModule>();
        for (int i = 0; i < files.Length; i++)
        {
            if (found[i] is { } inFile)
            {
                modules.AddRange(inFile);
            }
            else
            {
                failures.Add((files[i], openErrors[i]!));
            }
        }

        double readSeconds = clock.Elapsed.TotalSeconds - symbolSeconds;
        int moduleCount = modules.Count;

        // Two stages on two cores: a worker opens each module in load order and builds its sections, symbols and
        // relocations (a few modules ahead at most) while this thread links the ones it has finished, each at the next
        // free address against the kernel and the modules linked before it, and closes them.
        var order = LoadOrder.Of(modules);
        modules.Clear();
        using var ready = new BlockingCollection<(ModuleFile? File, KernelModule Module, string? Error)>(boundedCapacity: 8);
        var worker = Task.Run(() =>
        {
            foreach (var listed in order)
            {
                ModuleFile? file = null;
                try
                {
                    file = ModuleReader.Open(listed.Path);
                    var module = file.Modules.FirstOrDefault(m => m.Name == listed.Name) ?? file.Modules[0];
                    _ = module.Sections.Count;
                    _ = module.Symbols.Count;
                    foreach (var table in module.RelocationSections)
                    {
                        _ = table.Relocations.Count;
                    }

                    ready.Add((file, module, null));
                }
                catch (Exception e) when (e is LkmKit.Formats.ModuleFormatException or IOException)
                {
                    file?.Dispose();
                    ready.Add((null, listed, e.Message));
                }
            }

            ready.CompleteAdding();
        });
        var linker = new ModuleLinker(kernel, new LinkOptions());
        int linked = 0;
        long relocations = 0;
        ulong cursor = 0xffffffffc0000000UL;
        foreach (var (file, module, error) in ready.GetConsumingEnumerable())
        {
            try
            {
                if (error is not null)
                {
                    failures.Add((module.Path, error));
                    continue;
                }

                var result = linker.LinkModule(module, cursor);
                kernel.Add(ModuleLinker.ExportsOf(result));
                relocations += result.RelocationCount;
                cursor = Align.Up(result.Sections.Count == 0 ? cursor : result.Sections.Max(s => s.Address + s.Size), LinuxLayout.PageSize);
                linked++;
                if (kallsyms is not null)
                {
                    WriteExports(kallsyms, result);
                }
            }
            catch (Exception e) when (e is LinkException or LkmKit.Formats.ModuleFormatException)
            {
                failures.Add((module.Path, e.Message.Split('\n')[0]));
            }
            finally
            {
                file?.Dispose();
            }
        }

        worker.Wait();
        double linkSeconds = clock.Elapsed.TotalSeconds - symbolSeconds - readSeconds;
        return new LinkPass(moduleCount, linked, relocations, symbolSeconds, readSeconds, linkSeconds,
            GC.GetTotalAllocatedBytes(precise: true) - allocated, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, failures);
    }
}

/// <summary>The order a kernel would load a tree's modules in: every module after the modules it depends on.</summary>
internal static class LoadOrder
{
    public static List<KernelModule> Of(IReadOnlyList<KernelModule> modules)
    {
        var byName = new Dictionary<string, KernelModule>(StringComparer.Ordinal);
        foreach (var m in modules)
        {
            byName.TryAdd(Key(m), m);
        }

        var order = new List<KernelModule>(modules.Count);
        var state = new Dictionary<KernelModule, bool>(ReferenceEqualityComparer.Instance);
        foreach (var m in modules)
        {
            Visit(m, byName, state, order);
        }

        return order;
    }

    private static string Key(KernelModule m) => (m.Name ?? Path.GetFileNameWithoutExtension(m.Path)).Replace('-', '_');

    // Iterative depth-first search: dependency chains can be long, and a cycle (which modprobe refuses) is cut.
    private static void Visit(KernelModule root, Dictionary<string, KernelModule> byName, Dictionary<KernelModule, bool> state, List<KernelModule> order)
    {
        if (state.ContainsKey(root))
        {
            return;
        }

        var stack = new Stack<(KernelModule Module, int Next)>();
        stack.Push((root, 0));
        state[root] = false;
        while (stack.Count > 0)
        {
            var (module, next) = stack.Pop();
            var dependencies = module.Dependencies;
            if (next < dependencies.Count)
            {
                stack.Push((module, next + 1));
                // Only hard dependencies order loading: a softdep "post:" names a module loaded after this one.
                if (dependencies[next].Kind == DependencyKind.Hard
                    && byName.TryGetValue(dependencies[next].Name.Replace('-', '_'), out var dependency) && !state.ContainsKey(dependency))
                {
                    state[dependency] = false;
                    stack.Push((dependency, 0));
                }

                continue;
            }

            state[module] = true;
            order.Add(module);
        }
    }
}
