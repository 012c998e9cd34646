namespace LkmKit.Cli.Tests;

/// <summary>
/// Publishes <c>lkm</c> as what users get, the native executable (<c>scripts/publish-native.sh</c>, i.e.
/// <c>dotnet publish src/Cli -c Release</c>: NativeAOT for this machine), and checks that it gives the managed tool's
/// results byte for byte: the ahead-of-time compiler must not change what lkm prints or writes.
/// </summary>
[Collection(NativeBuildCollection.Name)]
public class NativePublishTests
{
    [SkippableFact]
    public void NativeExecutableMatchesTheManagedTool()
    {
        ExternalTool.Require("clang");
        string work = Path.Combine(Path.GetTempPath(), $"lkm-native-{Guid.NewGuid():N}");
        try
        {
            // The script prints the build's output on stderr; fold it in so that a failure shows why.
            string script = Path.Combine(RepoPaths.Root, "scripts", "publish-native.sh");
            var (publishCode, publishOutput) = ExternalTool.Run("bash", "-c", "\"$0\" \"$1\" 2>&1", script, Path.Combine(work, "bin"));
            Assert.True(publishCode == 0, publishOutput);
            string lkm = Path.Combine(work, "bin", "lkm");
            Assert.True(File.Exists(lkm), publishOutput);
            Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(lkm)[..4]);

            string core = RepoPaths.Linux("x86_64", "lkmdemo_core.ko"), user = RepoPaths.Linux("x86_64", "lkmdemo_user.ko");
            string map = RepoPaths.TestData("linker", "symbols", "x86_64.System.map");
            string[] link = ["link", core, user, "--symbols", map];
            var (nativeCode, nativeOut) = ExternalTool.Run(lkm, [.. link, "-o", Path.Combine(work, "native.elf"), "--map", Path.Combine(work, "native.map")]);
            Assert.True(nativeCode == 0, nativeOut);
            var managed = CliRunner.Run([.. link, "-o", Path.Combine(work, "managed.elf"), "--map", Path.Combine(work, "managed.map")]);
            Assert.Equal(0, managed.Code);
            Assert.Equal(File.ReadAllBytes(Path.Combine(work, "managed.elf")), File.ReadAllBytes(Path.Combine(work, "native.elf")));
            Assert.Equal(File.ReadAllText(Path.Combine(work, "managed.map")), File.ReadAllText(Path.Combine(work, "native.map")));

            foreach (string[] view in new[] { new[] { "info", RepoPaths.Linux("x86_64", "lkmdemo_core.signed.ko") }, ["info", "--json", core], ["dump", "-r", core] })
            {
                var (code, output) = ExternalTool.Run(lkm, view);
                Assert.Equal(0, code);
                Assert.Equal(CliRunner.Run(view).Out, RepoPaths.Portable(output));
            }
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
