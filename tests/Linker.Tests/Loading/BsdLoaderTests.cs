using LkmKit.Linker.Loading;

namespace LkmKit.Linker.Tests.Loading;

/// <summary>FreeBSD kld and NetBSD module(9) rules on the clang/lld-built fixtures.</summary>
public sealed class BsdLoaderTests : IDisposable
{
    private readonly LoaderFixture _f = new();

    public void Dispose() => _f.Dispose();

    private void FreeBsd(string release = "1402000", Dictionary<string, string>? settings = null)
    {
        _f.Copy("testdata/linker/freebsd-amd64/fbsd_demo.ko");
        _f.Copy("testdata/linker/freebsd-amd64/fbsd_user.ko");
        _f.NewKernel(KernelOs.FreeBsd, release, [RepoPaths.TestData("linker", "freebsd-amd64", "amd64.kernel.map")], settings: settings).Dispose();
    }

    [Fact]
    public void FreeBsdModuleDependLoadsTheProviderFirstAndUnloadRules()
    {
        FreeBsd();
        var events = _f.Load(null, "demo_user");
        Assert.Equal(["fbsd_demo", "fbsd_user"], events.Select(e => e.Module));
        Assert.All(events, e => Assert.Equal("loaded", e.Result));
        var list = _f.List();
        Assert.Equal(2, list.Single(m => m.Name == "fbsd_demo").Refs); // kldstat: 1 + the file depending on it
        Assert.Equal(["fbsd_demo"], list.Single(m => m.Name == "fbsd_user").Uses);

        Assert.Equal(Errno.EBUSY, Assert.Single(_f.Unload(false, "fbsd_demo")).Errno); // loaded as a dependency (userrefs 0)
        Assert.Equal("unloaded", Assert.Single(_f.Unload(false, "fbsd_user.ko")).Result);
        Assert.Equal(Errno.EEXIST, Assert.Single(_f.Load(null, "demo_core")).Errno); // module already registered
    }

    [Fact]
    public void FreeBsdUnloadOfAFileOthersUseIsEbusy()
    {
        FreeBsd();
        _f.Load(null, "fbsd_demo.ko");
        _f.Load(null, "fbsd_user.ko");
        var e = Assert.Single(_f.Unload(false, "fbsd_demo"));
        Assert.Equal(Errno.EBUSY, e.Errno);
        Assert.Contains("fbsd_user", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FreeBsdInterfaceAlreadyPresentIsEexist()
    {
        FreeBsd();
        _f.Load(null, "fbsd_demo.ko");
        string twin = _f.Copy("testdata/linker/freebsd-amd64/fbsd_demo.ko", "fbsd_twin.ko");
        var e = Assert.Single(_f.Load(null, twin));
        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal("interface demo_core.3 already present in the KLD 'fbsd_demo.ko'!", e.Message);
    }

    [Fact]
    public void FreeBsdKernelOutsideTheModulesRangeRefusesNamingTheDependency()
    {
        FreeBsd(release: "1302000");
        var e = Assert.Single(_f.Load(null, "fbsd_demo.ko"));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.StartsWith("KLD fbsd_demo.ko: depends on kernel - not available or version mismatch", e.Message);
    }

    [Fact]
    public void FreeBsdMissingDependencyIsRefusedNamingIt()
    {
        FreeBsd();
        // demo_user needs demo_core in [2, 4]; rename the provider's module so no file in the directory provides it.
        LoaderFixture.Patch(Path.Combine(_f.Modules, "fbsd_demo.ko"), "demo_core\0", "demo_cork\0");
        var events = _f.Load(null, "demo_user");
        Assert.Equal(Errno.ENOENT, events[^1].Errno);
        Assert.Equal("KLD fbsd_user.ko: depends on demo_core - not available or version mismatch", events[^1].Message);
    }

    [Fact]
    public void SecurelevelRefusesLoadAndUnload()
    {
        FreeBsd(settings: new() { ["securelevel"] = "1" });
        Assert.Equal(Errno.EPERM, Assert.Single(_f.Load(null, "fbsd_demo.ko")).Errno);
        Assert.Equal(Errno.EPERM, Assert.Single(_f.Unload(false, "fbsd_demo")).Errno);
    }

    private void NetBsd(string release = "9.3", Dictionary<string, string>? settings = null)
    {
        _f.Copy("testdata/netbsd/i386/nbsd_base.kmod");
        _f.Copy("testdata/netbsd/i386/nbsd_demo.kmod");
        _f.Copy("testdata/netbsd/i386/nbsd_demo.prop");
        var all = new Dictionary<string, string> { ["builtin"] = "pci" };
        foreach (var (k, v) in settings ?? [])
        {
            all[k] = v;
        }

        _f.NewKernel(KernelOs.NetBsd, release, assume: true, settings: all).Dispose();
    }

    [Fact]
    public void NetBsdRequiredModulesLoadFirstAndRefcountBlocksUnload()
    {
        NetBsd();
        var events = _f.Load(null, "nbsd_demo");
        Assert.Equal(["nbsd_base", "nbsd_demo"], events.Select(e => e.Module));
        Assert.All(events, e => Assert.Equal("loaded", e.Result));
        Assert.Equal(1, _f.List().Single(m => m.Name == "nbsd_base").Refs);
        Assert.Equal(Errno.EBUSY, Assert.Single(_f.Unload(false, "nbsd_base")).Errno);
        Assert.Equal(Errno.EEXIST, Assert.Single(_f.Load(null, "nbsd_demo")).Errno);
    }

    [Fact]
    public void NetBsdMissingRequiredModuleIsEnoent()
    {
        NetBsd(settings: new() { ["builtin"] = "" });
        var events = _f.Load(null, "nbsd_demo");
        Assert.Equal(Errno.ENOENT, events.Single(e => e.Module == "pci").Errno);
        Assert.Equal(Errno.ENOENT, events[^1].Errno);
    }

    [Fact]
    public void NetBsdOtherReleaseIsEprogmismatchUnlessForced()
    {
        NetBsd(release: "10.0");
        var e = Assert.Single(_f.Load(null, "nbsd_base"));
        Assert.Equal(Errno.EPROGMISMATCH, e.Errno);
        Assert.Equal("module `nbsd_base' built for `903000000', system `1000000000'", e.Message);
        Assert.Equal("loaded", Assert.Single(_f.Load(new LoadOptions { Force = true }, "nbsd_base")).Result);
    }

    [Fact]
    public void NetBsdCycleIsEdeadlk()
    {
        NetBsd();
        LoaderFixture.Patch(Path.Combine(_f.Modules, "nbsd_demo.kmod"), "nbsd_base,pci", "nbsd_demo,pci");
        Assert.Equal(Errno.EDEADLK, _f.Load(null, "nbsd_demo")[^1].Errno);
    }

    [Fact]
    public void NetBsdOversizedPropIsRefused()
    {
        NetBsd();
        File.WriteAllText(Path.Combine(_f.Modules, "nbsd_demo.prop"), "<plist>" + new string(' ', 8200) + "</plist>");
        Assert.Equal(Errno.EFBIG, _f.Load(null, "nbsd_demo")[^1].Errno);
    }

    [Fact]
    public void NetBsdSecurelevelRefuses()
    {
        NetBsd(settings: new() { ["securelevel"] = "1" });
        Assert.Equal(Errno.EPERM, Assert.Single(_f.Load(null, "nbsd_base")).Errno);
    }

    [Fact]
    public void NetBsdAutoloadedModulesAreUnloadedOnceUnusedAndPastAutotime()
    {
        NetBsd(settings: new() { ["autotime"] = "1" });
        _f.Load(null, "nbsd_demo");
        Assert.Equal("unloaded", Assert.Single(_f.Unload(false, "nbsd_demo")).Result);
        // Move the auto-unload time of nbsd_base (autoloaded as a requirement) into the past.
        string json = File.ReadAllText(_f.StatePath);
        File.WriteAllText(_f.StatePath, System.Text.RegularExpressions.Regex.Replace(json, "\"autoUnloadAt\": \\d+", "\"autoUnloadAt\": 1"));
        var events = _f.Load(null, "nbsd_demo");
        Assert.Equal("autounload", events[0].Event);
        Assert.Equal("nbsd_base", events[0].Module);
    }
}
