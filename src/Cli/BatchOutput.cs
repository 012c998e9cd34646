using LkmKit.Cli.Output;
using LkmKit.Formats.Discovery;
using LkmKit.Formats.Model;

namespace LkmKit.Cli;

/// <summary>Writes a batch's results in order: output to stdout, one error line per bad file to stderr.</summary>
public static class BatchOutput
{
    /// <summary>
    /// Finds the modules under <paramref name="paths"/> (<see cref="ModuleDiscovery"/>) and renders each; returns 0 when all
    /// were read, 1 when any failed, a path given was refused, or no module was found at all.
    /// </summary>
    public static int Write(IReadOnlyList<string> paths, Func<string, KernelModule, string> render, bool json, TextWriter stdout, TextWriter stderr,
        Formats.ModuleReadOptions? options = null, ProgressReporter? progress = null)
    {
        int failures = 0, read = 0;
        var refused = new List<DiscoveredPath>();
        var modules = ModuleDiscovery.Expand(paths).Where(found =>
        {
            if (found.IsModule)
            {
                return true;
            }

            lock (refused)
            {
                refused.Add(found);
            }

            return false;
        }).Select(found => found.Path);
        foreach (var item in BatchReader.Run(modules, render, options))
        {
            ReportRefused(refused, stdout, stderr, json, ref failures);
            read++;
            progress?.Advance();
            if (item.Error is null)
            {
                stdout.Write(item.Output);
                continue;
            }

            failures++;
            WriteError(item.Path, item.Error, json, stdout, stderr);
        }

        ReportRefused(refused, stdout, stderr, json, ref failures);
        if (read == 0 && failures == 0)
        {
            stderr.WriteLine($"lkm: no module found in {string.Join(", ", paths)}");
            return 1;
        }

        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// Like <see cref="Write"/>, but one file after another with each module written straight to <paramref name="stdout"/>
    /// as it is rendered, so a view that grows with the file (<c>lkm dump</c>) never holds its whole text.
    /// </summary>
    public static int Stream(IReadOnlyList<string> paths, Action<TextWriter, string, KernelModule> write, bool json, TextWriter stdout, TextWriter stderr)
    {
        int failures = 0, read = 0;
        var refused = new List<DiscoveredPath>();
        foreach (var found in ModuleDiscovery.Expand(paths))
        {
            if (!found.IsModule)
            {
                refused.Add(found);
                ReportRefused(refused, stdout, stderr, json, ref failures);
                continue;
            }

            read++;
            if (BatchReader.WriteOne(found.Path, write, stdout) is { } error)
            {
                failures++;
                WriteError(found.Path, error, json, stdout, stderr);
            }
        }

        if (read == 0 && failures == 0)
        {
            stderr.WriteLine($"lkm: no module found in {string.Join(", ", paths)}");
            return 1;
        }

        return failures == 0 ? 0 : 1;
    }

    /// <summary>Reports refused entries: a path the user named fails the batch; one found in a directory is only noted.</summary>
    private static void ReportRefused(List<DiscoveredPath> refused, TextWriter stdout, TextWriter stderr, bool json, ref int failures)
    {
        DiscoveredPath[] pending;
        lock (refused)
        {
            pending = [.. refused];
            refused.Clear();
        }

        foreach (var entry in pending)
        {
            if (entry.Given)
            {
                failures++;
                WriteError(entry.Path, $"{entry.Path}: {entry.Refusal}", json, stdout, stderr);
            }
            else
            {
                stdout.Flush();
                stderr.WriteLine($"lkm: {entry.Path}: skipped: {entry.Refusal}");
            }
        }
    }

    private static void WriteError(string path, string error, bool json, TextWriter stdout, TextWriter stderr)
    {
        stdout.Flush();
        stderr.WriteLine($"lkm: {error}");
        if (json)
        {
            stdout.Write(ModuleJson.RenderError(path, error));
        }
    }
}
