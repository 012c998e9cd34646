using LkmKit.Cli;
using LkmKit.Cli.Commands;

namespace LkmKit.Linker.Tests;

/// <summary><c>lkm link</c> from the command line: outputs, unresolved symbols, options.</summary>
public class LinkCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = LkmApp.Run(args, stdout, stderr);
        return (code, RepoPaths.Portable(stdout.ToString()), RepoPaths.Portable(stderr.ToString()));
    }

    [Fact]
    public void WritesImageAndMap()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var (code, _, err) = Run("link", RepoPaths.Linux("x86_64", "lkmdemo_core.ko"), RepoPaths.Linux("x86_64", "lkmdemo_user.ko"),
                "--symbols", RepoPaths.TestData("linker", "symbols", "x86_64.System.map"), "-o", Path.Combine(dir, "out.elf"), "--map", Path.Combine(dir, "out.map"));
            Assert.Equal("", err);
            Assert.Equal(0, code);
            string map = File.ReadAllText(Path.Combine(dir, "out.map"));
            Assert.Contains("# module lkmdemo_user", map);
            Assert.Contains(" lkmdemo_add [lkmdemo_core]", map);
            Assert.True(new FileInfo(Path.Combine(dir, "out.elf")).Length > 0);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void UnresolvedSymbolsAreReportedAllAtOnceInTheKernelsWords()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var (code, _, err) = Run("link", RepoPaths.Linux("x86_64", "lkmdemo_user.ko"),
                "--symbols", RepoPaths.TestData("linker", "symbols", "x86_64.System.map"), "-o", Path.Combine(dir, "out.elf"));
            Assert.Equal(LinkCommand.UnresolvedExitCode, code);
            Golden.Check("linker/unresolved.txt", err);
            Assert.False(File.Exists(Path.Combine(dir, "out.elf")));

            (code, _, err) = Run("link", RepoPaths.Linux("x86_64", "lkmdemo_user.ko"), "--allow-undefined",
                "--symbols", RepoPaths.TestData("linker", "symbols", "x86_64.System.map"), "-o", Path.Combine(dir, "out.elf"));
            Assert.Equal(0, code);
            Assert.Contains("resolved to zero (--allow-undefined): lkmdemo_add", err);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void BadOptionsAndInputsAreOneLineErrors()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string output = Path.Combine(dir, "out.elf");
            var (code, _, err) = Run("link", RepoPaths.Linux("x86_64", "lkmdemo_min.ko"), "--base", "zz", "-o", output);
            Assert.Equal(1, code);
            Assert.StartsWith("lkm: --base: 'zz' is not an address", err);

            (code, _, err) = Run("link", RepoPaths.Linux("x86_64", "Module.symvers"), "-o", output);
            Assert.Equal(1, code);
            Assert.StartsWith("lkm: ", err);
            Assert.Contains("not a recognised module container", err);

            (code, _, err) = Run("link", RepoPaths.Linux("x86_64", "lkmdemo_min.ko"), RepoPaths.Linux("aarch64", "lkmdemo_min.ko"), "--allow-undefined", "-o", output);
            Assert.Equal(1, code);
            Assert.Contains("cannot be linked with", err);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void UnsupportedRelocationNamesArchitectureTypeSectionAndOffset()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var (code, _, err) = Run("link", RepoPaths.TestData("linker", "x86_64", "gotpcrel.o"), "--allow-undefined", "-o", Path.Combine(dir, "o.elf"));
            Assert.Equal(1, code);
            Assert.Equal("lkm: gotpcrel: x86_64 relocation R_X86_64_REX_GOTPCRELX (type 42) in .rela.text at .text+0x3: unsupported relocation type (the x86_64 loader refuses it)\n", err);

            // R_X86_64_32 of a kernel address does not zero-extend: the loader's overflow check fails.
            string map = Path.Combine(dir, "high.map");
            File.WriteAllText(map, "ffffffff82000000 T low_sym\n");
            (code, _, err) = Run("link", RepoPaths.TestData("linker", "x86_64", "relocs.o"), "--allow-undefined", "-o", Path.Combine(dir, "o.elf"),
                "--symbols", map);
            Assert.Equal(1, code);
            Assert.Contains("R_X86_64_32 (type 10) in .rela.text at .text+0xd: overflow in relocation type 10 val ffffffff82000000", err);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
