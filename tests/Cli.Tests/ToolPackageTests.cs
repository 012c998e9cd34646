namespace LkmKit.Cli.Tests;

/// <summary>Packs the <c>lkm</c> dotnet tool, installs it into a temporary tool path and runs it, as a user would.</summary>
public class ToolPackageTests
{
    [Fact]
    public void PackedToolInstallsAndRuns()
    {
        string work = Path.Combine(Path.GetTempPath(), $"lkm-pack-{Guid.NewGuid():N}");
        string feed = Path.Combine(work, "feed"), tools = Path.Combine(work, "tools");
        try
        {
            // Its own configuration keeps this build out of the way of the test run's own outputs.
            var (packCode, packOutput) = ExternalTool.Run("dotnet", "pack", Path.Combine(RepoPaths.Root, "src", "Cli", "Cli.csproj"),
                "-c", "PackTest", "-o", feed, "-p:Version=0.0.0-test", "--nologo");
            Assert.True(packCode == 0, packOutput);
            Assert.True(File.Exists(Path.Combine(feed, "LkmKit.Cli.0.0.0-test.nupkg")), packOutput);

            var (installCode, installOutput) = ExternalTool.Run("dotnet", "tool", "install", "LkmKit.Cli", "--tool-path", tools,
                "--add-source", feed, "--version", "0.0.0-test");
            Assert.True(installCode == 0, installOutput);

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
