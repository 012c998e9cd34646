using System.Text.Json;

namespace LkmKit.Cli.Tests;

/// <summary>Behaviour of <c>lkm info</c> beyond the golden views: fields, batches, directories, errors.</summary>
public class InfoCommandTests
{
    [Fact]
    public void FieldPrintsOnlyThatFieldsValues()
    {
        var (code, output, _) = CliRunner.Run("info", "-F", "alias", RepoPaths.Linux("x86_64", "lkmdemo_core.ko"));
        Assert.Equal(0, code);
        Assert.Equal("char-major-240-*\nlkmdemo-alias\n", output);

        (_, output, _) = CliRunner.Run("info", "-F", "parm", RepoPaths.Linux("x86_64", "lkmdemo_core.ko"));
        Assert.StartsWith("debug_level:Debug verbosity (0-3) (int)\n", output);
        Assert.Contains("quiet_mask: (uint)\n", output);

        (_, output, _) = CliRunner.Run("info", "-F", "parmtype", RepoPaths.Linux("x86_64", "lkmdemo_core.ko"));
        Assert.Equal(7, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("quiet_mask:uint\n", output);

        (_, output, _) = CliRunner.Run("info", "--field", "signer", RepoPaths.Linux("x86_64", "lkmdemo_core.signed.ko"));
        Assert.Equal("LkmKit test signing key\n", output);
    }

    [Fact]
    public void BadFileInABatchIsReportedAndTheBatchCarriesOn()
    {
        string bad = Path.Combine(Path.GetTempPath(), $"lkm-bad-{Guid.NewGuid():N}.ko");
        var bytes = File.ReadAllBytes(RepoPaths.Linux("x86_64", "lkmdemo_min.ko"));
        File.WriteAllBytes(bad, bytes[..100]);
        try
        {
            var (code, output, error) = CliRunner.Run("info", "-F", "name", RepoPaths.Linux("x86_64", "lkmdemo_core.ko"), bad, RepoPaths.Linux("x86_64", "lkmdemo_min.ko"));
            Assert.Equal(1, code);
            Assert.Equal("lkmdemo_core\nlkmdemo_min\n", output);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"lkm: {bad}: offset 0x", line);
            Assert.Contains("ELF section header", line);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public void MissingFileIsAnErrorLine()
    {
        var (code, _, error) = CliRunner.Run("info", "/nonexistent/lkm-test.ko");
        Assert.Equal(1, code);
        Assert.StartsWith("lkm: /nonexistent/lkm-test.ko: ", error);
    }

    [Fact]
    public void JsonBatchOverADirectoryHasOneLinePerModuleAndErrorsAsLines()
    {
        var (code, output, _) = CliRunner.Run("info", "--json", RepoPaths.TestData("linux"));
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Directory.EnumerateFiles(RepoPaths.TestData("linux"), "*.ko*", SearchOption.AllDirectories).Count(), lines.Length);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            Assert.Equal("linux", root.GetProperty("flavor").GetString());
            Assert.StartsWith("lkmdemo_", root.GetProperty("name").GetString());
            Assert.Equal(JsonValueKind.Array, root.GetProperty("modinfo").ValueKind);
        }

        (code, output, _) = CliRunner.Run("info", "--json", "/nonexistent/lkm-test.ko");
        Assert.Equal(1, code);
        using var error = JsonDocument.Parse(output);
        Assert.Equal("/nonexistent/lkm-test.ko", error.RootElement.GetProperty("path").GetString());
        Assert.False(string.IsNullOrEmpty(error.RootElement.GetProperty("error").GetString()));
    }

    [Fact]
    public void JsonCarriesTheCommonModel()
    {
        var (_, output, _) = CliRunner.Run("info", "--json", RepoPaths.Linux("i386", "lkmdemo_user.ko"));
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("elf", root.GetProperty("format").GetString());
        Assert.Equal("i386", root.GetProperty("arch").GetString());
        Assert.Equal(32, root.GetProperty("bits").GetInt32());
        Assert.Equal("little", root.GetProperty("endian").GetString());
        var dependency = Assert.Single(root.GetProperty("dependencies").EnumerateArray());
        Assert.Equal("lkmdemo_core", dependency.GetProperty("name").GetString());
        Assert.Equal("hard", dependency.GetProperty("kind").GetString());
        Assert.Contains(root.GetProperty("imports").EnumerateArray(), i => i.GetProperty("name").GetString() == "lkmdemo_ns_func" && i.GetProperty("crc").GetString() == "0x4283369a");
    }
}
