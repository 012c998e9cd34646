using LkmKit.Linker.Loading;

namespace LkmKit.Linker.Tests.Loading;

/// <summary>Linux 6.1's load_module and delete_module rules on the kbuild fixtures (copies byte-patched where a rule needs).</summary>
public sealed class LinuxLoaderTests : IDisposable
{
    private const string Release = "6.1.0-57-amd64";
    private readonly LoaderFixture _f = new();
    private readonly string _core, _user, _min, _map;

    public LinuxLoaderTests()
    {
        _core = _f.Copy("testdata/linux/x86_64/lkmdemo_core.ko");
        _user = _f.Copy("testdata/linux/x86_64/lkmdemo_user.ko");
        _min = _f.Copy("testdata/linux/x86_64/lkmdemo_min.ko");
        _map = RepoPaths.TestData("linker", "symbols", "x86_64.System.map");
    }

    public void Dispose() => _f.Dispose();

    private ModelKernel Kernel(Dictionary<string, string>? settings = null, bool symvers = true) =>
        _f.NewKernel(KernelOs.Linux, Release, [_map], symvers ? _f.SymversFor(_core, _user, _min) : null, settings: settings);

    private static LoadEvent Single(List<LoadEvent> events) => Assert.Single(events);

    [Fact]
    public void ByNameLoadsDependenciesFirstLinksEachAndTaintsOutOfTreeUnsigned()
    {
        Kernel().Dispose();
        var events = _f.Load(null, "lkmdemo_user");
        Assert.Equal(["lkmdemo_core", "lkmdemo_user"], events.Select(e => e.Module));
        Assert.All(events, e => Assert.Equal("loaded", e.Result));
        Assert.All(events, e => Assert.Equal("OE", e.Taint));
        Assert.Equal(LinkOptions.DefaultBase(Formats.Model.MachineArchitecture.X86_64), events[0].Address);
        Assert.True(events[1].Address >= events[0].Address + events[0].Size);
        Assert.Contains("lkmdemo_user: loading out-of-tree module taints kernel.", events[1].Notes);
        var list = _f.List();
        Assert.Equal(["lkmdemo_user"], list.Single(m => m.Name == "lkmdemo_core").UsedBy);
        Assert.Equal(1, list.Single(m => m.Name == "lkmdemo_core").Refs);

        // modprobe skips what is loaded; insmod of the path reaches add_unformed_module.
        Assert.Equal("already-loaded", Single(_f.Load(null, "lkmdemo_core")).Result);
        var again = Single(_f.Load(null, _core));
        Assert.Equal(Errno.EEXIST, again.Errno);
    }

    [Fact]
    public void AnAliasResolvesThroughTheTreesIndexes()
    {
        Kernel().Dispose();
        var events = _f.Load(null, "pci:v00001234d00005678sv00000000sd00000000bc00sc00i00");
        Assert.Equal(["lkmdemo_core", "lkmdemo_user"], events.Select(e => e.Module)); // the alias matched lkmdemo_user
        Assert.All(events, e => Assert.Equal("loaded", e.Result));
        var again = Single(_f.Load(null, "lkmdemo-alias")); // MODULE_ALIAS of lkmdemo_core
        Assert.Equal(("lkmdemo_core", "already-loaded"), (again.Module, again.Result));
    }

    [Theory]
    [InlineData("x86_64", true)]
    [InlineData("amd64", true)]
    [InlineData("X86_64", true)]
    [InlineData("i386", false)]
    [InlineData("aarch64", false)]
    public void ArchSettingTakesTheNamesLkmInfoPrints(string arch, bool loads)
    {
        Kernel(new() { ["arch"] = arch }).Dispose();
        var first = _f.Load(null, "lkmdemo_core").First();
        Assert.Equal(loads ? null : Errno.ENOEXEC, first.Errno);
    }

    [Fact]
    public void AnArchSettingThatNamesNoArchitectureIsRefused()
    {
        var e = Assert.Throws<LoaderException>(() => Kernel(new() { ["arch"] = "vax11" }));
        Assert.Contains("arch=vax11", e.Message);
    }

    [Fact]
    public void ModulesDisabledRefusesWithEperm()
    {
        Kernel(new() { ["modules_disabled"] = "1" }).Dispose();
        Assert.Equal(Errno.EPERM, Single(_f.Load(null, _min)).Errno);
    }

    [Fact]
    public void VermagicMismatchIsEnoexecUnlessForcedWhichTaintsF()
    {
        Kernel(new() { ["vermagic"] = $"{Release} SMP mod_unload modversions " }).Dispose();
        var refused = Single(_f.Load(null, _min));
        Assert.Equal(Errno.ENOEXEC, refused.Errno);
        Assert.Equal($"lkmdemo_min: version magic '6.1.0-56-amd64 SMP preempt mod_unload modversions ' should be '{Release} SMP mod_unload modversions '", refused.Message);
        var forced = Single(_f.Load(new LoadOptions { ForceVermagic = true }, _min));
        Assert.Equal("loaded", forced.Result);
        Assert.Contains('F', forced.Taint ?? "");
        Assert.Contains("lkmdemo_min: bad vermagic: kernel tainted.", forced.Notes);
    }

    [Fact]
    public void ReleaseDiffersOnlyBeforeTheFirstSpaceSoModversionedModulesLoad()
    {
        Kernel().Dispose();
        Assert.Equal("loaded", Single(_f.Load(null, _min)).Result); // built for 6.1.0-56, kernel 6.1.0-57
    }

    [Fact]
    public void ModuleLayoutCrcMismatchIsEnoexec()
    {
        Kernel().Dispose();
        string symvers = File.ReadAllText(Path.Combine(_f.Directory, "Module.symvers"));
        var lines = symvers.Split('\n').Select(l => l.Contains("\tmodule_layout\t", StringComparison.Ordinal) ? "0x00000001" + l[10..] : l);
        File.WriteAllText(Path.Combine(_f.Directory, "Module.symvers"), string.Join('\n', lines));
        var e = Single(_f.Load(null, _min));
        Assert.Equal(Errno.ENOEXEC, e.Errno);
        Assert.Equal("lkmdemo_min: disagrees about version of symbol module_layout", e.Message);
    }

    [Fact]
    public void SymbolCrcMismatchIsEinvalAndForceModversionTaintsF()
    {
        Kernel().Dispose();
        string path = Path.Combine(_f.Directory, "Module.symvers");
        File.WriteAllLines(path, File.ReadAllLines(path).Select(l => l.Contains("\t_printk\t", StringComparison.Ordinal) ? "0x00000001" + l[10..] : l));
        var e = Single(_f.Load(null, _min));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Equal("lkmdemo_min: Unknown symbol _printk (err -22)", e.Message);
        Assert.Contains("lkmdemo_min: disagrees about version of symbol _printk", e.Notes);
        // --force-modversion alone drops __versions, so vermagic is compared whole and the release (56 vs 57) differs.
        Assert.Equal(Errno.ENOEXEC, Single(_f.Load(new LoadOptions { ForceModversion = true }, _min)).Errno);
        var forced = Single(_f.Load(new LoadOptions { Force = true }, _min));
        Assert.Equal("loaded", forced.Result);
        Assert.Contains('F', forced.Taint ?? "");
    }

    [Fact]
    public void MissingVersionEntryIsRefusedAsDebianDoes()
    {
        Kernel().Dispose();
        // Rename _printk's __versions record, so the module has no CRC for the symbol it imports.
        LoaderFixture.Patch(_min, "_printk\0\0", "_printq\0\0");
        var e = Single(_f.Load(null, _min));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Contains("lkmdemo_min: no symbol version for _printk", e.Notes);
    }

    [Fact]
    public void NonGplLicenseTaintsPAndHidesGplOnlySymbols()
    {
        Kernel().Dispose();
        LoaderFixture.Patch(_user, "license=GPL\0", "license=XPL\0");
        var events = _f.Load(null, "lkmdemo_user");
        Assert.Equal("loaded", events[0].Result);
        var user = events[1];
        Assert.Equal(Errno.ENOENT, user.Errno);
        Assert.Contains("lkmdemo_user: Unknown symbol lkmdemo_gpl_only (err -2)", user.Notes.Append(user.Message));
        Assert.Contains("lkmdemo_user: module license 'XPL' taints kernel.", user.Notes);
    }

    [Fact]
    public void MissingNamespaceImportIsEinval()
    {
        Kernel().Dispose();
        LoaderFixture.Patch(_user, "import_ns=LKMDEMO", "import_ns=LKMDEMX");
        var user = _f.Load(null, "lkmdemo_user")[1];
        Assert.Equal(Errno.EINVAL, user.Errno);
        Assert.Contains("lkmdemo_user: module uses symbol (lkmdemo_ns_func) from namespace LKMDEMO, but does not import it.", user.Notes);
    }

    [Fact]
    public void DuplicateExportIsEnoexec()
    {
        Kernel().Dispose();
        string twin = _f.Copy("testdata/linux/x86_64/lkmdemo_core.ko", "lkmdemo_twin.ko");
        LoaderFixture.Patch(twin, "name=lkmdemo_core", "name=lkmdemo_twin");
        Assert.Equal("loaded", Single(_f.Load(null, _core)).Result);
        var e = Single(_f.Load(null, twin));
        Assert.Equal(Errno.ENOEXEC, e.Errno);
        Assert.StartsWith("lkmdemo_twin: exports duplicate symbol lkmdemo_", e.Message);
        Assert.EndsWith("(owned by lkmdemo_core)", e.Message);
    }

    [Fact]
    public void UnknownSymbolWithoutExporterIsEnoent()
    {
        Kernel().Dispose();
        File.Delete(_core); // depmod finds no exporter in the tree, so nothing is loaded before lkmdemo_user
        var refused = Single(_f.Load(null, _user));
        Assert.Equal(Errno.ENOENT, refused.Errno);
        Assert.Matches(@"^lkmdemo_user: Unknown symbol lkmdemo_\w+ \(err -2\)$", refused.Message);
    }

    [Fact]
    public void StagingAndTestModinfoTaintCAndN()
    {
        Kernel().Dispose();
        string staging = _f.Copy("testdata/linux/x86_64/lkmdemo_min.ko", "staging_min.ko");
        LoaderFixture.Patch(staging, "retpoline=Y\0", "staging=Y\0\0\0");
        Assert.Contains('C', Single(_f.Load(null, staging)).Taint ?? "");
        _f.Unload(true, "lkmdemo_min");
        LoaderFixture.Patch(_min, "retpoline=Y\0", "test=Y\0\0\0\0\0\0");
        Assert.Contains('N', Single(_f.Load(null, _min)).Taint ?? "");
    }

    [Fact]
    public void ElfTypeOtherThanRelIsEnoexec()
    {
        Kernel().Dispose();
        byte[] bytes = File.ReadAllBytes(_min);
        bytes[16] = 3; // ET_DYN
        File.WriteAllBytes(_min, bytes);
        var e = Single(_f.Load(null, _min));
        Assert.Equal(Errno.ENOEXEC, e.Errno);
    }

    [Fact]
    public void SignatureRules()
    {
        string signed = _f.Copy("testdata/linux/x86_64/lkmdemo_core.signed.ko");
        Kernel(new() { ["sig_enforce"] = "1" }).Dispose();
        Assert.Equal("Loading of unsigned module is rejected", Single(_f.Load(null, _min)).Message);
        var e = Single(_f.Load(null, signed));
        Assert.Equal(Errno.EKEYREJECTED, e.Errno);
        Assert.Equal("Loading of module with unavailable key is rejected", e.Message);

        Kernel(new() { ["lockdown"] = "integrity" }).Dispose();
        Assert.Equal(Errno.EPERM, Single(_f.Load(null, _min)).Errno);

        Kernel().Dispose();
        Assert.Contains("lkmdemo_min: module verification failed: signature and/or required key missing - tainting kernel", Single(_f.Load(null, _min)).Notes);
    }

    [Fact]
    public void SignatureVerifiedAgainstTheCertificateAndBadSignatureIsFatal()
    {
        string signed = _f.Copy("testdata/linux/x86_64/lkmdemo_core.signed.ko");
        string cert = Directory.GetFiles(RepoPaths.TestData("linux", "keys"), "*.pem").Concat(Directory.GetFiles(RepoPaths.TestData("linux", "keys"), "*.crt"))
            .First(f => File.ReadAllText(f).Contains("CERTIFICATE", StringComparison.Ordinal));
        _f.NewKernel(KernelOs.Linux, Release, [_map], _f.SymversFor(_core, _user, _min), settings: new() { ["sig_enforce"] = "1" }, certs: [cert]).Dispose();
        var ok = Single(_f.Load(null, signed));
        Assert.Equal("loaded", ok.Result);
        Assert.Equal("O", ok.Taint); // signed: no E

        _f.NewKernel(KernelOs.Linux, Release, [_map], _f.SymversFor(_core, _user, _min), certs: [cert]).Dispose();
        byte[] bytes = File.ReadAllBytes(signed);
        bytes[0x100] ^= 0xff; // the signed digest no longer matches
        File.WriteAllBytes(signed, bytes);
        var bad = Single(_f.Load(null, signed));
        Assert.Equal(Errno.EKEYREJECTED, bad.Errno);
    }

    [Fact]
    public void UnloadRules()
    {
        Kernel().Dispose();
        _f.Load(null, "lkmdemo_user", _min);
        var inUse = Single(_f.Unload(false, "lkmdemo_core"));
        Assert.Equal(Errno.EWOULDBLOCK, inUse.Errno);
        Assert.Equal("rmmod: ERROR: Module lkmdemo_core is in use by: lkmdemo_user", inUse.Message);
        Assert.Equal(Errno.EBUSY, Single(_f.Unload(false, "lkmdemo_min")).Errno); // init without exit
        Assert.Equal(Errno.ENOENT, Single(_f.Unload(false, "nosuch")).Errno);
        Assert.Equal(["unloaded", "unloaded"], _f.Unload(false, "lkmdemo_user", "lkmdemo_core").Select(e => e.Result));
        Assert.Equal("unloaded", Single(_f.Unload(true, "lkmdemo_min")).Result);
        using var kernel = ModelKernel.Open(_f.StatePath);
        Assert.Contains('R', kernel.Taint ?? "");
        Assert.Empty(kernel.List());
    }

    [Fact]
    public void RefusedLoadLeavesTheStateFileUntouched()
    {
        Kernel().Dispose();
        _f.Load(null, _core);
        byte[] before = File.ReadAllBytes(_f.StatePath);
        Assert.True(Single(_f.Load(null, _core)).Refused);
        Assert.Equal(before, File.ReadAllBytes(_f.StatePath));
        Assert.Empty(System.IO.Directory.GetFiles(_f.Directory, ".*tmp"));
    }

    [SkippableFact]
    public void DebianKernelSymversAcceptsTheFixturesBuiltFor56()
    {
        const string symvers = "/work/cache/debian/headers/usr/src/linux-headers-6.1.0-57-amd64/Module.symvers";
        Skip.IfNot(File.Exists(symvers), $"{symvers} (Debian linux-headers-6.1.0-57-amd64) is not here");
        _f.NewKernel(KernelOs.Linux, Release, [_map], symvers).Dispose();
        Assert.All(_f.Load(null, "lkmdemo_user"), e => Assert.Equal("loaded", e.Result));
    }
}
