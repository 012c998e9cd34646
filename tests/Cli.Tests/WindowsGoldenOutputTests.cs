namespace LkmKit.Cli.Tests;

/// <summary>The text, JSON and dump views of every Windows PE fixture, compared with checked golden files.</summary>
public class WindowsGoldenOutputTests
{
    public static TheoryData<string, string> Fixtures => new()
    {
        { "x86_64", "lkmkit.sys" }, { "x86_64", "lkmkit-signed.sys" }, { "x86_64", "plain.dll" }, { "i386", "lkmkit.sys" },
    };

    private static string Fixture(string arch, string file) => RepoPaths.TestData("windows", arch, file);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void InfoText(string arch, string file)
    {
        var (code, output, error) = CliRunner.Run("info", Fixture(arch, file));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Golden.Check($"windows/{arch}/{file}.info.txt", output);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void InfoJson(string arch, string file)
    {
        var (code, output, _) = CliRunner.Run("info", "--json", Fixture(arch, file));
        Assert.Equal(0, code);
        Golden.Check($"windows/{arch}/{file}.info.jsonl", output);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DumpText(string arch, string file)
    {
        var (code, output, _) = CliRunner.Run("dump", Fixture(arch, file));
        Assert.Equal(0, code);
        Golden.Check($"windows/{arch}/{file}.dump.txt", output);
    }

    [Fact]
    public void InfoFieldOfADriver()
    {
        var (code, output, _) = CliRunner.Run("info", "-F", "FileDescription", Fixture("x86_64", "lkmkit.sys"));
        Assert.Equal(0, code);
        Assert.Equal("LkmKit test driver\n", output);
    }
}
