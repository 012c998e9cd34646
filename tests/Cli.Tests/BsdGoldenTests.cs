namespace LkmKit.Cli.Tests;

/// <summary>The text and JSON views of the FreeBSD and NetBSD fixtures and <c>lkm kldxref</c>, compared with checked golden files.</summary>
public class BsdGoldenTests
{
    public static TheoryData<string, string, string> Fixtures => new()
    {
        { "freebsd", "amd64", "fbsd_demo.ko" }, { "freebsd", "amd64", "fbsd_user.ko" },
        { "freebsd", "i386", "fbsd_demo.ko" }, { "freebsd", "i386", "fbsd_user.ko" }, { "freebsd", "i386", "kld/fbsd_demo.kld" },
        { "netbsd", "amd64", "nbsd_demo.kmod" }, { "netbsd", "amd64", "nbsd_base.kmod" }, { "netbsd", "amd64", "nbsd_empty_req.kmod" },
        { "netbsd", "i386", "nbsd_demo.kmod" }, { "netbsd", "i386", "nbsd_base.kmod" }, { "netbsd", "i386", "nbsd_empty_req.kmod" },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void InfoText(string flavor, string arch, string file)
    {
        var (code, output, error) = CliRunner.Run("info", RepoPaths.TestData(flavor, arch, file));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Golden.Check($"{flavor}/{arch}/{file}.info.txt", output);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void InfoJson(string flavor, string arch, string file)
    {
        var (code, output, _) = CliRunner.Run("info", "--json", RepoPaths.TestData(flavor, arch, file));
        Assert.Equal(0, code);
        Golden.Check($"{flavor}/{arch}/{file}.info.jsonl", output);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DumpText(string flavor, string arch, string file)
    {
        var (code, output, _) = CliRunner.Run("dump", RepoPaths.TestData(flavor, arch, file));
        Assert.Equal(0, code);
        Golden.Check($"{flavor}/{arch}/{file}.dump.txt", output);
    }

    [Theory]
    [InlineData("amd64")]
    [InlineData("i386")]
    public void KldxrefPrintsRecords(string arch)
    {
        var (code, output, error) = CliRunner.Run("kldxref", "-d", RepoPaths.TestData("freebsd", arch));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Golden.Check($"freebsd/{arch}/kldxref-d.txt", output);
    }

    [Theory]
    [InlineData("amd64")]
    [InlineData("i386")]
    public void KldxrefWritesLinkerHints(string arch)
    {
        string dir = Directory.CreateTempSubdirectory("lkm-kldxref-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(RepoPaths.TestData("freebsd", arch)))
            {
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            }

            File.WriteAllText(Path.Combine(dir, "README.txt"), "not a module: skipped by name");
            File.WriteAllBytes(Path.Combine(dir, "junk.ko"), [1, 2, 3]);
            var (code, _, error) = CliRunner.Run("kldxref", dir);
            Assert.Equal(0, code);
            Assert.Contains("junk.ko", error);
            Assert.DoesNotContain("README", error);
            byte[] hints = File.ReadAllBytes(Path.Combine(dir, "linker.hints"));
            Golden.Check($"freebsd/{arch}/linker.hints.hex", Convert.ToHexString(hints).ToLowerInvariant().Chunk(64).Select(c => new string(c) + "\n").Aggregate("", string.Concat));

            // Every subdirectory gets its own file, holding only its own modules.
            string sub = Directory.CreateDirectory(Path.Combine(dir, "sub")).FullName;
            File.Copy(RepoPaths.TestData("freebsd", arch, "fbsd_user.ko"), Path.Combine(sub, "fbsd_user.ko"));
            Assert.Equal(0, CliRunner.Run("kldxref", "-f", "hints.alt", dir).Code);
            Assert.Equal(hints, File.ReadAllBytes(Path.Combine(dir, "hints.alt")));
            var (_, subRecords) = Formats.Flavors.FreeBsd.LinkerHintsReader.Read(File.ReadAllBytes(Path.Combine(sub, "hints.alt")), "hints.alt");
            Assert.Equal(["demo_user fbsd_user.ko", "demo_user fbsd_user.ko"], subRecords.Select(r => $"{r.Name} {r.KldName}"));
            Directory.Delete(sub, true);

            // A directory without modules gets no hints file, and a stale one is removed.
            foreach (var file in Directory.GetFiles(dir, "*.ko"))
            {
                File.Delete(file);
            }

            Assert.Equal(0, CliRunner.Run("kldxref", dir).Code);
            Assert.False(File.Exists(Path.Combine(dir, "linker.hints")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
