using LkmKit.Cli;

namespace LkmKit.Cli.Tests;

/// <summary>Runs the <c>lkm</c> command tree in-process and captures its output.</summary>
public static class CliRunner
{
    /// <summary>Runs <paramref name="args"/>; returns exit code, stdout and stderr with the repo root made portable.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = LkmApp.Run(args, stdout, stderr);
        return (code, RepoPaths.Portable(stdout.ToString()), RepoPaths.Portable(stderr.ToString()));
    }
}
