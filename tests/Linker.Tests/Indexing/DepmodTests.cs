using LkmKit.Cli;
using LkmKit.Linker.Indexing;

namespace LkmKit.Linker.Tests.Indexing;

public class DepmodTests
{
    private static (int Code, string Out, string Err) Lkm(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = LkmApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Fixture_tree_indexes_match_the_golden_files_checked_against_depmod()
    {
        using var tree = new DepmodFixture();
        var messages = new List<string>();
        var files = Depmod.Build(tree.Options(), m => messages.Add(m.ToString().Replace(tree.Root, "<tree>")));
        Assert.Equal(Depmod.OutputNames, files.Select(f => f.Name));
        var text = string.Concat(files.Select(f => $"== {f.Name}\n" + (f.IsText
            ? System.Text.Encoding.Latin1.GetString(f.Contents)
            : string.Concat(KmodIndex.FromBytes(f.Contents, f.Name).Entries().Select(e => $"{e.Key} {e.Value.Value} {e.Value.Priority}\n")))));
        Golden.Check("depmod/fixture-indexes.txt", text + "== messages\n" + string.Join("\n", messages) + "\n");
    }

    [Fact]
    public void Search_and_exclude_lines_choose_the_files()
    {
        using var tree = new DepmodFixture();
        string dep = Dep(Depmod.Build(tree.Options()));
        Assert.Contains("updates/lkmdemo_min.ko.xz:", dep);          // search updates built-in
        Assert.DoesNotContain("kernel/lib/lkmdemo_min.ko:", dep);
        Assert.DoesNotContain("hidden", dep);                         // exclude excluded
        Assert.DoesNotContain("not_a_module_dir", dep);               // build/ is never searched

        string plain = Dep(Depmod.Build(tree.Options(withConfig: false)));
        Assert.Contains("kernel/excluded/hidden.ko:", plain);          // without the exclude line
        Assert.Single(plain.Split('\n'), line => line.Contains("lkmdemo_min.ko", StringComparison.Ordinal)); // one file per module name
    }

    [Fact]
    public void Damaged_files_are_reported_by_name_and_the_rest_is_indexed()
    {
        using var tree = new DepmodFixture();
        var messages = new List<DepmodMessage>();
        var options = tree.Options();
        string dep = Dep(Depmod.BuildDirectory(options.ModuleDirectory, options, messages.Add));
        Assert.Contains(messages, m => m.Kind == DepmodMessageKind.Error && m.Text.StartsWith($"failed to load symbols from {tree.ModuleDirectory}/kernel/broken/junk.ko: Exec format error", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Kind == DepmodMessageKind.Error && m.Text.StartsWith($"failed to load symbols from {tree.ModuleDirectory}/kernel/broken/truncated.ko: Invalid argument", StringComparison.Ordinal));
        Assert.Contains("kernel/broken/junk.ko:\n", dep);
        Assert.Contains("kernel/drivers/demo/lkmdemo-user.ko: kernel/extra/core_zst.ko.zst\n", dep);
    }

    [Fact]
    public void Without_modules_order_and_builtin_files_depmod_warns_and_writes_empty_builtin_indexes()
    {
        using var tree = new DepmodFixture();
        foreach (string name in new[] { "modules.order", "modules.builtin", "modules.builtin.modinfo" })
        {
            File.Delete(Path.Combine(tree.ModuleDirectory, name));
        }

        var messages = new List<string>();
        var files = Depmod.Build(tree.Options(), m => messages.Add(m.ToString()));
        Assert.Empty(files.Single(f => f.Name == "modules.builtin.bin").Contents);
        Assert.Empty(files.Single(f => f.Name == "modules.builtin.alias.bin").Contents);
        Assert.Contains($"WARNING: could not open modules.order at {tree.ModuleDirectory}: No such file or directory", messages);
        Assert.Contains($"WARNING: could not open modules.builtin at {tree.ModuleDirectory}: No such file or directory", messages);
    }

    [Fact]
    public void Cli_writes_every_index_and_leaves_no_temporary_file()
    {
        using var tree = new DepmodFixture();
        var (code, _, err) = Lkm("depmod", "-b", tree.BaseDirectory, "-C", tree.DepmodConfig, DepmodFixture.Release);
        Assert.Equal(0, code);
        Assert.Contains("lkm: ERROR: failed to load symbols from", err);
        foreach (string name in Depmod.OutputNames)
        {
            Assert.True(File.Exists(Path.Combine(tree.ModuleDirectory, name)), name);
        }

        string[] expected = [.. Depmod.OutputNames, "modules.order", "modules.builtin", "modules.builtin.modinfo"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.EnumerateFiles(tree.ModuleDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var (dumpCode, dump, _) = Lkm("depmod", "--dump", Path.Combine(tree.ModuleDirectory, "modules.dep.bin"));
        Assert.Equal(0, dumpCode);
        Assert.Contains("lkmdemo_user kernel/drivers/demo/lkmdemo-user.ko: kernel/extra/core_zst.ko.zst\n", dump);
    }

    [Fact]
    public void Dry_run_prints_the_text_indexes_only()
    {
        using var tree = new DepmodFixture();
        var (code, output, _) = Lkm("depmod", "-n", "-b", tree.BaseDirectory, "-C", tree.DepmodConfig, DepmodFixture.Release);
        Assert.Equal(0, code);
        Assert.Contains("# Aliases extracted from modules themselves.\nalias char-major-240-* lkmdemo_core\n", output);
        Assert.Contains("# Aliases for symbols, used by symbol_request().\n", output);
        Assert.False(File.Exists(Path.Combine(tree.ModuleDirectory, "modules.dep")));
    }

    [Fact]
    public void Dump_of_a_file_that_is_no_index_names_it()
    {
        var (code, _, err) = Lkm("depmod", "--dump", RepoPaths.Linux("x86_64", "lkmdemo_min.ko"));
        Assert.Equal(1, code);
        Assert.Contains("lkmdemo_min.ko", err);
        Assert.Contains("is not 0xb007f457", err);
    }

    [Fact]
    public void Missing_module_directory_is_an_error()
    {
        var (code, _, err) = Lkm("depmod", "-b", "/nonexistent-lkmkit", "1.0");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent-lkmkit/lib/modules/1.0", err);
    }

    private static string Dep(IReadOnlyList<DepmodFile> files) => System.Text.Encoding.Latin1.GetString(files.Single(f => f.Name == "modules.dep").Contents);
}
