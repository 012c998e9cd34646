namespace LkmKit.Cli.Tests;

/// <summary>
/// Packs LkmKit.Formats and LkmKit.Linker as a user of the packages would get them, restores them offline from the pack
/// folder alone into a fresh console project and reads a module through them.
/// </summary>
[Collection(NativeBuildCollection.Name)]
public class LibraryPackageTests
{
    [Fact]
    public void PackedLibrariesRestoreIntoAFreshProjectAndReadAModule()
    {
        string work = Path.Combine(Path.GetTempPath(), $"lkm-libpack-{Guid.NewGuid():N}");
        string feed = Path.Combine(work, "feed"), app = Path.Combine(work, "app");
        try
        {
            foreach (string project in new[] { "Formats", "Linker" })
            {
                // Its own configuration keeps this build out of the way of the test run's own outputs.
                var (code, output) = ExternalTool.Run("dotnet", "pack", Path.Combine(RepoPaths.Root, "src", project), "-c", "PackTest", "-o", feed,
                    "-p:Version=0.0.0-test", "--nologo");
                Assert.True(code == 0, output);
            }

            foreach (string id in new[] { "LkmKit.Formats", "LkmKit.Linker" })
            {
                Assert.True(File.Exists(Path.Combine(feed, $"{id}.0.0.0-test.nupkg")), $"{id}.nupkg missing");
                Assert.True(File.Exists(Path.Combine(feed, $"{id}.0.0.0-test.snupkg")), $"{id}.snupkg missing");
            }

            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "app.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="LkmKit.Linker" Version="0.0.0-test" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using var file = LkmKit.Formats.ModuleReader.Open(args[0]);
                var module = file.Modules[0];
                System.Console.WriteLine($"{module.Name} {module.Machine} {module.Symbols.Count > 0} {typeof(LkmKit.Linker.ModuleLinker).Assembly.GetName().Name}");
                """);
            // Only the pack folder as a source: the packages must carry everything they need.
            var (restoreCode, restoreOutput) = ExternalTool.Run("dotnet", "restore", app, "--source", feed);
            Assert.True(restoreCode == 0, restoreOutput);
            var (runCode, runOutput) = ExternalTool.Run("dotnet", "run", "--project", app, "--no-restore", "--", RepoPaths.Linux("x86_64", "lkmdemo_core.ko"));
            Assert.True(runCode == 0, runOutput);
            Assert.Equal("lkmdemo_core X86_64 True LkmKit.Linker\n", runOutput);
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
