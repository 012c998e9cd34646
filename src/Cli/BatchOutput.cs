using LkmKit.Cli.Output;
using LkmKit.Formats.Model;

namespace LkmKit.Cli;

/// <summary>Writes a batch's results in order: output to stdout, one error line per bad file to stderr.</summary>
public static class BatchOutput
{
    /// <summary>Renders every path; returns 0 when all files were read, 1 when any failed.</summary>
    public static int Write(IEnumerable<string> paths, Func<string, KernelModule, string> render, bool json, TextWriter stdout, TextWriter stderr,
        Formats.ModuleReadOptions? options = null)
    {
        int failures = 0;
        foreach (var item in BatchReader.Run(paths, render, options))
        {
            if (item.Error is null)
            {
                stdout.Write(item.Output);
                continue;
            }

            failures++;
            stdout.Flush();
            stderr.WriteLine($"lkm: {item.Error}");
            if (json)
            {
                stdout.Write(ModuleJson.RenderError(item.Path, item.Error));
            }
        }

        return failures == 0 ? 0 : 1;
    }
}
