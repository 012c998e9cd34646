using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;
using LkmKit.Formats;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Bench;

/// <summary>What one pass over the tree measured.</summary>
internal sealed record PassResult(
    long Modules,
    long Bytes,
    long Relocations,
    long Sections,
    long Symbols,
    double Seconds,
    long AllocatedBytes,
    double UserCpuSeconds,
    double SystemCpuSeconds,
    int Gen0,
    int Gen1,
    int Gen2,
    double GcPauseSeconds,
    IReadOnlyList<(string Path, string Message)> Failures,
    IReadOnlyList<(string Path, string Message)> IoErrors,
    IReadOnlyList<(string Path, string Message)> Crashes,
    long Checksum)
{
    public double ModulesPerSecond => Modules / Seconds;
    public double MegabytesPerSecond => Bytes / 1e6 / Seconds;
    public double MegabytesPerCpuSecond => Bytes / 1e6 / (UserCpuSeconds + SystemCpuSeconds);
    public double RelocationsPerSecond => Relocations / Seconds;
    public double AllocatedPerModule => Modules == 0 ? 0 : (double)AllocatedBytes / Modules;
}

/// <summary>The <c>read</c> command: whole-tree read throughput.</summary>
internal static class DirectoryHarness
{
    public static int Run(ReadOptions options)
    {
        var discover = Stopwatch.StartNew();
        string[] files = ModuleFinder.Find(options.Directory);
        discover.Stop();
        long diskBytes = files.Sum(f => new FileInfo(f).Length);

        Console.WriteLine($"LkmKit.Bench read {options.Directory}");
        Console.WriteLine($"files:    {files.Length} module files, {diskBytes / 1e6:F1} MB on disk (found in {discover.Elapsed.TotalSeconds:F2} s)");
        Console.WriteLine($"model:    {options.Model.ToString().ToLowerInvariant()}, threads {options.Threads}, iterations {options.Iterations} after {options.Warmup} warm-up");
        Console.WriteLine($"machine:  {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription.Trim()} {RuntimeInformation.OSArchitecture}, " +
            $"{RuntimeInformation.FrameworkDescription}, GC {(GCSettings.IsServerGC ? "server" : "workstation")}/{GCSettings.LatencyMode}");
        Console.WriteLine($"library:  LkmKit.Formats {LibraryVersion()}");
        Console.WriteLine($"load:     {LoadAverage()} (1/5/15-min load average before the run; > cores means the timings are shared)");
        if (files.Length == 0)
        {
            Console.WriteLine("no module files found");
            return 1;
        }

        for (int w = 0; w < options.Warmup; w++)
        {
            var warm = Pass(files, options);
            Console.WriteLine($"warm-up {w + 1}: {warm.Seconds:F3} s");
        }

        Console.WriteLine();
        Console.WriteLine(Header(options.Model));
        var passes = new List<PassResult>();
        for (int i = 0; i < options.Iterations; i++)
        {
            var pass = Pass(files, options);
            passes.Add(pass);
            Console.WriteLine(Row((i + 1).ToString(CultureInfo.InvariantCulture), pass, options.Model));
        }

        var best = passes.MinBy(p => p.Seconds)!;
        var median = Median(passes);
        Console.WriteLine(Row("best", best, options.Model));
        Console.WriteLine(Row("median", median, options.Model));
        Console.WriteLine();

        var last = passes[^1];
        Console.WriteLine($"load:     {LoadAverage()} after the run");
        Console.WriteLine($"modules:  {last.Modules} ({last.Bytes / 1e6:F1} MB decompressed)" +
            (options.Model == ReadModel.Full ? $", {last.Sections} sections, {last.Symbols} symbols, {last.Relocations} relocations" : ""));
        Report("failures (ModuleFormatException)", last.Failures, options.ShowFailures);
        Report("I/O errors", last.IoErrors, options.ShowFailures);
        Report("unexpected exceptions (library bugs?)", last.Crashes, options.ShowFailures);
        if (passes.Select(p => p.Checksum).Distinct().Count() != 1)
        {
            Console.WriteLine("warning: passes read different contents (checksum differs between passes)");
        }

        if (options.Json)
        {
            Console.WriteLine(Json(options, files.Length, diskBytes, best, median, last));
        }

        return 0;
    }

    /// <summary>One timed pass over every file.</summary>
    public static PassResult Pass(string[] files, ReadOptions options)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var failures = new ConcurrentBag<(string, string)>();
        var ioErrors = new ConcurrentBag<(string, string)>();
        var crashes = new ConcurrentBag<(string, string)>();
        var total = new Counters();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var user0 = process.UserProcessorTime;
        var sys0 = process.PrivilegedProcessorTime;
        int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
        long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        var pause0 = GC.GetTotalPauseDuration();
        long start = Stopwatch.GetTimestamp();

        if (options.Threads <= 1)
        {
            var local = new Counters();
            foreach (string path in files)
            {
                ReadFile(path, options.Model, local, failures, ioErrors, crashes);
            }

            total.Add(local);
        }
        else
        {
            var lockObject = new object();
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = options.Threads },
                () => new Counters(),
                (path, _, local) =>
                {
                    ReadFile(path, options.Model, local, failures, ioErrors, crashes);
                    return local;
                },
                local =>
                {
                    lock (lockObject)
                    {
                        total.Add(local);
                    }
                });
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
        process.Refresh();
        return new PassResult(total.Modules, total.Bytes, total.Relocations, total.Sections, total.Symbols, seconds, allocated,
            (process.UserProcessorTime - user0).TotalSeconds, (process.PrivilegedProcessorTime - sys0).TotalSeconds,
            GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2,
            (GC.GetTotalPauseDuration() - pause0).TotalSeconds,
            Sorted(failures), Sorted(ioErrors), Sorted(crashes), total.Checksum);
    }

    /// <summary>Reads one file and adds what it held to <paramref name="counters"/>; a failing file adds nothing.</summary>
    private static void ReadFile(string path, ReadModel model, Counters counters,
        ConcurrentBag<(string, string)> failures, ConcurrentBag<(string, string)> ioErrors, ConcurrentBag<(string, string)> crashes)
    {
        try
        {
            var tally = new Counters();
            switch (model)
            {
                case ReadModel.IoOpen:
                {
                    using var source = ModuleSource.Open(path);
                    var span = source.Data.Span;
                    tally.Modules = 1;
                    tally.Bytes = span.Length;
                    tally.Checksum = span[0] + span[^1];
                    break;
                }

                case ReadModel.IoPread:
                {
                    byte[] buffer = ReadWhole(path, out int length);
                    tally.Modules = 1;
                    tally.Bytes = length;
                    tally.Checksum = buffer[0] + buffer[length - 1];
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                default:
                {
                    using var file = ModuleReader.Open(path);
                    foreach (var module in file.Modules)
                    {
                        TouchMetadata(module, tally, deferredTables: model != ReadModel.Info);
                        if (model == ReadModel.Full)
                        {
                            TouchLinkingModel(module, tally);
                        }
                    }

                    break;
                }
            }

            // Only files read without error count towards the throughput.
            counters.Add(tally);
        }
        catch (ModuleFormatException e)
        {
            failures.Add((path, e.Message));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ioErrors.Add((path, $"{e.GetType().Name}: {e.Message}"));
        }
        catch (Exception e)
        {
            crashes.Add((path, $"{e.GetType().FullName}: {e.Message} at {FirstFrame(e)}"));
        }
    }

    /// <summary>
    /// The module's metadata: Name, Metadata, Parameters and Signature, which the reader fills eagerly, and with
    /// <paramref name="deferredTables"/> also Exports and Imports, which it reads on first use.
    /// </summary>
    private static void TouchMetadata(KernelModule module, Counters tally, bool deferredTables)
    {
        tally.Modules++;
        tally.Bytes += module.FileSize;
        tally.Checksum += (module.Name?.Length ?? 0) + module.Metadata.Count + module.Parameters.Count + (module.Signature is null ? 0 : 1);
        if (deferredTables)
        {
            tally.Checksum += module.Exports.Count + module.Imports.Count;
        }
    }

    /// <summary>Forces the lazy Sections, Symbols and RelocationSections lists and walks every element.</summary>
    private static void TouchLinkingModel(KernelModule module, Counters tally)
    {
        // Sums in locals: a field of the tally object would be stored once per element, which is the harness's cost.
        long checksum = 0;
        foreach (var section in module.Sections)
        {
            checksum += section.Name.Length + section.Data.Length;
        }

        foreach (var symbol in module.Symbols)
        {
            checksum += symbol.Name.Length;
        }

        long relocations = 0;
        for (int i = 0; i < module.RelocationSections.Count; i++)
        {
            var table = module.RelocationSections[i].Relocations;
            foreach (var relocation in table)
            {
                checksum += relocation.SymbolIndex;
            }

            relocations += table.Count;
        }

        tally.Sections += module.Sections.Count;
        tally.Symbols += module.Symbols.Count;
        tally.Relocations += relocations;
        tally.Checksum += checksum;
    }

    /// <summary>The LkmKit.Formats informational version (with the commit SourceLink stamps on it).</summary>
    public static string LibraryVersion() =>
        typeof(ModuleReader).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            is [System.Reflection.AssemblyInformationalVersionAttribute attribute, ..] ? attribute.InformationalVersion : "?";

    /// <summary>The system load average from /proc/loadavg, or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return parts.Length >= 3 ? $"{parts[0]} {parts[1]} {parts[2]}" : "n/a";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    /// <summary>Reads a whole file with positional reads into a buffer rented from the shared pool.</summary>
    private static byte[] ReadWhole(string path, out int length)
    {
        using var handle = File.OpenHandle(path);
        long size = RandomAccess.GetLength(handle);
        if (size is 0 or > int.MaxValue)
        {
            throw new ModuleFormatException(path, 0, "file", $"size {size} is empty or too large");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)size);
        int done = 0;
        while (done < size)
        {
            int read = RandomAccess.Read(handle, buffer.AsSpan(done, (int)size - done), done);
            if (read == 0)
            {
                break;
            }

            done += read;
        }

        length = done;
        return buffer;
    }

    private static string FirstFrame(Exception e)
    {
        string? trace = e.StackTrace;
        if (trace is null)
        {
            return "?";
        }

        int end = trace.IndexOf('\n');
        return (end < 0 ? trace : trace[..end]).Trim();
    }

    private static List<(string Path, string Message)> Sorted(ConcurrentBag<(string, string)> bag)
    {
        var list = bag.ToList();
        list.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return list;
    }

    private static void Report(string what, IReadOnlyList<(string Path, string Message)> items, int show)
    {
        Console.WriteLine($"{what}: {items.Count}");
        foreach (var (path, message) in items.Take(show))
        {
            // ModuleFormatException messages already start with the path.
            Console.WriteLine(message.StartsWith(path, StringComparison.Ordinal) ? $"  {message}" : $"  {path}: {message}");
        }

        if (items.Count > show)
        {
            Console.WriteLine($"  ... and {items.Count - show} more");
        }
    }

    /// <summary>The median pass: median time (and CPU, allocation) over passes that read the same files.</summary>
    private static PassResult Median(List<PassResult> passes)
    {
        static double Mid(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            int n = sorted.Length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        var last = passes[^1];
        return last with
        {
            Seconds = Mid(passes.Select(p => p.Seconds)),
            AllocatedBytes = (long)Mid(passes.Select(p => (double)p.AllocatedBytes)),
            UserCpuSeconds = Mid(passes.Select(p => p.UserCpuSeconds)),
            SystemCpuSeconds = Mid(passes.Select(p => p.SystemCpuSeconds)),
            Gen0 = (int)Mid(passes.Select(p => (double)p.Gen0)),
            Gen1 = (int)Mid(passes.Select(p => (double)p.Gen1)),
            Gen2 = (int)Mid(passes.Select(p => (double)p.Gen2)),
            GcPauseSeconds = Mid(passes.Select(p => p.GcPauseSeconds)),
        };
    }

    private static string Header(ReadModel model) =>
        $"{"pass",-7}{"modules",8}{"MB",9}{"seconds",9}{"modules/s",11}{"MB/s",9}" +
        (model == ReadModel.Full ? $"{"relocs/s",12}" : "") +
        $"{"alloc/mod",11}{"user s",8}{"sys s",7}{"MB/cpu-s",10}{"gc0/1/2",10}{"gc ms",7}{"fail",6}";

    private static string Row(string label, PassResult p, ReadModel model)
    {
        var c = CultureInfo.InvariantCulture;
        string relocations = model == ReadModel.Full ? string.Create(c, $"{p.RelocationsPerSecond / 1e6,11:F2}M") : "";
        string gcs = string.Create(c, $"{p.Gen0}/{p.Gen1}/{p.Gen2}");
        return string.Create(c,
            $"{label,-7}{p.Modules,8}{p.Bytes / 1e6,9:F1}{p.Seconds,9:F3}{p.ModulesPerSecond,11:F0}{p.MegabytesPerSecond,9:F1}{relocations}" +
            $"{Kilobytes(p.AllocatedPerModule),11}{p.UserCpuSeconds,8:F2}{p.SystemCpuSeconds,7:F2}{p.MegabytesPerCpuSecond,10:F1}{gcs,10}{p.GcPauseSeconds * 1000,7:F1}{p.Failures.Count,6}");
    }

    private static string Kilobytes(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:F1} KB");

    private static string Json(ReadOptions options, int files, long diskBytes, PassResult best, PassResult median, PassResult last)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("tool", "LkmKit.Bench");
            w.WriteString("command", "read");
            w.WriteString("directory", Path.GetFullPath(options.Directory));
            w.WriteString("model", options.Model.ToString().ToLowerInvariant());
            w.WriteNumber("threads", options.Threads);
            w.WriteNumber("cores", Environment.ProcessorCount);
            w.WriteNumber("iterations", options.Iterations);
            w.WriteNumber("warmup", options.Warmup);
            w.WriteString("runtime", RuntimeInformation.FrameworkDescription);
            w.WriteString("library", LibraryVersion());
            w.WriteString("load_average_after", LoadAverage());
            w.WriteNumber("files", files);
            w.WriteNumber("disk_bytes", diskBytes);
            w.WriteNumber("modules", last.Modules);
            w.WriteNumber("module_bytes", last.Bytes);
            w.WriteNumber("relocations", last.Relocations);
            w.WriteNumber("failures", last.Failures.Count);
            w.WriteNumber("io_errors", last.IoErrors.Count);
            w.WriteNumber("unexpected_exceptions", last.Crashes.Count);
            WritePass(w, "best", best, options.Model);
            WritePass(w, "median", median, options.Model);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WritePass(Utf8JsonWriter w, string name, PassResult p, ReadModel model)
    {
        w.WriteStartObject(name);
        w.WriteNumber("seconds", Math.Round(p.Seconds, 6));
        w.WriteNumber("modules_per_s", Math.Round(p.ModulesPerSecond, 1));
        w.WriteNumber("mb_per_s", Math.Round(p.MegabytesPerSecond, 2));
        if (model == ReadModel.Full)
        {
            w.WriteNumber("relocations_per_s", Math.Round(p.RelocationsPerSecond, 0));
        }

        w.WriteNumber("alloc_bytes_per_module", Math.Round(p.AllocatedPerModule, 0));
        w.WriteNumber("user_cpu_s", Math.Round(p.UserCpuSeconds, 3));
        w.WriteNumber("sys_cpu_s", Math.Round(p.SystemCpuSeconds, 3));
        w.WriteNumber("mb_per_cpu_s", Math.Round(p.MegabytesPerCpuSecond, 2));
        w.WriteNumber("gc0", p.Gen0);
        w.WriteNumber("gc1", p.Gen1);
        w.WriteNumber("gc2", p.Gen2);
        w.WriteNumber("gc_pause_s", Math.Round(p.GcPauseSeconds, 4));
        w.WriteEndObject();
    }

    /// <summary>Per-thread tallies, merged at the end of a pass.</summary>
    private sealed class Counters
    {
        public long Modules;
        public long Bytes;
        public long Relocations;
        public long Sections;
        public long Symbols;
        public long Checksum;

        public void Add(Counters other)
        {
            Modules += other.Modules;
            Bytes += other.Bytes;
            Relocations += other.Relocations;
            Sections += other.Sections;
            Symbols += other.Symbols;
            Checksum += other.Checksum;
        }
    }
}
