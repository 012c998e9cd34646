using System.CommandLine;
using LkmKit.Formats;
using LkmKit.Linker.Indexing;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm depmod [-a|-A] [-b BASEDIR] [-n] [-e] [-F System.map | -E Module.symvers] [-C CONFIG] [-P C] [-w] [-v]
/// [KREL [FILE...]]</c>: writes the module indexes of <c>BASEDIR/lib/modules/KREL</c> byte for byte as kmod 30's depmod
/// does (from every module found, or from the FILEs given); <c>lkm depmod --dump FILE.bin</c> prints the keys and
/// values of a binary index.
/// </summary>
public static class DepmodCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Probe all modules (the default without FILEs; with FILEs, ignore them)." };
        var quick = new Option<bool>("--quick", "-A") { Description = "Do nothing when no module is newer than modules.dep (to the second)." };
        var baseDir = new Option<string?>("--basedir", "-b") { Description = "Root of the tree: modules are in BASEDIR/lib/modules/KREL." };
        var dryRun = new Option<bool>("--dry-run", "-n", "--show") { Description = "Print the text indexes on stdout instead of writing files." };
        var errors = new Option<bool>("--errsyms", "-e") { Description = "Report unknown symbols (needs -F or -E) and, with -E, symbol version disagreements." };
        var systemMap = new Option<string?>("--filesyms", "-F") { Description = "The kernel's System.map: its exported symbols are the kernel's." };
        var symvers = new Option<string?>("--symvers", "-E") { Description = "The kernel's Module.symvers: exported symbols with their CRCs (wins over -F)." };
        var config = new Option<string[]>("--config", "-C") { Description = "depmod.d file or directory to read instead of the default ones (repeatable).", AllowMultipleArgumentsPerToken = false };
        var prefix = new Option<string?>("--symbol-prefix", "-P") { Description = "A character the architecture puts before symbol names, ignored when matching (e.g. _)." };
        var warn = new Option<bool>("--warn", "-w") { Description = "Warn when an index gets the same key and value twice (duplicate aliases, ...)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print on stdout each dependency found: MODULE needs \"SYMBOL\": OWNER." };
        var dump = new Option<string?>("--dump") { Description = "Print the key/value lines of a kmod .bin index and exit." };
        Option<bool>[] deprecated =
        [
            new("--unresolved-error", "-u") { Hidden = true }, new("--quiet", "-q") { Hidden = true },
            new("--root", "-r") { Hidden = true }, new("--map", "-m") { Hidden = true },
        ];
        var arguments = new Argument<string[]>("KREL FILE") { Description = "Kernel release (default: the running kernel's), then module files to index instead of the whole tree (absolute paths).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("depmod", CommandHelp.Describe("Build modules.dep and the other module indexes (like kmod's depmod).", "lkm depmod -b /tmp/root -n 6.1.0-57-amd64"))
        {
            all, quick, baseDir, dryRun, errors, systemMap, symvers, config, prefix, warn, verbose, dump, arguments,
        };
        foreach (var option in deprecated)
        {
            command.Options.Add(option);
        }

        command.SetAction(result =>
        {
            if (result.GetValue(dump) is { } indexPath)
            {
                return Dump(indexPath, stdout, stderr);
            }

            foreach (var option in deprecated)
            {
                if (result.GetResult(option) is { Implicit: false } used)
                {
                    stderr.WriteLine($"lkm: WARNING: Ignored deprecated option {used.IdentifierToken?.Value ?? option.Name}");
                }
            }

            string? symbolPrefix = result.GetValue(prefix);
            if (symbolPrefix is { Length: > 1 })
            {
                stderr.WriteLine("lkm: FATAL: -P only takes a single char");
                return 1;
            }

            string[] positional = result.GetValue(arguments) ?? [];
            if (positional.Length > 0 && !IsVersionNumber(positional[0]))
            {
                stderr.WriteLine($"lkm: ERROR: Bad version passed {positional[0]}");
                return 1;
            }

            string? krel = positional.Length > 0 ? positional[0] : RunningRelease();
            if (krel is null)
            {
                stderr.WriteLine("lkm: ERROR: no kernel release given and the running one is unknown");
                return 1;
            }

            string[] files = positional.Length > 1 ? positional[1..] : [];
            bool searchAll = result.GetValue(all) || files.Length == 0;
            bool textOnly = result.GetValue(dryRun);
            string[] configs = result.GetValue(config) ?? [];
            string baseDirectory = result.GetValue(baseDir) ?? "/";
            if (result.GetValue(quick))
            {
                // kmod: -A with -n does nothing at all; a stale tree is searched whole, FILEs or not.
                if (textOnly || DepmodFreshness.IsUpToDate(new DepmodOptions { BaseDirectory = baseDirectory, KernelRelease = krel }.ModuleDirectory, message => stderr.WriteLine("lkm: " + message)))
                {
                    return 0;
                }

                searchAll = true;
            }

            var options = new DepmodOptions
            {
                BaseDirectory = baseDirectory,
                Modules = searchAll ? null : files,
                KernelRelease = krel,
                ConfigPaths = configs.Length > 0 ? configs : null,
                SystemMap = result.GetValue(systemMap),
                ModuleSymvers = result.GetValue(symvers),
                ReportSymbolErrors = result.GetValue(errors),
                TextOnly = textOnly,
                SymbolPrefix = symbolPrefix is { Length: 1 } ? symbolPrefix[0] : '\0',
                WarnDuplicates = result.GetValue(warn),
                ShowDependency = result.GetValue(verbose) ? line => { stdout.WriteLine(line); stdout.Flush(); } : null,
            };
            return Run(options, stdout, stderr);
        });
        return command;
    }

    /// <summary>kmod's test for a kernel release argument: <c>sscanf(arg, "%u.%u")</c> reads two numbers.</summary>
    internal static bool IsVersionNumber(string text)
    {
        var rest = text.AsSpan();
        return Number(ref rest) && rest.StartsWith('.') && Number(ref rest, skip: 1);

        static bool Number(ref ReadOnlySpan<char> s, int skip = 0)
        {
            s = s[skip..].TrimStart(" \t\n\v\f\r");
            if (s.StartsWith('+') || s.StartsWith('-'))
            {
                s = s[1..];
            }

            int digits = 0;
            while (digits < s.Length && char.IsAsciiDigit(s[digits]))
            {
                digits++;
            }

            s = s[digits..];
            return digits > 0;
        }
    }

    private static int Run(DepmodOptions options, TextWriter stdout, TextWriter stderr)
    {
        IReadOnlyList<DepmodFile> files;
        // Nearly everything depmod allocates (~100 MB for a distribution tree) lives until the files are written, so
        // collections would only copy it from generation to generation: run without them when the GC can promise it.
        bool noGc = TryStartNoGcRegion();
        try
        {
            files = Depmod.Build(options, message => stderr.WriteLine("lkm: " + message));
        }
        catch (DepmodFatalException e)
        {
            stderr.WriteLine("lkm: FATAL: " + e.Message);
            return 1;
        }
        catch (DirectoryNotFoundException e)
        {
            stderr.WriteLine("lkm: ERROR: " + e.Message);
            stderr.WriteLine("lkm: FATAL: could not search modules: No such file or directory");
            return 1;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            stderr.WriteLine("lkm: ERROR: " + e.Message);
            return 1;
        }
        finally
        {
            if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }

        if (options.TextOnly)
        {
            foreach (var file in files)
            {
                stdout.Write(System.Text.Encoding.Latin1.GetString(file.Contents));
            }

            stdout.Flush();
            return 0;
        }

        try
        {
            Depmod.Write(files, options.ModuleDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine("lkm: ERROR: could not write index: " + e.Message);
            return 1;
        }

        return 0;
    }

    private static bool TryStartNoGcRegion()
    {
        try
        {
            return GC.TryStartNoGCRegion(NoGcBudget);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Allocation allowed before the region ends and collections resume (a larger tree simply collects again).</summary>
    private const long NoGcBudget = 240L << 20;

    private static int Dump(string path, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            foreach (var (key, value) in KmodIndex.Open(path).Entries())
            {
                stdout.Write(key);
                stdout.Write(' ');
                stdout.Write(value.Value);
                stdout.Write('\n');
            }
        }
        catch (ModuleFormatException e)
        {
            stderr.WriteLine("lkm: " + e.Message);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"lkm: {path}: {e.Message}");
            return 1;
        }

        stdout.Flush();
        return 0;
    }

    private static string? RunningRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
