using System.Diagnostics;
using System.Globalization;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Bench;

/// <summary>
/// The <c>phases</c> command: reads every file the way <see cref="ModuleReader.Open"/> does, but one public step
/// at a time (open, ELF parse, the eager flavour read, then each deferred table forced on its own, then close),
/// timing each step with <see cref="Stopwatch.GetTimestamp"/> and counting its allocations, so that the cost of a
/// tree read can be attributed. The eager read is then broken down further by replaying its public parts
/// (signature, .modinfo, notes) separately. The "reference" line is a real ModuleReader.Open pass that touches
/// what the metadata model touches; the sum of the metadata phases should be close to it.
/// </summary>
internal static class PhaseProfiler
{
    private enum Phase
    {
        Open,
        ElfParse,
        ReadElf,
        SymbolVersions,
        Imports,
        Exports,
        EntryPoints,
        Dispose,
        FullSections,
        FullSymbols,
        FullRelocations,
        ReplayCreateModule,
        ReplaySignature,
        ReplayModinfo,
        ReplayNotes,
    }

    private static readonly string[] Names =
    [
        "ModuleSource.Open (open + read/map)",
        "ElfFile.Parse (headers)",
        "ModuleReader.ReadElf (eager part)",
        "SymbolVersions (__versions, deferred)",
        "Imports (symtab scan, deferred)",
        "Exports (__ksymtab*, deferred)",
        "EntryPoints (struct module, deferred)",
        "ModuleSource.Dispose (free/unmap + close)",
        "[full] Sections",
        "[full] Symbols",
        "[full] RelocationSections + Relocations",
        "  ElfModelBuilder.CreateModule",
        "  ModuleSignatureReader.TryRead",
        "  Modinfo.Parse + MergeParameters",
        "  ReadNotes (every SHT_NOTE)",
    ];

    private const int MetadataPhases = (int)Phase.Dispose + 1;
    private const int FirstFull = (int)Phase.FullSections;
    private const int FirstReplay = (int)Phase.ReplayCreateModule;

    public static int Run(ReadOptions options)
    {
        string[] files = ModuleFinder.Find(options.Directory);
        Console.WriteLine($"LkmKit.Bench phases {options.Directory}");
        Console.WriteLine($"{files.Length} files, {options.Iterations} iterations after {options.Warmup} warm-up, single thread, " +
            $"load {DirectoryHarness.LoadAverage()}, library {DirectoryHarness.LibraryVersion()}");
        if (files.Length == 0)
        {
            return 1;
        }

        int n = Names.Length;
        var ticks = new long[n];
        var allocs = new long[n];
        long bytes = 0, modules = 0, failures = 0;
        for (int pass = 0; pass < options.Warmup + options.Iterations; pass++)
        {
            var passTicks = new long[n];
            var passAllocs = new long[n];
            long passBytes = 0, passModules = 0, passFailures = 0;
            foreach (string path in files)
            {
                try
                {
                    passBytes += ReplayOne(path, passTicks, passAllocs);
                    passModules++;
                }
                catch (ModuleFormatException)
                {
                    passFailures++;
                }
            }

            if (pass >= options.Warmup)
            {
                bytes += passBytes;
                modules += passModules;
                failures += passFailures;
                for (int i = 0; i < n; i++)
                {
                    ticks[i] += passTicks[i];
                    allocs[i] += passAllocs[i];
                }
            }
        }

        // The real thing, for comparison with the sum of the phases.
        long reference = 0;
        for (int pass = 0; pass < options.Iterations; pass++)
        {
            long start = Stopwatch.GetTimestamp();
            foreach (string path in files)
            {
                try
                {
                    using var file = ModuleReader.Open(path);
                    foreach (var module in file.Modules)
                    {
                        _ = module.Exports.Count + module.Imports.Count;
                    }
                }
                catch (ModuleFormatException)
                {
                }
            }

            reference += Stopwatch.GetTimestamp() - start;
        }

        var c = CultureInfo.InvariantCulture;
        double PerPass(long t) => (double)t / Stopwatch.Frequency / options.Iterations;
        long perPassModules = Math.Max(1, modules / options.Iterations);
        double perPassBytes = bytes / (double)options.Iterations;
        long metadataTicks = ticks.Take(MetadataPhases).Sum();
        long eagerTicks = metadataTicks - ticks[(int)Phase.SymbolVersions] - ticks[(int)Phase.Imports]
            - ticks[(int)Phase.Exports] - ticks[(int)Phase.EntryPoints];
        long fullTicks = ticks.Take(FirstReplay).Sum();

        Console.WriteLine($"modules per pass: {perPassModules}, {perPassBytes / 1e6:F1} MB, failures per pass: {failures / options.Iterations}");
        Console.WriteLine();
        Console.WriteLine($"{"phase",-44}{"s/pass",8}{"us/module",11}{"share",8}{"B alloc/module",16}");
        for (int i = 0; i < n; i++)
        {
            if (i == FirstFull)
            {
                Console.WriteLine("-- forced by --model full only:");
            }
            else if (i == FirstReplay)
            {
                Console.WriteLine("-- of which, inside ModuleReader.ReadElf (public parts replayed separately, not in the sums):");
            }

            double s = PerPass(ticks[i]);
            string share = i < MetadataPhases || i >= FirstReplay ? string.Create(c, $"{100.0 * ticks[i] / metadataTicks:F1}%") : "";
            long allocPerModule = allocs[i] / options.Iterations / perPassModules;
            Console.WriteLine(string.Create(c, $"{Names[i],-44}{s,8:F3}{s * 1e6 / perPassModules,11:F1}{share,8}{allocPerModule,16}"));
        }

        Console.WriteLine();
        void Total(string label, long t) => Console.WriteLine(string.Create(c,
            $"{label,-44}{PerPass(t),8:F3}{PerPass(t) * 1e6 / perPassModules,11:F1}  -> {perPassBytes / 1e6 / PerPass(t),6:F0} MB/s"));
        Total("sum: info (open, parse, eager, dispose)", eagerTicks);
        Total("sum: metadata (info + deferred tables)", metadataTicks);
        Total("sum: full (+ sections, symbols, relocs)", fullTicks);
        Total("reference: real metadata-model pass", reference);
        Console.WriteLine("share = % of the metadata sum; us/module = per module; MB/s = decompressed module bytes per second (1e6)");
        return 0;
    }

    /// <summary>Reads one file phase by phase; returns its decompressed size.</summary>
    /// <summary>What the relocation phase read, kept so that the walk is not optimised away.</summary>
    internal static long Checksum { get; private set; }

    private static long ReplayOne(string path, long[] t, long[] a)
    {
        long now = Stopwatch.GetTimestamp();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        void Start()
        {
            now = Stopwatch.GetTimestamp();
            allocated = GC.GetAllocatedBytesForCurrentThread();
        }

        void Lap(Phase phase)
        {
            long next = Stopwatch.GetTimestamp();
            long nextAllocated = GC.GetAllocatedBytesForCurrentThread();
            t[(int)phase] += next - now;
            a[(int)phase] += nextAllocated - allocated;
            Start();
        }

        var source = ModuleSource.Open(path);
        Lap(Phase.Open);
        try
        {
            var elf = ElfFile.Parse(source.Data, path);
            Lap(Phase.ElfParse);
            var module = ModuleReader.ReadElf(elf, source);
            Lap(Phase.ReadElf);
            if (module.Details is LinuxModuleDetails linux)
            {
                _ = linux.SymbolVersions.Count;
            }

            Lap(Phase.SymbolVersions);
            _ = module.Imports.Count;
            Lap(Phase.Imports);
            _ = module.Exports.Count;
            Lap(Phase.Exports);
            _ = module.EntryPoints.Count;
            Lap(Phase.EntryPoints);

            foreach (var section in module.Sections)
            {
                _ = section.Name;
            }

            Lap(Phase.FullSections);
            _ = module.Symbols.Count;
            Lap(Phase.FullSymbols);
            // Every relocation is decoded on access, so the phase walks them all, as the read harness's full model does.
            long symbolIndexes = 0;
            foreach (var table in module.RelocationSections)
            {
                foreach (var relocation in table.Relocations)
                {
                    symbolIndexes += relocation.SymbolIndex;
                }
            }

            Checksum += symbolIndexes;

            Lap(Phase.FullRelocations);

            // Replays of the public parts of the eager read, on a fresh ElfFile so nothing is cached.
            var fresh = ElfFile.Parse(source.Data, path);
            Start();
            ElfModelBuilder.CreateModule(fresh, source);
            Lap(Phase.ReplayCreateModule);
            ModuleSignatureReader.TryRead(fresh.Data.Span, path, out _, out _);
            Lap(Phase.ReplaySignature);
            int modinfo = fresh.FindSection(".modinfo");
            if (modinfo >= 0)
            {
                var pairs = Modinfo.Parse(fresh.GetSectionBytes(modinfo));
                foreach (var pair in pairs)
                {
                    if (pair.Key == "vermagic")
                    {
                        VersionMagic.Parse(pair.Value);
                    }
                }

                Modinfo.MergeParameters(pairs);
            }

            Lap(Phase.ReplayModinfo);
            for (int i = 0; i < fresh.Sections.Length; i++)
            {
                if (fresh.Sections[i].Type == ElfConstants.ShtNote)
                {
                    fresh.ReadNotes(i);
                }
            }

            Lap(Phase.ReplayNotes);
            return source.Data.Length;
        }
        finally
        {
            Start();
            source.Dispose();
            Lap(Phase.Dispose);
        }
    }
}
