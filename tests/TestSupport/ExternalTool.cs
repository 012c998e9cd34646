using System.Diagnostics;

namespace LkmKit.TestSupport;

/// <summary>Runs reference tools (modinfo, readelf, ld.lld…) for oracle tests.</summary>
public static class ExternalTool
{
    /// <summary>True when <paramref name="tool"/> is an executable file on PATH.</summary>
    public static bool Exists(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, tool)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Skips the calling test, with the reason, when any of <paramref name="tools"/> is not on PATH. The test must be a
    /// <c>[SkippableFact]</c> or <c>[SkippableTheory]</c>; a skipped test shows in the counts, and <c>.ci/run</c>, which
    /// installs every tool, fails when any test was skipped.
    /// </summary>
    public static void Require(params string[] tools)
    {
        foreach (var tool in tools)
        {
            Skip.IfNot(Exists(tool), $"oracle tool {tool} is not installed");
        }
    }

    /// <summary>Runs <paramref name="tool"/> and returns its exit code and standard output.</summary>
    public static (int ExitCode, string Output) Run(string tool, params string[] args)
    {
        var (code, output, _) = RunWithErrors(tool, args);
        return (code, output);
    }

    /// <summary>Runs <paramref name="tool"/> and returns its exit code, standard output and standard error.</summary>
    public static (int ExitCode, string Output, string Errors) RunWithErrors(string tool, params string[] args) =>
        RunIn(null, null, tool, args);

    /// <summary>
    /// Runs <paramref name="tool"/> in <paramref name="workingDirectory"/> (null: this process's) with
    /// <paramref name="environment"/> added to this process's, and returns its exit code, standard output and standard error.
    /// </summary>
    public static (int ExitCode, string Output, string Errors) RunIn(string? workingDirectory,
        IReadOnlyDictionary<string, string>? environment, string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, stderr.Result);
    }
}
