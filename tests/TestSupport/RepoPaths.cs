namespace LkmKit.TestSupport;

/// <summary>Locates the repository and its test data from the test binaries' folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Formats.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Formats.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root.</summary>
    public static string Root => RootPath.Value;

    /// <summary>A path under <c>testdata/</c>.</summary>
    public static string TestData(params string[] parts) => Path.Combine([Root, "testdata", .. parts]);

    /// <summary>A Linux fixture: <c>testdata/linux/ARCH/FILE</c>.</summary>
    public static string Linux(string arch, string file) => TestData("linux", arch, file);

    /// <summary>Replaces the repository root in <paramref name="text"/> so outputs hold no machine-specific paths.</summary>
    public static string Portable(string text) => text.Replace(Root, "<repo>", StringComparison.Ordinal);
}
