namespace LkmKit.Cli.Tests;

/// <summary><c>lkm convert</c>: writes the module, which <c>lkm info</c> reads back; refusals name the file and the reason.</summary>
public class ConvertCommandTests
{
    [Theory]
    [InlineData("cvsys.o", "netbsd", "9.3", ".kmod", new[] { "flavor:         netbsd", "name:           cvsys", "class:          misc", "built_for:      NetBSD 9.3 (903000000)" })]
    [InlineData("fbsys.o", "freebsd", "14.1", ".ko", new[] { "flavor:         freebsd", "name:           fbsys", "entry:          modcmd fbsys_modevent", "kernel:         1401000..1499999", "kld:            shared object (ET_DYN)" })]
    public void ConvertsAndInfoReadsItBack(string input, string target, string release, string suffix, string[] expectedLines)
    {
        string output = Path.Combine(Path.GetTempPath(), $"lkmkit-cli-convert-{Environment.ProcessId}{suffix}");
        try
        {
            var (code, _, error) = CliRunner.Run("convert", RepoPaths.TestData("lkm", input), "--to", target, "--release", release, "-o", output);
            Assert.True(code == 0, error);
            var (infoCode, info, _) = CliRunner.Run("info", output);
            Assert.Equal(0, infoCode);
            foreach (string line in expectedLines)
            {
                Assert.Contains(line, info);
            }
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
