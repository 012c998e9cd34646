namespace LkmKit.Cli.Tests;

/// <summary><c>lkm convert</c>: writes the module, which <c>lkm info</c> reads back; refusals name the file and the reason.</summary>
public class ConvertCommandTests
{
    [Fact]
    public void ConvertsToNetBsdAndInfoReadsItBack()
    {
        string output = Path.Combine(Path.GetTempPath(), $"lkmkit-cli-convert-{Environment.ProcessId}.kmod");
        try
        {
            var (code, _, error) = CliRunner.Run("convert", RepoPaths.TestData("lkm", "cvsys.o"), "--to", "netbsd", "--release", "9.3", "-o", output);
            Assert.True(code == 0, error);
            var (infoCode, info, _) = CliRunner.Run("info", output);
            Assert.Equal(0, infoCode);
            Assert.Contains("flavor:         netbsd", info);
            Assert.Contains("name:           cvsys", info);
            Assert.Contains("class:          misc", info);
            Assert.Contains("built_for:      NetBSD 9.3 (903000000)", info);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void RefusalNamesTheFileAndTheReason()
    {
        string output = Path.Combine(Path.GetTempPath(), $"lkmkit-cli-refused-{Environment.ProcessId}.kmod");
        var (code, _, error) = CliRunner.Run("convert", RepoPaths.TestData("lkm", "mydev.o"), "--to", "netbsd", "-o", output);
        Assert.Equal(1, code);
        Assert.Contains("mydev.o: cannot convert: a device LKM would be a module of class driver", error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void AnUnknownSourceSystemIsAUsageError()
    {
        var (code, _, error) = CliRunner.Run("convert", RepoPaths.TestData("lkm", "cvsys.o"), "--to", "netbsd", "--os", "plan9", "-o", "x");
        Assert.Equal(2, code);
        Assert.Contains("--os plan9", error);
    }
}
