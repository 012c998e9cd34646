using System.Diagnostics;
using System.Globalization;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.IO;

namespace LkmKit.Bench;

/// <summary>
/// The <c>phases</c> command: replays what <see cref="ModuleReader.Open"/> and <see cref="LinuxModuleReader"/> do,
/// step by step through the public API, timing each step with <see cref="Stopwatch.GetTimestamp"/>, so that the
/// cost of a tree read can be attributed. The replay mirrors LinuxModuleReader.Read; if the library changes, the
/// "sum of phases" line should still be close to the <c>reference</c> line (a real ModuleReader.Open pass).
/// </summary>
internal static class PhaseProfiler
{
    private static readonly string[] Names =
    [
        "open (FileStream + mmap)",
        "ElfFile.Parse (headers + section names)",
        "ElfModelBuilder.CreateModule",
        "LinuxModuleReader.Recognizes",
        "ModuleSignatureReader.TryRead (PKCS#7)",
        ".modinfo Parse + MergeParameters",
        "struct module (ElfPointerResolver)",
        "ModversionsReader.Read (__versions)",
        "imports (symtab scan + GetName)",
        "ExportTableReader.Read",
        "notes",
        "dispose (munmap + close)",
        "[full] Sections",
        "[full] Symbols",
        "[full] RelocationSections",
    ];

    public static int Run(ReadOptions options)
    {
        string[] files = ModuleFinder.Find(options.Directory);
        Console.WriteLine($"LkmKit.Bench phases {options.Directory}: {files.Length} files, {options.Iterations} iterations after 1 warm-up, single thread, load {DirectoryHarness.LoadAverage()}");
        if (files.Length == 0)
        {
            return 1;
        }

        var ticks = new long[Names.Length];
        var allocs = new long[Names.Length];
        long bytes = 0, modules = 0, failures = 0;
        for (int pass = 0; pass <= options.Iterations; pass++)
        {
            bool measured = pass > 0; // pass 0 is the warm-up
            var passTicks = new long[Names.Length];
            var passAllocs = new long[Names.Length];
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

            if (measured)
            {
                bytes += passBytes;
                modules += passModules;
                failures += passFailures;
                for (int i = 0; i < ticks.Length; i++)
                {
                    ticks[i] += passTicks[i];
                    allocs[i] += passAllocs[i];
                }
            }
        }

        // The real thing, for comparison with the sum of the replayed phases.
        long reference = 0;
        for (int pass = 0; pass < options.Iterations; pass++)
        {
            long start = Stopwatch.GetTimestamp();
            foreach (string path in files)
            {
                try
                {
                    using var file = ModuleReader.Open(path);
                }
                catch (ModuleFormatException)
                {
                }
            }

            reference += Stopwatch.GetTimestamp() - start;
        }

        double perPass(long t) => (double)t / Stopwatch.Frequency / options.Iterations;
        long metadataTicks = ticks.Take(12).Sum();
        long allTicks = ticks.Sum();
        long perPassModules = modules / options.Iterations;
        double perPassBytes = bytes / (double)options.Iterations;
        Console.WriteLine($"modules per pass: {perPassModules}, {perPassBytes / 1e6:F1} MB, failures per pass: {failures / options.Iterations}");
        Console.WriteLine();
        Console.WriteLine($"{"phase",-42}{"s/pass",9}{"us/module",11}{"% metadata",12}{"B alloc/module",16}");
        for (int i = 0; i < Names.Length; i++)
        {
            double s = perPass(ticks[i]);
            string share = i < 12 ? string.Create(CultureInfo.InvariantCulture, $"{100.0 * ticks[i] / metadataTicks,11:F1}%") : "";
            long bytesPerModule = allocs[i] / options.Iterations / perPassModules;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Names[i],-42}{s,9:F3}{s * 1e6 / perPassModules,11:F1}{share,12}{bytesPerModule,16}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"sum of metadata phases",-42}{perPass(metadataTicks),9:F3}{perPass(metadataTicks) * 1e6 / perPassModules,11:F1}   -> {perPassBytes / 1e6 / perPass(metadataTicks),7:F0} MB/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"sum of all phases (full model)",-42}{perPass(allTicks),9:F3}{perPass(allTicks) * 1e6 / perPassModules,11:F1}   -> {perPassBytes / 1e6 / perPass(allTicks),7:F0} MB/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"reference: ModuleReader.Open pass",-42}{perPass(reference),9:F3}{perPass(reference) * 1e6 / perPassModules,11:F1}   -> {perPassBytes / 1e6 / perPass(reference),7:F0} MB/s"));
        return 0;
    }

    /// <summary>Reads one file phase by phase; returns its decompressed size.</summary>
    private static long ReplayOne(string path, long[] t, long[] a)
    {
        long now = Stopwatch.GetTimestamp();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        void Lap(int phase)
        {
            long next = Stopwatch.GetTimestamp();
            long nextAllocated = GC.GetAllocatedBytesForCurrentThread();
            t[phase] += next - now;
            a[phase] += nextAllocated - allocated;
            now = Stopwatch.GetTimestamp();
            allocated = GC.GetAllocatedBytesForCurrentThread();
        }

        var source = ModuleSource.Open(path);
        Lap(0);
        try
        {
            var elf = ElfFile.Parse(source.Data, path);
            Lap(1);
            var module = ElfModelBuilder.CreateModule(elf, source);
            Lap(2);
            var linux = new LinuxModuleReader();
            bool recognised = linux.Recognizes(elf);
            Lap(3);
            if (recognised)
            {
                ModuleSignatureReader.TryRead(elf.Data.Span, path, out _, out _);
                Lap(4);

                int modinfo = elf.FindSection(".modinfo");
                if (modinfo >= 0)
                {
                    var pairs = Modinfo.Parse(elf.GetSectionBytes(modinfo));
                    foreach (var pair in pairs)
                    {
                        if (pair.Key == "vermagic")
                        {
                            VersionMagic.Parse(pair.Value);
                        }
                    }

                    Modinfo.MergeParameters(pairs);
                }

                Lap(5);

                int thisModule = elf.FindSection(LinuxModuleReader.ThisModuleSection);
                if (thisModule >= 0)
                {
                    var resolver = new ElfPointerResolver(elf, thisModule);
                    ulong size = elf.Sections[thisModule].Size;
                    for (ulong offset = 0; offset < size && resolver.Count > 0; offset += (ulong)(elf.Is64 ? 8 : 4))
                    {
                        if (resolver.SymbolName(offset) is "init_module" or "cleanup_module")
                        {
                            resolver.TryResolve(offset, out _);
                        }
                    }
                }

                Lap(6);

                var versions = ModversionsReader.Read(elf);
                Lap(7);

                var crcs = new Dictionary<string, uint>(versions.Count);
                foreach (var version in versions)
                {
                    crcs.TryAdd(version.Name, version.Crc);
                }

                int symtab = elf.FindSectionOfType(ElfConstants.ShtSymTab);
                if (symtab >= 0)
                {
                    var symbols = elf.GetSymbolTable(symtab);
                    for (int i = 1; i < symbols.Count; i++)
                    {
                        var symbol = symbols[i];
                        if (symbol.IsUndefined && symbol.NameOffset != 0)
                        {
                            crcs.TryGetValue(symbols.GetName(symbol), out _);
                        }
                    }
                }

                Lap(8);

                ExportTableReader.Read(elf, module);
                Lap(9);

                for (int i = 0; i < elf.Sections.Count; i++)
                {
                    if (elf.Sections[i].Type == ElfConstants.ShtNote)
                    {
                        elf.ReadNotes(i);
                    }
                }

                Lap(10);
            }

            _ = module.Sections.Count;
            Lap(12);
            _ = module.Symbols.Count;
            Lap(13);
            foreach (var table in module.RelocationSections)
            {
                _ = table.Relocations.Count;
            }

            Lap(14);
            return source.Data.Length;
        }
        finally
        {
            now = Stopwatch.GetTimestamp();
            allocated = GC.GetAllocatedBytesForCurrentThread();
            source.Dispose();
            Lap(11);
        }
    }
}
