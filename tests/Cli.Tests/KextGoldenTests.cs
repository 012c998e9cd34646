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
        var paths = ModulePaths.Expand([RepoPaths.TestData("kext")]).Select(RepoPaths.Portable).ToList();
        Assert.Equal(["<repo>/testdata/kext/Codeless.kext", "<repo>/testdata/kext/DemoKext.kext", "<repo>/testdata/kext/MissingExec.kext"], paths);
        Assert.Equal([RepoPaths.TestData("kext", "DemoKext.kext")], ModulePaths.Expand([RepoPaths.TestData("kext", "DemoKext.kext")]));
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
