using System.Diagnostics;
using LkmKit.Formats.Discovery;

namespace LkmKit.Cli.Tests;

/// <summary>Hostile trees: special files, link loops, links out of the tree, files that are modules by content only, a tree with no module.</summary>
public sealed class TreeWalkTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lkmkit-tree-" + Guid.NewGuid().ToString("n"));
    private static readonly string Module = RepoPaths.Linux("x86_64", "lkmdemo_core.signed.ko");

    public TreeWalkTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Put(string name, string? copyOf = null)
    {
        string path = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (copyOf is not null)
        {
            File.Copy(copyOf, path);
        }

        return path;
    }

    private static void MakeFifo(string path)
    {
        ExternalTool.Require("mkfifo");
        using var process = Process.Start("mkfifo", [path]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    [SkippableFact]
    public void FifoGivenOrInsideATreeIsRefusedNotOpened()
    {
        Put("a/good.ko", Module);
        string fifo = Put("a/pipe.ko");
        MakeFifo(fifo);

        var (code, output, error) = CliRunner.Run("info", "-F", "name", Path.Combine(_root, "a"));
        Assert.Equal(0, code);
        Assert.Equal("lkmdemo_core\n", output);
        Assert.Contains($"{fifo}: skipped: not a regular file (a FIFO)", error);

        (code, _, error) = CliRunner.Run("info", fifo);
        Assert.Equal(1, code);
        Assert.Contains("not a regular file (a FIFO)", error);
    }

    [Fact]
    public void LinkLoopsAndLinksToDotAreVisitedOnce()
    {
        Put("t/sub/good.ko", Module);
        File.CreateSymbolicLink(Path.Combine(_root, "t", "sub", "again"), Path.Combine(_root, "t"));
        File.CreateSymbolicLink(Path.Combine(_root, "t", "dot1"), ".");
        File.CreateSymbolicLink(Path.Combine(_root, "t", "dot2"), ".");
        File.CreateSymbolicLink(Path.Combine(_root, "t", "loop-a"), Path.Combine(_root, "t", "loop-b"));
        File.CreateSymbolicLink(Path.Combine(_root, "t", "loop-b"), Path.Combine(_root, "t", "loop-a"));
        File.CreateSymbolicLink(Path.Combine(_root, "t", "same.ko"), Path.Combine(_root, "t", "sub", "good.ko"));

        var found = ModuleDiscovery.Expand([Path.Combine(_root, "t")]).ToList();
        Assert.Single(found);
        Assert.True(found[0].IsModule);
        var (code, output, _) = CliRunner.Run("info", "-F", "name", Path.Combine(_root, "t"));
        Assert.Equal(0, code);
        Assert.Equal("lkmdemo_core\n", output);
    }

    [Fact]
    public void LinksOutOfTheTreeAreNotFollowedUnlessAsked()
    {
        Put("outside/escaped.ko", Module);
        Put("tree/inside.ko", Module);
        File.CreateSymbolicLink(Path.Combine(_root, "tree", "out"), Path.Combine(_root, "outside"));
        File.CreateSymbolicLink(Path.Combine(_root, "tree", "out.ko"), Path.Combine(_root, "outside", "escaped.ko"));

        var found = ModuleDiscovery.Expand([Path.Combine(_root, "tree")]).ToList();
        Assert.Equal([Path.Combine(_root, "tree", "inside.ko")], found.Where(f => f.IsModule).Select(f => f.Path));
        Assert.All(found.Where(f => !f.IsModule), f => Assert.Contains("a link out of the tree", f.Refusal));

        var followed = ModuleDiscovery.Expand([Path.Combine(_root, "tree")], followLinksOutOfTree: true).ToList();
        Assert.Equal(2, followed.Count(f => f.IsModule)); // out/escaped.ko and out.ko are one file: visited once
    }

    [Fact]
    public void ContentDecidesWhichFilesAreModules()
    {
        Put("m/driver.o", Module);
        Put("m/driver.kld", RepoPaths.TestData("freebsd", "amd64", "fbsd_demo.ko"));
        Put("m/plain.dll", RepoPaths.TestData("windows", "x86_64", "plain.dll"));
        File.WriteAllText(Put("m/notes.ko"), "not a module\n");
        var names = ModuleDiscovery.Expand([Path.Combine(_root, "m")]).Where(f => f.IsModule).Select(f => Path.GetFileName(f.Path));
        Assert.Equal(["driver.kld", "driver.o", "plain.dll"], names);
    }

    [Fact]
    public void CompressedFilesAreTakenByWhatTheyDecompressTo()
    {
        Put("z/core.ko.xz", RepoPaths.Linux("x86_64", "lkmdemo_core.signed.ko.xz"));
        Put("z/core.ko.zst", RepoPaths.Linux("x86_64", "lkmdemo_core.signed.ko.zst"));
        // 2 GiB of zeros each: only their first decompressed bytes are looked at.
        Put("z/zeros.ko.xz", RepoPaths.TestData("bombs", "zeros2g.xz"));
        Put("z/zeros.ko.zst", RepoPaths.TestData("bombs", "zeros2g.zst"));
        var names = ModuleDiscovery.Expand([Path.Combine(_root, "z")]).Where(f => f.IsModule).Select(f => Path.GetFileName(f.Path));
        Assert.Equal(["core.ko.xz", "core.ko.zst"], names);
    }

    [Fact]
    public void DirectoryWithoutAModuleSaysSoAndFails()
    {
        File.WriteAllText(Put("empty/readme.txt"), "nothing here\n");
        var (code, output, error) = CliRunner.Run("info", Path.Combine(_root, "empty"));
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("no module found in", error);
    }

    [Fact]
    public void OneBadFileDoesNotStopTheBatch()
    {
        Put("b/a-good.ko", Module);
        var bad = File.ReadAllBytes(Module);
        bad[0x3a] = 1; // e_shentsize 1
        File.WriteAllBytes(Put("b/b-bad.ko"), bad);
        Put("b/c-good.ko", Module);
        var (code, output, error) = CliRunner.Run("info", "-F", "name", Path.Combine(_root, "b"));
        Assert.Equal(1, code);
        Assert.Equal("lkmdemo_core\nlkmdemo_core\n", output);
        Assert.Contains("b-bad.ko", error);
    }
}
