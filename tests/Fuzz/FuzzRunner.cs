using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using LkmKit.Formats;

namespace LkmKit.Fuzz;

/// <summary>
/// The mutation loop: input <c>i</c> is a mutation of a seed, both chosen by a generator seeded from the run's seed
/// and <c>i</c> alone, so any input can be replayed on its own. One thread, one input at a time.
/// </summary>
internal sealed class FuzzRunner(IReadOnlyList<Seed> seeds, FuzzOptions options)
{
    /// <summary>The exception types a caller is told to expect; anything else is a finding.</summary>
    public static bool IsDocumented(Exception e) => e is ModuleFormatException or Linker.LinkException;

    /// <summary>Runs the inputs and returns the figures.</summary>
    public FuzzReport Run()
    {
        var report = new FuzzReport();
        var clock = Stopwatch.StartNew();
        using var runner = new InputRunner();
        foreach (var seed in seeds)
        {
            Time(runner, seed, seed.Bytes); // warm up every code path the fixtures reach
        }

        for (long i = options.First; i < options.First + options.Inputs; i++)
        {
            var (seed, bytes) = Generate(i);
            RunOne(runner, report, seed, bytes, i);
            runner.Restore(seed);
            if ((i + 1) % options.CheckpointEvery == 0)
            {
                Checkpoint(report, clock, i + 1);
            }
        }

        report.Elapsed = clock.Elapsed;
        report.PeakResidentBytes = PeakResident();
        return report;
    }

    /// <summary>
    /// A partial run is evidence too: the progress line on stderr, and the figures so far (with the range of inputs
    /// done) rewritten in the findings directory's <c>checkpoint.txt</c>, so a run stopped early can be resumed with
    /// <c>--first</c> and still be counted.
    /// </summary>
    private void Checkpoint(FuzzReport report, Stopwatch clock, long next)
    {
        report.Elapsed = clock.Elapsed;
        report.PeakResidentBytes = PeakResident();
        options.Progress?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{next - options.First} inputs, {report.FindingCount} findings, {clock.Elapsed.TotalSeconds:F0} s"));
        if (options.FindingsDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, "checkpoint.txt");
            File.WriteAllText(path + ".tmp", string.Create(CultureInfo.InvariantCulture,
                $"inputs #{options.First}..#{next - 1} done (resume with --first {next}) at {DateTime.UtcNow:u}\n")
                + report.Summarise(options.Seed, seeds.Count));
            File.Move(path + ".tmp", path, overwrite: true);
        }
    }

    /// <summary>Input <paramref name="index"/> of the run: its seed and bytes.</summary>
    public (Seed Seed, byte[] Bytes) Generate(long index)
    {
        var random = new Random(InputSeed(options.Seed, index));
        var seed = seeds[random.Next(seeds.Count)];
        return (seed, new Mutator(random).Mutate(seed.Bytes, seeds, mayCompress: !seed.OnDisk));
    }

    private static int InputSeed(ulong runSeed, long index)
    {
        // SplitMix64 of (seed, index): independent streams per input, the same on every machine.
        ulong z = runSeed + (ulong)index * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }

    private void RunOne(InputRunner runner, FuzzReport report, Seed seed, byte[] bytes, long index)
    {
        report.Inputs++;
        var (outcome, error, elapsed, allocated) = Time(runner, seed, bytes);
        if (elapsed > options.SlowInput)
        {
            // Time is the thread's CPU time (other processes' load does not count); a GC pause still may: only an
            // input slow twice in a row counts.
            var again = Time(runner, seed, bytes);
            elapsed = again.Elapsed < elapsed ? again.Elapsed : elapsed;
        }

        if (error is not null)
        {
            string type = error.GetType().Name;
            report.ExceptionsByType[type] = report.ExceptionsByType.GetValueOrDefault(type) + 1;
            Record(report, new Finding("exception", $"{type} in {ThrowingMethod(error)}", seed.Name, index, bytes, error.ToString()));
        }
        else if (outcome == Outcome.Refused)
        {
            report.Refused++;
            Count(report, nameof(ModuleFormatException));
        }
        else
        {
            report.Read++;
            report.Linked += outcome == Outcome.Read ? 1 : 0;
            report.LinkRefused += outcome == Outcome.LinkRefused ? 1 : 0;
            if (outcome == Outcome.LinkRefused)
            {
                Count(report, nameof(Linker.LinkException));
            }
        }

        if (elapsed.TotalMilliseconds > report.Slowest.Milliseconds)
        {
            report.Slowest = (elapsed.TotalMilliseconds, seed.Name, index);
        }

        if (elapsed > options.SlowInput)
        {
            Record(report, new Finding("slow", $"slow from {seed.Name}", seed.Name, index, bytes, $"{elapsed.TotalMilliseconds:F0} ms of CPU twice in a row"));
        }

        long size = Math.Max(bytes.Length, runner.DecompressedSize);
        double ratio = (double)allocated / size;
        if (ratio > report.MostAllocating.Ratio)
        {
            report.MostAllocating = (ratio, allocated, seed.Name, index);
        }

        if (allocated > options.Budget(size, runner.LinkedSize))
        {
            Record(report, new Finding("memory", $"memory from {seed.Name}", seed.Name, index, bytes,
                $"{allocated} bytes allocated for a {bytes.Length}-byte input ({runner.DecompressedSize} decompressed)"));
        }
    }

    private static void Count(FuzzReport report, string type) => report.ExceptionsByType[type] = report.ExceptionsByType.GetValueOrDefault(type) + 1;

    private static (Outcome Outcome, Exception? Error, TimeSpan Elapsed, long Allocated) Time(InputRunner runner, Seed seed, byte[] bytes)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = ThreadCpuTime.Now();
        Outcome outcome = Outcome.Read;
        Exception? error = null;
        try
        {
            outcome = runner.Run(seed, bytes);
        }
        catch (Exception e) when (!IsDocumented(e))
        {
            error = e;
        }

        return (outcome, error, ThreadCpuTime.Now() - start, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }

    private void Record(FuzzReport report, Finding finding)
    {
        report.FindingCount++;
        if (report.Findings.TryGetValue(finding.Signature, out var known) && known.Bytes.Length <= finding.Bytes.Length)
        {
            return;
        }

        report.Findings[finding.Signature] = finding;
        if (options.FindingsDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            string name = FileName(finding);
            File.WriteAllBytes(Path.Combine(dir, name + ".bin"), finding.Bytes);
            File.WriteAllText(Path.Combine(dir, name + ".txt"), $"{finding.Kind} #{finding.Input} from {finding.SeedName}\n{finding.Message}\n");
        }
    }

    /// <summary>The file name a finding is kept under: its seed (so a regression test knows how to open it) and a hash of its bytes.</summary>
    public static string FileName(Finding finding) =>
        finding.SeedName.Replace('/', '~') + "@" + Convert.ToHexString(SHA256.HashData(finding.Bytes).AsSpan(0, 6)).ToLowerInvariant();

    /// <summary>The innermost LkmKit method on the exception's stack: what tells two findings apart.</summary>
    private static string ThrowingMethod(Exception e)
    {
        foreach (var frame in new StackTrace(e, false).GetFrames())
        {
            if (frame.GetMethod() is { DeclaringType: { } type } method && type.FullName?.StartsWith("LkmKit.", StringComparison.Ordinal) == true
                && !type.FullName.StartsWith("LkmKit.Fuzz", StringComparison.Ordinal))
            {
                return $"{type.Name}.{method.Name}";
            }
        }

        return "?";
    }

    private static long PeakResident()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
