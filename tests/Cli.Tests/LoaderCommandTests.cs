using System.Text.Json;

namespace LkmKit.Cli.Tests;

/// <summary><c>lkm kernel new</c>, <c>load</c>, <c>unload</c>, <c>list</c>: state across processes, JSON lines, exit status.</summary>
public sealed class LoaderCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lkm-loader-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string State => Path.Combine(_dir, "k.json");

    private void NewLinuxKernel()
    {
        var (code, output, error) = CliRunner.Run("kernel", "new", "--os", "linux", "--release", "6.1.0-57-amd64",
            "--modules", RepoPaths.TestData("linux", "x86_64"), "--symbols", RepoPaths.TestData("linker", "symbols", "x86_64.System.map"), "-o", State);
        Assert.True(code == 0, error);
        Assert.Contains("model:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadListUnloadKeepStateAcrossCommands()
    {
        NewLinuxKernel();
        var (code, output, _) = CliRunner.Run("load", "--state", State, "--json", "lkmdemo_user");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["lkmdemo_core", "lkmdemo_user"], lines.Select(l => l.GetProperty("module").GetString()));
        Assert.All(lines, l => Assert.Equal("loaded", l.GetProperty("result").GetString()));
        Assert.All(lines, l => Assert.StartsWith("0xffffffffc", l.GetProperty("address").GetString(), StringComparison.Ordinal));

        (code, output, _) = CliRunner.Run("list", "--state", State);
        Assert.Equal(0, code);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Module                  Size  Used by", rows[0]);
        Assert.Matches(@"^lkmdemo_user\s+\d+  0$", rows[1]);
        Assert.Matches(@"^lkmdemo_core\s+\d+  1 lkmdemo_user$", rows[2]);

        (code, output, _) = CliRunner.Run("list", "--state", State, "--json");
        var core = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).First();
        Assert.Equal("lkmdemo_core", core.GetProperty("name").GetString());
        Assert.Equal(1, core.GetProperty("refs").GetInt32());
        Assert.Equal("lkmdemo_user", core.GetProperty("usedBy")[0].GetString());

        (code, output, _) = CliRunner.Run("unload", "--state", State, "--json", "lkmdemo_core");
        Assert.Equal(1, code); // refused: in use
        Assert.Equal("EWOULDBLOCK", JsonDocument.Parse(output).RootElement.GetProperty("errno").GetString());
    }

    [Fact]
    public void RefusedLoadExitsNonZeroAndDryRunWritesNothing()
    {
        NewLinuxKernel();
        byte[] before = File.ReadAllBytes(State);
        var (code, output, _) = CliRunner.Run("load", "--state", State, "--json", "no_such_module");
        Assert.Equal(1, code);
        var e = JsonDocument.Parse(output).RootElement;
        Assert.Equal("refused", e.GetProperty("result").GetString());
        Assert.Equal("ENOENT", e.GetProperty("errno").GetString());
        (code, _, _) = CliRunner.Run("load", "--state", State, "--dry-run", "lkmdemo_min");
        Assert.Equal(0, code);
        Assert.Equal(before, File.ReadAllBytes(State));
    }
}
