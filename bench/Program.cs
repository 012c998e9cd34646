using LkmKit.Bench;

// LkmKit.Bench: throughput harness for the module readers.
//   read   DIR  [--iterations N] [--warmup W] [--threads T] [--model metadata|full|...] [--json] [--show-failures K]
//   phases DIR  [--iterations N] [--warmup W]         single-threaded time split over the reader's phases
//   micro  FILE [--job short|medium|long|...]          BenchmarkDotNet micro benchmark of one file
//   link   DIR --symbols FILE [--iterations N] [--warmup W]   links every module of a tree in one process
return Cli.Run(args);

namespace LkmKit.Bench
{
    internal static class Cli
    {
        public const string Usage = """
            usage:
              LkmKit.Bench read DIR [--iterations N] [--warmup W] [--threads T] [--model MODEL] [--json] [--show-failures K]
              LkmKit.Bench phases DIR [--iterations N] [--warmup W]
              LkmKit.Bench micro FILE [--job dry|short|medium|long|default] [other BenchmarkDotNet arguments]
              LkmKit.Bench link DIR --symbols FILE [--symbols FILE...] [--iterations N] [--warmup W] [--show-failures K] [--kallsyms OUT]

            read     reads every module file under DIR (*.ko, *.ko.gz, *.ko.xz, *.ko.zst, *.kmod, *.sys) N times after
                     W warm-up passes (defaults 5 and 1) and reports modules/s and MB/s (1 MB = 1e6 bytes of
                     decompressed module, i.e. KernelModule.FileSize).
                     --model metadata  (default) ModuleReader.Open + Name, Metadata, Exports, Imports, Parameters,
                                       Signature (forces the deferred Exports and Imports)
                     --model full      metadata + Sections, Symbols and every relocation (forces the lazy lists)
                     --model info      ModuleReader.Open + only what the reader fills eagerly (Name, Metadata,
                                       Parameters, Signature): Exports and Imports, which are deferred, stay unread
                     diagnostic floors (to split I/O from parsing):
                     --model io-open   ModuleSource.Open + Dispose only (open, read or map, decompress, close)
                     --model io-pread  one pread of the whole file into a pooled buffer, no parsing
                     --threads T       Parallel.ForEach with MaxDegreeOfParallelism T (default 1)
                     --json            also print one summary JSON line
            phases   splits single-threaded read time over the reader's public steps (open, ELF parse, eager read,
                     each deferred table, close; sections/symbols/relocations) with allocations per step.
                     Takes --iterations and --warmup.
            link     loads the --symbols files (System.map, kallsyms, Module.symvers, vmlinux), opens every module under
                     DIR and links each in dependency order (modinfo depends) against the kernel and the modules
                     linked before it, each at its own address; reports relocations/s end to end and in the link
                     phase alone (defaults: 3 iterations after 1 warm-up). --kallsyms OUT then links once more and
                     writes every linked module's exports at their addresses, as /proc/kallsyms lists them (a
                     symbol file for linking single modules that need other modules, e.g. scripts/link-oracle.sh).
            micro    BenchmarkDotNet, in-process (default job: short), for one file: open only, ModuleReader.Open
                     with the info, metadata and full models, and parsing from memory. Artifacts go to
                     ./BenchmarkDotNet.Artifacts.
            """;

        public static int Run(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }

            try
            {
                switch (args[0])
                {
                    case "read":
                        return DirectoryHarness.Run(ReadOptions.Parse(args.AsSpan(1)));
                    case "phases":
                        return PhaseProfiler.Run(ReadOptions.Parse(args.AsSpan(1)));
                    case "link":
                        return LinkHarness.Run(LinkOptionsParser.Parse(args.AsSpan(1)));
                    case "micro":
                        return MicroBenchmarks.Run(args.AsSpan(1).ToArray());
                    default:
                        Console.Error.WriteLine($"unknown command '{args[0]}'");
                        Console.Error.WriteLine(Usage);
                        return 2;
                }
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
    }

    internal sealed class UsageException(string message) : Exception(message);

    internal enum ReadModel
    {
        /// <summary>ModuleReader.Open plus Name, Metadata, Exports, Imports, Parameters and Signature.</summary>
        Metadata,
        /// <summary>ModuleReader.Open plus only what the reader fills eagerly: Name, Metadata, Parameters, Signature.</summary>
        Info,
        /// <summary>Metadata plus every section, symbol and relocation.</summary>
        Full,
        /// <summary>I/O floor: ModuleSource.Open (open, read or map, decompress) and Dispose, no parsing.</summary>
        IoOpen,
        /// <summary>I/O floor: one pread of the whole file into a pooled managed buffer, no parsing.</summary>
        IoPread,
    }

    internal sealed record ReadOptions(string Directory, int Iterations, int Warmup, int Threads, ReadModel Model, bool Json, int ShowFailures)
    {
        public static ReadOptions Parse(ReadOnlySpan<string> args)
        {
            string? dir = null;
            int iterations = 5, warmup = 1, threads = 1, show = 5;
            var model = ReadModel.Metadata;
            bool json = false;
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                switch (a)
                {
                    case "--iterations" or "-n":
                        iterations = BenchArgs.Count(args, ref i, a, allowZero: false);
                        break;
                    case "--warmup":
                        warmup = BenchArgs.Count(args, ref i, a, allowZero: true);
                        break;
                    case "--threads" or "-t":
                        threads = BenchArgs.Count(args, ref i, a, allowZero: false);
                        break;
                    case "--show-failures":
                        show = BenchArgs.Count(args, ref i, a, allowZero: true);
                        break;
                    case "--model" or "-m":
                        model = BenchArgs.Value(args, ref i, a) switch
                        {
                            "metadata" => ReadModel.Metadata,
                            "full" => ReadModel.Full,
                            "info" => ReadModel.Info,
                            "io-open" => ReadModel.IoOpen,
                            "io-pread" => ReadModel.IoPread,
                            var other => throw new UsageException($"--model must be metadata, info, full, io-open or io-pread, not '{other}'"),
                        };
                        break;
                    case "--json":
                        json = true;
                        break;
                    default:
                        if (a.StartsWith('-'))
                        {
                            throw new UsageException($"unknown option '{a}'");
                        }

                        if (dir is not null)
                        {
                            throw new UsageException($"more than one directory given ('{dir}', '{a}')");
                        }

                        dir = a;
                        break;
                }
            }

            if (dir is null)
            {
                throw new UsageException("no directory given");
            }

            if (!System.IO.Directory.Exists(dir))
            {
                throw new UsageException($"'{dir}' is not a directory");
            }

            return new ReadOptions(dir, iterations, warmup, threads, model, json, show);
        }
    }
}
