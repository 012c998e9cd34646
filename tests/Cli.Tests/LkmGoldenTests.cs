namespace LkmKit.Cli.Tests;

/// <summary>The text and JSON views of the a.out LKM fixtures, compared with checked golden files.</summary>
public class LkmGoldenTests
{
    public static TheoryData<string> Fixtures => ["mysys.o", "mydev.o", "mymisc.o", "myexec.o", "mycdev4.o"];

    private static string Fixture(string file) => RepoPaths.TestData("lkm", file);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void InfoText(string file)
    {
        var (code, output, error) = CliRunner.Run("info", Fixture(file));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Golden.Check($"lkm/{file}.info.txt", output);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void InfoJson(string file)
    {
        var (code, output, _) = CliRunner.Run("info", "--json", Fixture(file));
        Assert.Equal(0, code);
        Golden.Check($"lkm/{file}.info.jsonl", output);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DumpText(string file)
    {
        var (code, output, _) = CliRunner.Run("dump", Fixture(file));
        Assert.Equal(0, code);
        Golden.Check($"lkm/{file}.dump.txt", output);
    }

    [Fact]
    public void InfoWithAnExplicitSystem()
    {
        var (code, output, error) = CliRunner.Run("info", "--os", "netbsd", Fixture("myexec.o"));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Golden.Check("lkm/myexec.o.os-netbsd.info.txt", output);
        Assert.Contains("lkmtype:        exec (LM_EXEC, lkm_type 4)\n", output);
    }

    [Fact]
    public void UnknownSystemIsRejected()
    {
        var (code, _, error) = CliRunner.Run("info", "--os", "minix", Fixture("myexec.o"));
        Assert.NotEqual(0, code);
        Assert.Contains("minix", error);
    }
}
