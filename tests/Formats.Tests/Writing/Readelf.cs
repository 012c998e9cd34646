using System.Diagnostics;

namespace LkmKit.Formats.Tests.Writing;

/// <summary>Runs <c>readelf -a -W</c> and keeps its warnings, which it prints on standard error.</summary>
internal static class Readelf
{
    public static (int ExitCode, string Output, string Errors) All(string path)
    {
        var info = new ProcessStartInfo("readelf") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-a", "-W", path })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errors.Result);
    }

    /// <summary>Asserts that readelf read <paramref name="path"/> without a warning or an error.</summary>
    public static string AssertClean(string path)
    {
        var (code, output, errors) = All(path);
        Assert.True(code == 0, $"readelf exit code {code}: {errors}");
        Assert.Equal("", errors.Trim());
        Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);
        return output;
    }
}
