using Xunit.Abstractions;

namespace LkmKit.Fuzz;

/// <summary>The short deterministic fuzz pass and every input the fuzzer ever caught, as regression tests.</summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<Seed>> Seeds = new(() => Corpus.Load(RepoPaths.TestData()));

    /// <summary>Where caught inputs are kept: <c>SEED~PATH@HASH.bin</c>, the seed's path with '/' as '~'.</summary>
    public static string RegressionDirectory => RepoPaths.TestData("fuzz");

    [Fact]
    public void Corpus_covers_every_container_and_the_bundles()
    {
        var names = Seeds.Value.Select(s => s.Name).ToList();
        Assert.Contains(names, n => n.EndsWith(".ko.xz", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith(".ko.zst", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith(".ko.gz", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith(".sys", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith(".kmod", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith("lkm/", StringComparison.Ordinal) && n.EndsWith(".o", StringComparison.Ordinal) && !n.EndsWith(".elf.o", StringComparison.Ordinal));
        Assert.Contains(Seeds.Value, s => s.OnDisk && s.Name.EndsWith("Info.plist", StringComparison.Ordinal));
        Assert.Contains(Seeds.Value, s => s.OnDisk && s.Name.EndsWith(".prop", StringComparison.Ordinal));
    }

    [Fact]
    public void Short_pass_finds_no_undocumented_exception_and_no_runaway_allocation()
    {
        var report = new FuzzRunner(Seeds.Value, new FuzzOptions { Inputs = 3000 }).Run();
        output.WriteLine(report.Summarise(new FuzzOptions().Seed, Seeds.Value.Count));
        Assert.True(report.Read > 0 && report.Refused > 0, "the pass read some inputs and refused others");
        Assert.Empty(report.Findings.Values.Where(f => f.Kind != "slow").Select(f => $"{f.Signature} (#{f.Input} from {f.SeedName})"));
    }

    public static TheoryData<string> Regressions()
    {
        var data = new TheoryData<string>();
        if (Directory.Exists(RegressionDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(RegressionDirectory, "*.bin").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Regressions))]
    public void Caught_input_is_read_or_refused(string name)
    {
        string seedName = name[..name.IndexOf('@', StringComparison.Ordinal)].Replace('~', '/');
        var seed = Seeds.Value.FirstOrDefault(s => s.Name == seedName) ?? new Seed(seedName, []);
        var bytes = File.ReadAllBytes(Path.Combine(RegressionDirectory, name));
        using var runner = new InputRunner();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = runner.Run(seed, bytes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var limits = new FuzzOptions();
        output.WriteLine($"{outcome}, {allocated} bytes allocated");
        Assert.True(allocated <= limits.Budget(Math.Max(bytes.Length, runner.DecompressedSize), runner.LinkedSize),
            $"{allocated} bytes allocated");
    }
}
