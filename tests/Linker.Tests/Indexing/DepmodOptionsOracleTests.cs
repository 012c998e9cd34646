using System.Text.RegularExpressions;
using LkmKit.Cli;
using LkmKit.Linker.Indexing;

namespace LkmKit.Linker.Tests.Indexing;

/// <summary>
/// depmod's less common options and its FILE mode, each run by kmod's depmod and by <c>lkm depmod</c> on the same
/// fixture tree in the same state: exit status, stdout, stderr (program name aside) and every index file must agree.
/// </summary>
public class DepmodOptionsOracleTests
{
    private const string K = DepmodFixture.Release;

    /// <summary>Scenario name, then the arguments after <c>-b TREE</c> (<c>&lt;mod&gt;</c> is the module directory,
    /// <c>&lt;root&gt;</c> the fixture root).</summary>
    public static TheoryData<string, string> Scenarios => new()
    {
        { "files", $"-C <root>/depmod.d {K} <mod>/kernel/drivers/demo/lkmdemo-user.ko <mod>/kernel/extra/core_zst.ko.zst <mod>/updates/lkmdemo_min.ko.xz <root>/tree/../tree/lib/modules/{K}/kernel/lib/second_user.ko <mod>/kernel/broken/junk.ko <root>/outside/core_xz.ko.xz" },
        { "files-dry-run", $"-n {K} <mod>/kernel/lib/second_user.ko <mod>/kernel/drivers/demo/lkmdemo_core.ko" },
        { "files-with-all", $"-a -C <root>/depmod.d {K} <mod>/kernel/lib/second_user.ko" },
        { "files-relative", $"{K} kernel/lib/second_user.ko" },
        { "files-missing", $"{K} <mod>/kernel/lib/no_such_module.ko" },
        { "files-same-twice", $"{K} <mod>/kernel/lib/second_user.ko <mod>/kernel/lib/second_user.ko" },
        { "bad-version", "<mod>/kernel/lib/second_user.ko" },
        { "quick-up-to-date", $"-A -C <root>/depmod.d {K}" },
        { "quick-newer-module", $"-A -C <root>/depmod.d {K}" },
        { "quick-no-modules-dep", $"-A -C <root>/depmod.d {K}" },
        { "quick-dry-run", $"-A -n -C <root>/depmod.d {K}" },
        { "quick-newer-module-with-files", $"-A -C <root>/depmod.d {K} <mod>/kernel/lib/second_user.ko" },
        { "warn", $"-w -C <root>/depmod.d {K}" },
        { "warn-duplicates", $"-w -C <root>/depmod.d {K}" },
        { "verbose", $"-v -C <root>/depmod.d {K}" },
        { "verbose-dry-run", $"-v -n -C <root>/depmod.d {K}" },
        { "symbol-prefix", $"-P _ -e -E <root>/Module.symvers -C <root>/depmod.d {K}" },
        { "symbol-prefix-system-map", $"-P _ -e -F <root>/System.map -C <root>/depmod.d {K}" },
        { "symbol-prefix-too-long", $"-P __ {K}" },
        { "deprecated", $"-q -C <root>/depmod.d {K}" },
    };

    [SkippableTheory]
    [MemberData(nameof(Scenarios))]
    public void Option_behaves_as_depmod(string scenario, string arguments)
    {
        ExternalTool.Require("depmod");
        using var tree = new DepmodFixture();
        string[] args = ["-b", tree.BaseDirectory, .. arguments.Replace("<mod>", tree.ModuleDirectory).Replace("<root>", tree.Root).Split(' ')];
        Prepare(tree, scenario);
        var kmod = Capture(tree, ExternalTool.RunWithErrors("depmod", args));
        Prepare(tree, scenario);
        var ours = Capture(tree, RunLkm(args));

        Assert.Equal(kmod.Code, ours.Code);
        Assert.Equal(kmod.Out, ours.Out);
        // LkmKit adds the reader's reason in parentheses after kmod's words for unreadable modules.
        Assert.Equal(kmod.Err, Regex.Replace(ours.Err, @" \([^\n]*\)$", "", RegexOptions.Multiline).Replace("lkm: ", "depmod: "));
        Assert.Equal(kmod.Files.Keys.Order(), ours.Files.Keys.Order());
        foreach (var (name, bytes) in kmod.Files)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(ours.Files[name]), $"{scenario}: {name} differs from depmod's");
        }
    }

    /// <summary>Puts the tree in the scenario's starting state: no indexes, or indexes older or newer than a module.</summary>
    private static void Prepare(DepmodFixture tree, string scenario)
    {
        foreach (string name in Depmod.OutputNames)
        {
            File.Delete(Path.Combine(tree.ModuleDirectory, name));
        }

        string outside = Path.Combine(tree.Root, "outside");
        Directory.CreateDirectory(outside);
        File.Copy(Path.Combine(tree.ModuleDirectory, "kernel/extra/core_xz.ko.xz"), Path.Combine(outside, "core_xz.ko.xz"), overwrite: true);
        if (scenario == "warn-duplicates")
        {
            // A module whose .modinfo holds one alias twice and one that only differs by '-'/'_' (objcopy-made fixture).
            File.Copy(RepoPaths.TestData("depmod-extra/dup_alias.ko"), Path.Combine(tree.ModuleDirectory, "kernel/lib/dup_alias.ko"), overwrite: true);
        }

        if (!scenario.StartsWith("quick-", StringComparison.Ordinal) || scenario == "quick-no-modules-dep")
        {
            return;
        }

        var (code, _) = ExternalTool.Run("depmod", "-b", tree.BaseDirectory, "-C", tree.DepmodConfig, K);
        Assert.Equal(0, code);
        File.Delete(Path.Combine(tree.ModuleDirectory, "modules.alias")); // comes back only if depmod runs
        var stamp = new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        foreach (string module in Directory.EnumerateFiles(tree.ModuleDirectory, "*.ko*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(module, stamp); // the same second as modules.dep: still up to date
        }

        File.SetLastWriteTimeUtc(Path.Combine(tree.ModuleDirectory, "modules.dep"), stamp.AddMilliseconds(1));
        if (scenario.StartsWith("quick-newer-module", StringComparison.Ordinal))
        {
            File.SetLastWriteTimeUtc(Path.Combine(tree.ModuleDirectory, "kernel/lib/second_user.ko"), stamp.AddSeconds(1));
        }
    }

    private sealed record Result(int Code, string Out, string Err, Dictionary<string, byte[]> Files);

    private static Result Capture(DepmodFixture tree, (int Code, string Out, string Err) run)
    {
        var files = new Dictionary<string, byte[]>();
        foreach (string name in Depmod.OutputNames)
        {
            string path = Path.Combine(tree.ModuleDirectory, name);
            if (File.Exists(path))
            {
                files[name] = File.ReadAllBytes(path);
            }
        }

        return new Result(run.Code, run.Out, run.Err, files);
    }

    private static (int Code, string Out, string Err) RunLkm(string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = LkmApp.Run(["depmod", .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
