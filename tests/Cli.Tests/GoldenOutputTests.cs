namespace LkmKit.Cli.Tests;

/// <summary>The text and JSON views of every Linux fixture, compared with checked golden files.</summary>
public class GoldenOutputTests
{
    public static TheoryData<string, string> Fixtures => new()
    {
        { "x86_64", "lkmdemo_core.ko" }, { "x86_64", "lkmdemo_user.ko" }, { "x86_64", "lkmdemo_min.ko" },
        { "x86_64", "lkmdemo_core.signed.ko" }, { "x86_64", "lkmdemo_core.signed.ko.xz" },
        { "aarch64", "lkmdemo_core.ko" }, { "aarch64", "lkmdemo_user.ko" },
        { "i386", "lkmdemo_core.ko" }, { "i386", "lkmdemo_user.ko" },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void InfoText(string arch, string file)
    {
        var (code, output, error) = CliRunner.Run("info", RepoPaths.Linux(arch, file));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Golden.Check($"linux/{arch}/{file}.info.txt", output);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void InfoJson(string arch, string file)
    {
        var (code, output, _) = CliRunner.Run("info", "--json", RepoPaths.Linux(arch, file));
        Assert.Equal(0, code);
        Golden.Check($"linux/{arch}/{file}.info.jsonl", output);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DumpText(string arch, string file)
    {
        var (code, output, _) = CliRunner.Run("dump", RepoPaths.Linux(arch, file));
        Assert.Equal(0, code);
        Golden.Check($"linux/{arch}/{file}.dump.txt", output);
    }
}
