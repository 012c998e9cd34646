namespace LkmKit.Cli.Tests;

/// <summary><c>lkm convert --to linux</c>: the golden module, the licence note, and the --like rules.</summary>
public class LinuxConvertCommandTests
{
    private static readonly string UserReference = RepoPaths.TestData("linux", "i386", "lkmdemo_user.ko");
    private static readonly string MinReference = RepoPaths.TestData("linux", "i386", "lkmdemo_min.ko");

    [Fact]
    public void WritesTheGoldenModuleWhichInfoReadsBackAsLinux()
    {
        string output = Path.Combine(Path.GetTempPath(), $"lkmkit-cli-convert-linux-{Environment.ProcessId}.ko");
        try
        {
            var (code, _, error) = CliRunner.Run("convert", RepoPaths.TestData("lkm", "cvmisc.o"), "--to", "linux", "--like", UserReference, "--like", MinReference, "-o", output);
            Assert.True(code == 0, error);
            Assert.Contains("cvmisc.o: note: license=Proprietary (no --license given): loading taints the kernel (P)", error);
            Assert.DoesNotContain("warning", error);
            Assert.Equal(File.ReadAllBytes(RepoPaths.TestData("golden", "convert", "cvmisc.linux.ko")), File.ReadAllBytes(output));
            var (infoCode, info, _) = CliRunner.Run("info", "--json", output);
            Assert.Equal(0, infoCode);
            Assert.Contains("\"flavor\":\"linux\"", info);
            Assert.Contains("\"name\":\"cvmisc\"", info);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void WithoutLikeTheLinuxTargetIsRefusedWithTheReason()
    {
        var (code, _, error) = CliRunner.Run("convert", RepoPaths.TestData("lkm", "cvmisc.o"), "--to", "linux", "-o", "x.ko");
        Assert.Equal(1, code);
        Assert.Contains("cvmisc.o: cannot convert: the Linux target needs --like", error);
    }

    [Fact]
    public void LikeForAnotherTargetIsAUsageError()
    {
        var (code, _, error) = CliRunner.Run("convert", RepoPaths.TestData("lkm", "cvmisc.o"), "--to", "netbsd", "--like", UserReference, "-o", "x.kmod");
        Assert.Equal(2, code);
        Assert.Contains("--like is used by the Linux target only", error);
    }
}
