using System.Diagnostics;
using LkmKit.Formats;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Tests;

/// <summary>A bundle is never left through a link or a path, and a special file as its executable is refused, not opened.</summary>
public sealed class KextBundleEscapeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lkmkit-kext-" + Guid.NewGuid().ToString("n"));
    private readonly string _bundle;

    public KextBundleEscapeTests()
    {
        _bundle = Path.Combine(_root, "DemoKext.kext");
        Copy(RepoPaths.TestData("kext", "DemoKext.kext"), _bundle);
        File.WriteAllText(Path.Combine(_root, "secret"), "outside the bundle\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    private string Executable => Path.Combine(_bundle, "Contents", "MacOS", "DemoKext");

    [Fact]
    public void TheCopyReads()
    {
        using var file = ModuleReader.Open(_bundle);
        Assert.NotEmpty(file.Modules);
    }

    [Fact]
    public void ExecutableLinkedOutsideTheBundleIsRefused()
    {
        File.Delete(Executable);
        File.CreateSymbolicLink(Executable, Path.Combine(_root, "secret"));
        var e = Assert.Throws<ModuleFormatException>(() => ModuleReader.Open(_bundle));
        Assert.Contains("leads out of the bundle", e.Message);
    }

    [Fact]
    public void MacOSDirectoryLinkedOutsideTheBundleIsRefused()
    {
        string outside = Path.Combine(_root, "elsewhere");
        Directory.Move(Path.Combine(_bundle, "Contents", "MacOS"), outside);
        File.CreateSymbolicLink(Path.Combine(_bundle, "Contents", "MacOS"), outside);
        var e = Assert.Throws<ModuleFormatException>(() => ModuleReader.Open(_bundle));
        Assert.Contains("leads out of the bundle", e.Message);
    }

    [Theory]
    [InlineData("../../secret")]
    [InlineData("..")]
    [InlineData("sub/DemoKext")]
    public void ExecutableNameWithAPathIsRefused(string name)
    {
        string plist = Path.Combine(_bundle, "Contents", "Info.plist");
        File.WriteAllText(plist, File.ReadAllText(plist).Replace("<string>DemoKext</string>", $"<string>{name}</string>", StringComparison.Ordinal));
        var e = Assert.Throws<ModuleFormatException>(() => ModuleReader.Open(_bundle));
        Assert.Contains("is not a file name inside the bundle", e.Message);
    }

    [SkippableFact]
    public void FifoAsExecutableIsRefusedNotOpened()
    {
        ExternalTool.Require("mkfifo");
        File.Delete(Executable);
        using (var process = Process.Start("mkfifo", [Executable]))
        {
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
        }

        var e = Assert.Throws<ModuleFormatException>(() => ModuleReader.Open(_bundle));
        Assert.Contains("not a regular file (a FIFO)", e.Message);
    }
}
