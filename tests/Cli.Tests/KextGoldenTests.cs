using LkmKit.Formats.Discovery;
namespace LkmKit.Cli.Tests;

/// <summary><c>lkm info</c> (text and JSON) and <c>lkm dump</c> over the kext bundles and Mach-O fixtures, against checked golden files.</summary>
public class KextGoldenTests
{
    public static TheoryData<string> Bundles => new() { "DemoKext.kext", "Codeless.kext", "MissingExec.kext" };

    public static TheoryData<string> Images => new()
    {
        "objects/demokext.x86_64.o", "objects/demokext.arm64.o", "objects/demokext.i386.o", "objects/plugin.arm64e.o",
        "objects/demokext.arm64.bundle", "DemoKext.kext/Contents/MacOS/DemoKext",
    };

    private static string GoldenName(string file) => "kext/" + file.Replace('/', '_');

    [Theory]
    [MemberData(nameof(Bundles))]
    [MemberData(nameof(Images))]
    public void InfoText(string file)
    {
        var (code, output, error) = CliRunner.Run("info", RepoPaths.TestData("kext", file));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Golden.Check(GoldenName(file) + ".info.txt", output);
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    [MemberData(nameof(Images))]
    public void InfoJson(string file)
    {
        var (code, output, _) = CliRunner.Run("info", "--json", RepoPaths.TestData("kext", file));
        Assert.Equal(0, code);
        Golden.Check(GoldenName(file) + ".info.jsonl", output);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void DumpText(string file)
    {
        var (code, output, _) = CliRunner.Run("dump", RepoPaths.TestData("kext", file));
        Assert.Equal(0, code);
        Golden.Check(GoldenName(file) + ".dump.txt", output);
    }

    [Fact]
    public void DirectoryWalkTakesEachKextBundleAsOnePath()
    {
        // Content decides: the bundles are one path each, and the Mach-O objects beside them are taken whatever their names.
        var paths = ModuleDiscovery.Expand([RepoPaths.TestData("kext")]).Select(p => RepoPaths.Portable(p.Path)).ToList();
        Assert.Equal(["<repo>/testdata/kext/Codeless.kext", "<repo>/testdata/kext/DemoKext.kext", "<repo>/testdata/kext/MissingExec.kext"],
            paths.Where(p => p.EndsWith(".kext", StringComparison.Ordinal)));
        Assert.Contains("<repo>/testdata/kext/objects/demokext.x86_64.o", paths);
        Assert.DoesNotContain(paths, p => p.Contains("/src/", StringComparison.Ordinal) || p.EndsWith(".md", StringComparison.Ordinal));
        Assert.Equal([RepoPaths.TestData("kext", "DemoKext.kext")], ModuleDiscovery.Expand([RepoPaths.TestData("kext", "DemoKext.kext")]).Select(p => p.Path));
    }

    [Fact]
    public void InfoOnAKextBundleListsTheBundleAndItsPlugIns()
    {
        var (code, output, _) = CliRunner.Run("info", "-F", "bundle", RepoPaths.TestData("kext", "DemoKext.kext"));
        Assert.Equal(0, code);
        Assert.Equal(string.Join("", new[] { "DemoKext.kext", "DemoKext.kext", "DemoKext.kext", "DemoKext.kext/Contents/PlugIns/DemoInjector.kext",
            "DemoKext.kext/Contents/PlugIns/DemoPlugin.kext" }.Select(p => $"<repo>/testdata/kext/{p}\n")), output);
    }
}
