using System.Diagnostics;
using System.Globalization;
using LkmKit.Formats;
using LkmKit.Formats.Model;
using LkmKit.Linker;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Symbols;

namespace LkmKit.Bench;

/// <summary>What the <c>link</c> command was asked to do.</summary>
internal sealed record LinkBenchOptions(string Directory, IReadOnlyList<string> SymbolFiles, int Iterations, int Warmup, int ShowFailures);

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

        var median = passes.OrderBy(p => p.TotalSeconds).ElementAt(passes.Count / 2);
        var best = passes.MinBy(p => p.TotalSeconds)!;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: {median.Relocations / median.TotalSeconds / 1e6:F2} M relocations/s end to end ({median.Relocations / median.LinkSeconds / 1e6:F2} M/s in the link phase), {median.Linked / median.TotalSeconds:F0} modules/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"best:   {best.Relocations / best.TotalSeconds / 1e6:F2} M relocations/s end to end ({best.Relocations / best.LinkSeconds / 1e6:F2} M/s in the link phase), {best.Linked / best.TotalSeconds:F0} modules/s"));
        Console.WriteLine($"failures: {median.Failures.Count}");
        foreach (var (path, message) in median.Failures.Take(options.ShowFailures))
        {
            Console.WriteLine($"  {path}: {message}");
        }

        return 0;
    }

    private static LinkPass Pass(string[] files, LinkBenchOptions options)
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
        var opened = new List<ModuleFile>();
        var modules = new List<KernelModule>();
        foreach (string path in files)
        {
            try
            {
                var file = ModuleReader.Open(path);
                opened.Add(file);
                modules.AddRange(file.Modules);
            }
            catch (Exception e) when (e is LkmKit.Formats.IO.ModuleFormatException or IOException)
            {
                failures.Add((path, e.Message));
            }
        }

        double readSeconds = clock.Elapsed.TotalSeconds - symbolSeconds;
        int linked = 0;
        long relocations = 0;
        ulong cursor = 0xffffffffc0000000UL;
        foreach (var module in LoadOrder.Of(modules))
        {
            try
            {
                var image = new ModuleLinker(kernel, new LinkOptions { Base = cursor }).Link([module]);
                var result = image.Modules[0];
                relocations += result.RelocationCount;
                cursor = Align.Up(result.Sections.Count == 0 ? cursor : result.Sections.Max(s => s.Address + s.Size), LinuxLayout.PageSize);
                linked++;
            }
            catch (LinkException e)
            {
                failures.Add((module.Path, e.Message.Split('\n')[0]));
            }
        }

        double linkSeconds = clock.Elapsed.TotalSeconds - symbolSeconds - readSeconds;
        foreach (var file in opened)
        {
            file.Dispose();
        }

        return new LinkPass(modules.Count, linked, relocations, symbolSeconds, readSeconds, linkSeconds,
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
                if (byName.TryGetValue(dependencies[next].Name.Replace('-', '_'), out var dependency) && !state.ContainsKey(dependency))
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
