using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.IO;

namespace LkmKit.Bench;

/// <summary>The <c>micro</c> command: BenchmarkDotNet over one module file, run in-process.</summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || !File.Exists(args[0]))
        {
            throw new UsageException(args.Length == 0 ? "micro needs a module file" : $"'{args[0]}' is not a file");
        }

        ModuleBenchmarks.FilePath = Path.GetFullPath(args[0]);

        // Benchmarks run in this process (the file path is a static), so `--job` is mapped onto an in-process job
        // here instead of being handed to BenchmarkDotNet, which would start out-of-process runs.
        var job = Job.ShortRun;
        var rest = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] is "--job" or "-j" && i + 1 < args.Length)
            {
                job = args[++i].ToLowerInvariant() switch
                {
                    "dry" => Job.Dry,
                    "short" => Job.ShortRun,
                    "medium" => Job.MediumRun,
                    "long" => Job.LongRun,
                    "default" => Job.Default,
                    var other => throw new UsageException($"micro --job must be dry, short, medium, long or default, not '{other}'"),
                };
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        if (!rest.Contains("--filter"))
        {
            rest.AddRange(["--filter", "*"]);
        }

        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job.WithToolchain(InProcessEmitToolchain.Instance).WithId("InProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var summaries = BenchmarkSwitcher.FromTypes([typeof(ModuleBenchmarks)]).Run([.. rest], config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}

/// <summary>Reading one module file: the whole of ModuleReader.Open, and its I/O and parsing parts alone.</summary>
[MemoryDiagnoser]
public class ModuleBenchmarks
{
    /// <summary>The file to read; set by the <c>micro</c> command before BenchmarkDotNet runs (in-process).</summary>
    public static string FilePath { get; set; } = "";

    private byte[] _bytes = [];

    /// <summary>Loads the file once for the in-memory benchmarks.</summary>
    [GlobalSetup]
    public void Setup() => _bytes = File.ReadAllBytes(FilePath);

    /// <summary>Open, read (or map) and close the file, without parsing: the I/O floor.</summary>
    [Benchmark]
    public int OpenOnly()
    {
        using var source = ModuleSource.Open(FilePath);
        return source.Data.Length;
    }

    /// <summary>ModuleReader.Open with only what the reader fills eagerly (deferred Exports/Imports unread).</summary>
    [Benchmark]
    public int Info()
    {
        using var file = ModuleReader.Open(FilePath);
        var m = file.Modules[0];
        return m.Metadata.Count + m.Parameters.Count + (m.Signature is null ? 0 : 1);
    }

    /// <summary>ModuleReader.Open with Name, Metadata, Exports, Imports, Parameters and Signature.</summary>
    [Benchmark(Baseline = true)]
    public int Metadata()
    {
        using var file = ModuleReader.Open(FilePath);
        var m = file.Modules[0];
        return m.Metadata.Count + m.Exports.Count + m.Imports.Count + m.Parameters.Count + (m.Signature is null ? 0 : 1);
    }

    /// <summary>Metadata plus every section, symbol and relocation.</summary>
    [Benchmark]
    public long Full()
    {
        using var file = ModuleReader.Open(FilePath);
        var m = file.Modules[0];
        long n = m.Metadata.Count + m.Sections.Count + m.Symbols.Count;
        foreach (var table in m.RelocationSections)
        {
            n += table.Relocations.Count;
        }

        return n;
    }

    /// <summary>Parsing from memory already read: metadata model without file-system costs.</summary>
    [Benchmark]
    public int MetadataFromMemory()
    {
        using var source = ModuleSource.FromMemory(FilePath, _bytes);
        return ModuleReader.Read(source)[0].Imports.Count;
    }

    /// <summary>ELF header and section table parse only.</summary>
    [Benchmark]
    public int ElfParseFromMemory() => ElfFile.Parse(_bytes, FilePath).Sections.Length;
}
