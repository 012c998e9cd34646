using LkmKit.Cli;

namespace LkmKit.Linker.Tests;

/// <summary><c>lkm link</c> on a Mach-O kext object from the command line.</summary>
public class MachOLinkCommandTests
{
    [Fact]
    public void LinksAKextObject()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = LkmApp.Run(["link", RepoPaths.TestData("kext", "objects", "demokext.x86_64.o"),
                "--symbols", RepoPaths.TestData("linker", "macho", "kernel-x86_64.syms"), "-o", Path.Combine(dir, "out.elf"), "--map", Path.Combine(dir, "out.map")], stdout, stderr);
            Assert.Equal("", stderr.ToString());
            Assert.Equal(0, code);
            string map = File.ReadAllText(Path.Combine(dir, "out.map"));
            Assert.Contains("# module com.example.lkmkit.demo (11 relocations)", map);
            Assert.Contains("__TEXT,__text 0xffffff7fc0001000 0x46", map);
            Assert.Contains("0xffffff8000212340 _IOLog [kernel]", map);
            Assert.True(new FileInfo(Path.Combine(dir, "out.elf")).Length > 0);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void KextLayoutCanBeNamed()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var stderr = new StringWriter();
            int code = LkmApp.Run(["link", RepoPaths.TestData("linker", "macho", "arm64relocs.o"), "--layout", "kext", "--base", "0xffff800000000000",
                "--symbols", RepoPaths.TestData("linker", "macho", "kernel-arm64.syms"), "-o", Path.Combine(dir, "out.elf"), "--map", Path.Combine(dir, "out.map")], new StringWriter(), stderr);
            Assert.Equal((0, ""), (code, stderr.ToString()));
            Assert.Contains("__TEXT,__text 0xffff800000001000 0x38", File.ReadAllText(Path.Combine(dir, "out.map")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
