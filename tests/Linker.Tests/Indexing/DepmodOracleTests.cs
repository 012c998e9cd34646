using System.Text.RegularExpressions;
using LkmKit.Cli;
using LkmKit.Linker.Indexing;

namespace LkmKit.Linker.Tests.Indexing;

/// <summary>Runs kmod's depmod and modprobe on the fixture tree and compares with LkmKit byte for byte.</summary>
public class DepmodOracleTests
{
    public static TheoryData<string[]> DepmodVariants => new()
    {
        { [] },
        { ["-e", "-E", "<tree>/Module.symvers"] },
        { ["-e", "-F", "<tree>/System.map"] },
        { ["-e"] },
    };

    [SkippableTheory]
    [MemberData(nameof(DepmodVariants))]
    public void Every_output_file_and_message_matches_depmod(string[] extra)
    {
        ExternalTool.Require("depmod");
        using var tree = new DepmodFixture();
        string[] args = [.. extra.Select(a => a.Replace("<tree>", tree.Root)), "-b", tree.BaseDirectory, "-C", tree.DepmodConfig, DepmodFixture.Release];
        var (depmodCode, _, depmodErr) = ExternalTool.RunWithErrors("depmod", args);
        Assert.Equal(0, depmodCode);
        string reference = tree.TakeOutputs("kmod");

        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        Assert.Equal(0, LkmApp.Run(["depmod", .. args], stdout, stderr));
        foreach (string name in Depmod.OutputNames)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(reference, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(tree.ModuleDirectory, name))), $"{name} differs from depmod's");
        }

        // Same messages, program name aside; LkmKit adds the reader's reason in parentheses after kmod's words.
        string ours = Regex.Replace(stderr.ToString(), @" \([^\n]*\)$", "", RegexOptions.Multiline).Replace("lkm: ", "depmod: ");
        Assert.Equal(depmodErr, ours);
    }

    public static TheoryData<string> ProbeNames => new()
    {
        "lkmdemo_core", "lkmdemo-user x=1 s=a\u0020b", "demo-foo", "second", "-b second", "second_user", "core_xz", "lkmdemo-alias",
        "char-major-240-3", "crc32c", "fs-vfat", "vfat", "mem-test", "symbol:lkmdemo_add", "junk", "no-such-module", "lkmdemo_min",
        "-a lkmdemo_core core_zst second", "-a lkmdemo_core no-such-module core_zst",
    };

    [SkippableTheory]
    [MemberData(nameof(ProbeNames))]
    public void Show_depends_matches_modprobe(string arguments)
    {
        ExternalTool.Require("depmod", "modprobe");
        using var tree = new DepmodFixture();
        Assert.Equal(0, ExternalTool.RunWithErrors("depmod", "-b", tree.BaseDirectory, "-C", tree.DepmodConfig, DepmodFixture.Release).ExitCode);
        string[] args = ["--show-depends", "-d", tree.BaseDirectory, "-S", DepmodFixture.Release, "-C", tree.ModprobeConfig, .. arguments.Split(' ')];
        var (code, output, error) = ExternalTool.RunWithErrors("modprobe", args);

        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int ourCode = LkmApp.Run(["modprobe", .. args], stdout, stderr);
        Assert.Equal(output, stdout.ToString());
        Assert.Equal(error.Replace("modprobe: ", "lkm: "), stderr.ToString());
        Assert.Equal(code, ourCode);
    }
}
