using System.Diagnostics;

namespace LkmKit.TestSupport;

/// <summary>Runs reference tools (modinfo, readelf) for oracle tests.</summary>
public static class ExternalTool
{
    /// <summary>
    /// True when <paramref name="tool"/> is on PATH. When it is not and the run is CI (<c>CI=true</c>, where
    /// <c>.ci/run</c> installs the tools), the test fails instead of passing without comparing.
    /// </summary>
    public static bool Available(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, tool)))
            {
                return true;
            }
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Xunit.Assert.Fail($"{tool} is required in CI for the oracle comparison but is not installed");
        }

        return false;
    }

    /// <summary>Runs <paramref name="tool"/> and returns its exit code and standard output.</summary>
    public static (int ExitCode, string Output) Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = stderr.Result;
        return (process.ExitCode, output);
    }
}
