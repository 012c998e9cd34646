namespace LkmKit.Cli.Tests;

/// <summary>
/// Packs the <c>lkm</c> dotnet tool with <c>scripts/pack-tool.sh</c> (pointer, linux-x64 NativeAOT and framework-
/// dependent packages; the cross-linked linux-arm64 package is left to the script's default run), installs it into a temporary tool path and runs it, as a user would: on linux-x64 the installed
/// tool must be the native executable.
/// </summary>
[Collection(NativeBuildCollection.Name)]
public class ToolPackageTests
{
    [SkippableFact]
    public void PackedToolInstallsTheNativeExecutableAndRuns()
    {
        ExternalTool.Require("clang");
        string work = Path.Combine(Path.GetTempPath(), $"lkm-pack-{Guid.NewGuid():N}");
        string feed = Path.Combine(work, "feed"), tools = Path.Combine(work, "tools");
        try
        {
            string script = Path.Combine(RepoPaths.Root, "scripts", "pack-tool.sh");
            var (packCode, packOutput) = ExternalTool.Run("bash", "-c", "RIDS='linux-x64 any' \"$0\" \"$1\" -p:Version=0.0.0-test 2>&1", script, feed);
            Assert.True(packCode == 0, packOutput);
            foreach (string id in new[] { "LkmKit.Cli", "LkmKit.Cli.linux-x64", "LkmKit.Cli.any" })
            {
                Assert.True(File.Exists(Path.Combine(feed, $"{id}.0.0.0-test.nupkg")), $"{id} was not packed:\n{packOutput}");
            }

            var (installCode, installOutput) = ExternalTool.Run("dotnet", "tool", "install", "LkmKit.Cli", "--tool-path", tools,
                "--add-source", feed, "--version", "0.0.0-test");
            Assert.True(installCode == 0, installOutput);
            string native = Directory.EnumerateFiles(Path.Combine(tools, ".store"), "lkm", SearchOption.AllDirectories).SingleOrDefault()
                ?? throw new Xunit.Sdk.XunitException("the installed tool has no native lkm executable");
            Assert.Contains("lkmkit.cli.linux-x64", native, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(native)[..4]);

            string fixture = RepoPaths.Linux("x86_64", "lkmdemo_core.ko");
            var (runCode, output) = ExternalTool.Run(Path.Combine(tools, "lkm"), "info", "-F", "name", fixture);
            Assert.Equal(0, runCode);
            Assert.Equal("lkmdemo_core\n", output);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }
}
