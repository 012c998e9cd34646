using System.CommandLine;
using LkmKit.Formats;
using LkmKit.Linker.Indexing;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm depmod [-a] [-b BASEDIR] [-n] [-e] [-F System.map | -E Module.symvers] [-C CONFIG] [KREL]</c>: writes the
/// module indexes of <c>BASEDIR/lib/modules/KREL</c> byte for byte as kmod 30's depmod does;
/// <c>lkm depmod --dump FILE.bin</c> prints the keys and values of a binary index.
/// </summary>
public static class DepmodCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Probe all modules (the default; kept for depmod compatibility)." };
        var baseDir = new Option<string?>("--basedir", "-b") { Description = "Root of the tree: modules are in BASEDIR/lib/modules/KREL." };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Print the text indexes on stdout instead of writing files." };
        var errors = new Option<bool>("--errsyms", "-e") { Description = "Report unknown symbols (needs -F or -E) and, with -E, symbol version disagreements." };
        var systemMap = new Option<string?>("--filesyms", "-F") { Description = "The kernel's System.map: its exported symbols are the kernel's." };
        var symvers = new Option<string?>("--symvers", "-E") { Description = "The kernel's Module.symvers: exported symbols with their CRCs (wins over -F)." };
        var config = new Option<string[]>("--config", "-C") { Description = "depmod.d file or directory to read instead of the default ones (repeatable).", AllowMultipleArgumentsPerToken = false };
        var dump = new Option<string?>("--dump") { Description = "Print the key/value lines of a kmod .bin index and exit." };
        var release = new Argument<string?>("KREL") { Description = "Kernel release (default: the running kernel's).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("depmod", CommandHelp.Describe("Build modules.dep and the other module indexes (like kmod's depmod).", "lkm depmod -b /tmp/root -n 6.1.0-57-amd64"))
        {
            all, baseDir, dryRun, errors, systemMap, symvers, config, dump, release,
        };
        command.SetAction(result =>
        {
            if (result.GetValue(dump) is { } indexPath)
            {
                return Dump(indexPath, stdout, stderr);
            }

            string? krel = result.GetValue(release) ?? RunningRelease();
            if (krel is null)
            {
                stderr.WriteLine("lkm: ERROR: no kernel release given and the running one is unknown");
                return 1;
            }

            string[] configs = result.GetValue(config) ?? [];
            var options = new DepmodOptions
            {
                BaseDirectory = result.GetValue(baseDir) ?? "/",
                KernelRelease = krel,
                ConfigPaths = configs.Length > 0 ? configs : null,
                SystemMap = result.GetValue(systemMap),
                ModuleSymvers = result.GetValue(symvers),
                ReportSymbolErrors = result.GetValue(errors),
                TextOnly = result.GetValue(dryRun),
            };
            return Run(options, stdout, stderr);
        });
        return command;
    }

    private static int Run(DepmodOptions options, TextWriter stdout, TextWriter stderr)
    {
        IReadOnlyList<DepmodFile> files;
        try
        {
            files = Depmod.Build(options, message => stderr.WriteLine("lkm: " + message));
        }
        catch (Exception e) when (e is DirectoryNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            stderr.WriteLine("lkm: ERROR: " + e.Message);
            return 1;
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
