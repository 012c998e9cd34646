using LkmKit.Linker.Loading;

namespace LkmKit.Linker.Tests.Loading;

/// <summary>macOS kext and legacy lkm(4) rules on the fixtures.</summary>
public sealed class KextAndLkmLoaderTests : IDisposable
{
    private readonly LoaderFixture _f = new();

    public void Dispose() => _f.Dispose();

    /// <summary>
    /// DemoKext (its executable replaced by the MH_OBJECT build, which kxld links) as a library, and the codeless
    /// kext made to depend on it at <paramref name="requested"/>.
    /// </summary>
    private void Kexts(string requested, bool dropCompatibleVersion = false)
    {
        string demo = Path.Combine(_f.Modules, "DemoKext.kext");
        CopyTree(RepoPaths.TestData("kext", "DemoKext.kext"), demo);
        File.Copy(RepoPaths.TestData("kext", "objects", "demokext.x86_64.o"), Path.Combine(demo, "Contents", "MacOS", "DemoKext"), overwrite: true);
        if (dropCompatibleVersion)
        {
            string plist = Path.Combine(demo, "Contents", "Info.plist");
            File.WriteAllText(plist, File.ReadAllText(plist).Replace("<key>OSBundleCompatibleVersion</key>", "<key>XOSBundleCompatibleVersion</key>", StringComparison.Ordinal));
        }

        string codeless = Path.Combine(_f.Modules, "Codeless.kext");
        CopyTree(RepoPaths.TestData("kext", "Codeless.kext"), codeless);
        string info = Path.Combine(codeless, "Contents", "Info.plist");
        File.WriteAllText(info, File.ReadAllText(info).Replace("<key>OSBundleRequired</key>",
            $"<key>OSBundleLibraries</key><dict><key>com.example.lkmkit.demo</key><string>{requested}</string></dict><key>OSBundleRequired</key>", StringComparison.Ordinal));
        _f.NewKernel(KernelOs.MacOs, "20.6.0", [RepoPaths.TestData("linker", "macho", "kernel-x86_64.syms")]).Dispose();
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void KextLibrariesLoadFirstAndDependentsBlockUnload()
    {
        Kexts("1.2.3");
        var events = _f.Load(null, "com.example.lkmkit.usbmap");
        Assert.Equal(["com.example.lkmkit.demo", "com.example.lkmkit.usbmap"], events.Select(e => e.Module));
        Assert.All(events, e => Assert.Equal("loaded", e.Result));
        Assert.True(events[0].Size > 0);
        var e = Assert.Single(_f.Unload(false, "com.example.lkmkit.demo"));
        Assert.Equal("kOSKextReturnInUse", e.Errno);
        Assert.Equal(["unloaded", "unloaded"], _f.Unload(false, "com.example.lkmkit.usbmap", "com.example.lkmkit.demo").Select(x => x.Result));
    }

    [Fact]
    public void KextRequestNewerThanTheLibraryIsRefused()
    {
        Kexts("1.5");
        var events = _f.Load(null, "com.example.lkmkit.usbmap");
        Assert.Equal("kOSKextReturnDependencies", Assert.Single(events).Errno);
    }

    [Fact]
    public void KextOlderRequestBelowCompatibleVersionPassesTheKernelRuleButNotKextutils()
    {
        Kexts("0.9"); // DemoKext is 1.2.3, compatible back to 1.0.0b2
        var events = _f.Load(null, "com.example.lkmkit.usbmap");
        Assert.Equal("loaded", events[^1].Result);
        Assert.Contains(events[^1].Notes, n => n.StartsWith("kextutil: library com.example.lkmkit.demo 1.2.3", StringComparison.Ordinal));
    }

    [Fact]
    public void KextLibraryWithoutCompatibleVersionNeverSatisfies()
    {
        Kexts("1.0", dropCompatibleVersion: true);
        Assert.Equal("kOSKextReturnDependencies", Assert.Single(_f.Load(null, "com.example.lkmkit.usbmap")).Errno);
    }

    private void Lkm(string system = "netbsd", string? slots = null)
    {
        _f.Copy("testdata/lkm/mysys.o");
        _f.Copy("testdata/lkm/mymisc.o");
        var settings = new Dictionary<string, string> { ["system"] = system };
        if (slots is not null)
        {
            settings["lkmslots"] = slots;
        }

        _f.NewKernel(KernelOs.Lkm, "1.6", [RepoPaths.TestData("linker", "symbols", "lkm-i386.System.map")], settings: settings).Dispose();
    }

    [Fact]
    public void LkmSyscallTakesTheFirstFreeSlotEnfileWhenNoneAndUnloadRestoresIt()
    {
        Lkm(slots: "210-210");
        var loaded = Assert.Single(_f.Load(null, "mysys"));
        Assert.Equal("loaded", loaded.Result);
        Assert.Equal("SYSCALL 210", _f.List().Single().Kind);
        string twin = _f.Copy("testdata/lkm/mysys.o", "mysyz.o");
        LoaderFixture.Patch(twin, "mysys\0", "mysyz\0");
        Assert.Equal(Errno.ENFILE, Assert.Single(_f.Load(null, twin)).Errno);
        Assert.Equal(Errno.EEXIST, Assert.Single(_f.Load(null, "mysys")).Errno);
        _f.Unload(false, "mysys");
        Assert.Equal("loaded", Assert.Single(_f.Load(null, twin)).Result);
        Assert.Equal("SYSCALL 210", _f.List().Single().Kind);
    }

    [Fact]
    public void LkmTypeNumbersArePerSystem()
    {
        Lkm();
        Assert.Equal("loaded", Assert.Single(_f.Load(null, "mymisc")).Result);
        Assert.Equal("MISC", _f.List().Single().Kind);
        Lkm(system: "openbsd4"); // OpenBSD 4's MODTYPE has no type 5
        Assert.Equal(Errno.EINVAL, Assert.Single(_f.Load(null, "mymisc")).Errno);
    }

    [Fact]
    public void LkmSecurelevelRefuses()
    {
        Lkm();
        string json = File.ReadAllText(_f.StatePath);
        File.WriteAllText(_f.StatePath, json.Replace("\"system\": \"netbsd\"", "\"securelevel\": \"1\", \"system\": \"netbsd\"", StringComparison.Ordinal));
        Assert.Equal(Errno.EPERM, Assert.Single(_f.Load(null, "mymisc")).Errno);
    }
}
