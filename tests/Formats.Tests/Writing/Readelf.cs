namespace LkmKit.Formats.Tests.Writing;

/// <summary>Runs <c>readelf -a -W</c> and keeps its warnings, which it prints on standard error.</summary>
internal static class Readelf
{
    public static (int ExitCode, string Output, string Errors) All(string path) => ExternalTool.RunWithErrors("readelf", "-a", "-W", path);

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
