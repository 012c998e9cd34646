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
    public void ConvertsToFreeBsdAndInfoReadsItBack()
    {
        string output = Path.Combine(Path.GetTempPath(), $"lkmkit-cli-convert-{Environment.ProcessId}.ko");
        try
        {
            var (code, _, error) = CliRunner.Run("convert", RepoPaths.TestData("lkm", "fbsys.o"), "--to", "freebsd", "--release", "14.1", "-o", output);
            Assert.True(code == 0, error);
            var (infoCode, info, _) = CliRunner.Run("info", output);
            Assert.Equal(0, infoCode);
            Assert.Contains("flavor:         freebsd", info);
            Assert.Contains("name:           fbsys", info);
            Assert.Contains("entry:          modcmd fbsys_modevent", info);
            Assert.Contains("kernel:         1401000..1499999", info);
            Assert.Contains("kld:            shared object (ET_DYN)", info);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void AFreeBsdReleaseOtherThan14IsRefused()
    {
        string output = Path.Combine(Path.GetTempPath(), $"lkmkit-cli-refused-{Environment.ProcessId}.ko");
        var (code, _, error) = CliRunner.Run("convert", RepoPaths.TestData("lkm", "fbmisc.o"), "--to", "freebsd", "--release", "13.2", "-o", output);
        Assert.Equal(1, code);
        Assert.Contains("fbmisc.o: cannot convert: FreeBSD 13.2: only 14.x is supported", error);
        Assert.False(File.Exists(output));
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
