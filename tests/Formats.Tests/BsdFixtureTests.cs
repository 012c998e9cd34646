using LkmKit.Formats;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>Reads the clang/lld-built FreeBSD and NetBSD fixtures and checks every field against their sources.</summary>
public class BsdFixtureTests
{
    public static TheoryData<string> Arches => ["amd64", "i386"];

    internal static string FreeBsd(string arch, string file) => RepoPaths.TestData("freebsd", arch, file);

    internal static string NetBsd(string arch, string file) => RepoPaths.TestData("netbsd", arch, file);

    [Theory]
    [MemberData(nameof(Arches))]
    public void FreeBsdFileDeclaringTwoModules(string arch)
    {
        using var file = ModuleReader.Open(FreeBsd(arch, "fbsd_demo.ko"));
        var m = Assert.Single(file.Modules);
        Assert.Equal(ModuleFlavor.FreeBsd, m.Flavor);
        Assert.Equal(arch == "amd64" ? "REL" : "DYN", m.FileType);
        Assert.Equal(arch == "amd64" ? MachineArchitecture.X86_64 : MachineArchitecture.X86, m.Machine);
        Assert.Equal("demo_core", m.Name);
        Assert.Equal("3", m.Version);
        Assert.Equal("1402000..1499999", m.TargetKernel);
        Assert.Empty(m.Dependencies); // kernel is the target range; demo_core is provided by this file
        Assert.Empty(m.Diagnostics);
        var details = Assert.IsType<FreeBsdModuleDetails>(m.Details);
        Assert.Equal(arch != "amd64", details.IsShared);
        Assert.Equal(["demo_core", "demo_extra"], details.ModuleNames);
        Assert.Equal(new FreeBsdDependRange(1402000, 1402000, 1499999), details.KernelRange);
        Assert.Equal(new ModuleDependency("kernel", DependencyKind.Hard, "1402000", "1499999", "1402000"), details.Kernel);
        Assert.Equal(
            ["MDT_DEPEND kernel", "MDT_MODULE demo_core", "MDT_VERSION demo_core", "MDT_DEPEND kernel", "MDT_MODULE demo_extra",
             "MDT_VERSION demo_extra", "MDT_DEPEND demo_core", "MDT_PNP_INFO pci"],
            details.Records.Select(r => $"MDT_{r.Type switch { FreeBsdMetadataType.PnpInfo => "PNP_INFO", var t => t.ToString()!.ToUpperInvariant() }} {r.Name}"));
        Assert.All(details.Records, r => Assert.Equal(1, r.StructVersion));
        Assert.Equal(3, details.Records[2].Version);
        Assert.Equal(1, details.Records[5].Version);
        Assert.Equal([new("demo_core", 3), new("demo_extra", 1)], details.Interfaces);
        Assert.Equal(new FreeBsdDependRange(3, 3, 3), details.Records[6].Depend);
        Assert.Equal(new FreeBsdModuleData("demo_core", "demo_core_handler", details.Records[1].Module!.HandlerAddress), details.Records[1].Module);
        Assert.Equal("demo_extra_handler", details.Records[4].Module!.Handler);
        Assert.Equal(["demo_core_handler", "demo_extra_handler"], m.EntryPoints.Select(e => e.Symbol));
        Assert.All(m.EntryPoints, e => Assert.Equal(EntryPointKind.ModuleCommand, e.Kind));
        Assert.Equal(["demo_core_api", "demo_core_counter"], m.Exports.Select(e => e.Name).Order());
        Assert.Equal(["printf"], m.Imports.Select(i => i.Name));
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void FreeBsdPnpTable(string arch)
    {
        using var file = ModuleReader.Open(FreeBsd(arch, "fbsd_demo.ko"));
        var pnp = Assert.Single(((FreeBsdModuleDetails)file.Modules[0].Details!).Records, r => r.Pnp is not null).Pnp!;
        Assert.Equal("pci", pnp.Bus);
        Assert.Equal("U16:vendor;U16:device;V32:subvendor;D:#", pnp.Descriptor);
        Assert.Equal("I:vendor;I:device;J:subvendor;D:#;", pnp.ConvertedDescriptor);
        Assert.Equal(arch == "amd64" ? 16 : 12, pnp.EntryLength); // sizeof(struct demo_pci_id)
        Assert.Equal(3, pnp.EntryCount);
        Assert.Equal(
            ["0x8086 0x100e 0xffffffff Demo Gigabit Adapter", "0x8086 0x10d3 0x11028 Demo 82574L", "0x1af4 0x1000 0xffffffff "],
            pnp.Entries.Select(e => string.Join(' ', e)));
        Assert.Equal(-1, pnp.Entries[0][2].Number); // V32 all-ones is the wildcard -1
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void FreeBsdModuleDependingOnAnother(string arch)
    {
        using var file = ModuleReader.Open(FreeBsd(arch, "fbsd_user.ko"));
        var m = file.Modules[0];
        Assert.Equal("demo_user", m.Name);
        Assert.Equal("2", m.Version);
        Assert.Equal([new ModuleDependency("demo_core", DependencyKind.Hard, "2", "4", "3")], m.Dependencies);
        Assert.Equal(["demo_user_handler"], m.EntryPoints.Select(e => e.Symbol));
        Assert.Equal(["demo_core_api", "demo_core_counter"], m.Imports.Select(i => i.Name).Order());
        Assert.Empty(m.Exports);
    }

    [Theory]
    [InlineData("fbsd_demo")]
    [InlineData("fbsd_user")]
    public void EtRelAndEtDynBuildsGiveTheSameModel(string name)
    {
        using var rel = ModuleReader.Open(FreeBsd("i386", $"kld/{name}.kld"));
        using var dyn = ModuleReader.Open(FreeBsd("i386", $"{name}.ko"));
        using var amd64 = ModuleReader.Open(FreeBsd("amd64", $"{name}.ko"));
        Assert.Equal("REL", rel.Modules[0].FileType);
        Assert.Equal("DYN", dyn.Modules[0].FileType);
        Assert.Equal(Project(rel.Modules[0]), Project(dyn.Modules[0]));
        Assert.Equal(Project(rel.Modules[0]).Replace(" of 12 bytes", " of 16 bytes", StringComparison.Ordinal), Project(amd64.Modules[0]));
    }

    /// <summary>Everything the model says about a module except addresses and container facts.</summary>
    private static string Project(KernelModule m)
    {
        var details = (FreeBsdModuleDetails)m.Details!;
        var lines = new List<string> { $"{m.Name} {m.Version} {m.TargetKernel}" };
        lines.AddRange(m.Metadata.Select(p => $"{p.Key}={p.Value}"));
        lines.AddRange(m.Dependencies.Select(d => d.ToString()));
        lines.AddRange(m.Exports.Select(e => "export " + e.Name).Order());
        lines.AddRange(m.Imports.Select(i => "import " + i.Name).Order());
        lines.AddRange(m.EntryPoints.Select(e => $"entry {e.Kind} {e.Symbol}"));
        lines.AddRange(details.Records.Select(r => $"{r.RawType} {r.Name} {r.Depend} {r.Version} {r.Module?.Name} {r.Module?.Handler}"));
        lines.AddRange(details.Records.Where(r => r.Pnp is not null).SelectMany(r => r.Pnp!.Entries.Select(e => string.Join('|', e))));
        lines.AddRange(m.Diagnostics.Select(d => d.Message));
        return string.Join('\n', lines);
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void NetBsdDriverWithRequiredModulesAndProperties(string arch)
    {
        using var file = ModuleReader.Open(NetBsd(arch, "nbsd_demo.kmod"));
        var m = Assert.Single(file.Modules);
        Assert.Equal(ModuleFlavor.NetBsd, m.Flavor);
        Assert.Equal("REL", m.FileType);
        Assert.Equal("nbsd_demo", m.Name);
        Assert.Equal(arch == "amd64" ? "10.0" : "9.3", m.TargetKernel);
        Assert.Equal([new ModuleDependency("nbsd_base", DependencyKind.Hard), new ModuleDependency("pci", DependencyKind.Hard)], m.Dependencies);
        Assert.Empty(m.Diagnostics);
        var d = Assert.IsType<NetBsdModuleDetails>(m.Details);
        Assert.Equal(arch == "amd64" ? 1000000000u : 903000000u, d.RawVersion);
        Assert.Equal(3, d.RawClass);
        Assert.Equal("driver", d.Class);
        Assert.Equal("nbsd_base,pci", d.Required);
        Assert.Equal(NetBsdRequiredEncoding.List, d.RequiredEncoding);
        Assert.Equal("nbsd_demo_modcmd", d.ModuleCommand);
        Assert.Equal("nbsd_demo_modinfo", d.ModinfoSymbol);
        var entry = Assert.Single(m.EntryPoints);
        Assert.Equal(new ModuleEntryPoint(EntryPointKind.ModuleCommand, "nbsd_demo_modcmd", entry.Address), entry);
        Assert.Equal(["$NetBSD: nbsd_demo.c,v 1.12 2024/06/02 08:30:00 lkmkit Exp $"], d.RcsIds);
        Assert.Equal("nbsd_demo.prop", Path.GetFileName(d.PropertiesPath));
        Assert.Equal(
            [new NetBsdProperty("verbose", "bool", "true"), new NetBsdProperty("max-units", "integer", "4"),
             new NetBsdProperty("label", "string", "demo & test"), new NetBsdProperty("ports[0]", "integer", "0x3f8"),
             new NetBsdProperty("ports[1]", "integer", "760")],
            d.Properties);
        Assert.Equal(["nbsd_base_hello", "printf", "prop_dictionary_get"], m.Imports.Select(i => i.Name).Order());
        Assert.Empty(m.Exports);
    }

    [Fact]
    public void NetBsdPropertiesComeThroughTheSourceNotFromTheDisk()
    {
        string path = NetBsd("amd64", "nbsd_demo.kmod");
        Assert.True(File.Exists(Path.ChangeExtension(path, ".prop")));
        using var source = IO.ModuleSource.FromMemory(path, File.ReadAllBytes(path));
        var d = Assert.IsType<NetBsdModuleDetails>(Assert.Single(ModuleReader.Read(source)).Details);
        Assert.Null(d.PropertiesPath);
        Assert.Empty(d.Properties);
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void NetBsdMiscModuleWithNullRequired(string arch)
    {
        using var file = ModuleReader.Open(NetBsd(arch, "nbsd_base.kmod"));
        var m = file.Modules[0];
        var d = (NetBsdModuleDetails)m.Details!;
        Assert.Equal("nbsd_base", m.Name);
        Assert.Equal("misc", d.Class);
        Assert.Null(d.Required);
        Assert.Equal(NetBsdRequiredEncoding.Null, d.RequiredEncoding);
        Assert.Empty(m.Dependencies);
        Assert.Equal("nbsd_base_modcmd", d.ModuleCommand);
        Assert.Null(d.PropertiesPath);
        Assert.Equal(["$NetBSD: nbsd_base.c,v 1.4 2024/05/01 12:00:00 lkmkit Exp $"], d.RcsIds);
        Assert.Equal(["nbsd_base_calls", "nbsd_base_hello"], m.Exports.Select(e => e.Name).Order());
        Assert.Equal(["printf"], m.Imports.Select(i => i.Name));
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void NetBsdEmptyRequiredStringAndNameDifferentFromFile(string arch)
    {
        using var file = ModuleReader.Open(NetBsd(arch, "nbsd_empty_req.kmod"));
        var m = file.Modules[0];
        var d = (NetBsdModuleDetails)m.Details!;
        Assert.Equal("nbsd_secdemo", m.Name);
        Assert.Equal("secmodel", d.Class);
        Assert.Equal("", d.Required);
        Assert.Equal(NetBsdRequiredEncoding.Empty, d.RequiredEncoding);
        Assert.Empty(m.Dependencies);
        Assert.Empty(d.RcsIds);
    }

    [Fact]
    public void RecognitionIgnoresTheFileName()
    {
        string dir = Directory.CreateTempSubdirectory("lkm-bsd-").FullName;
        try
        {
            string asLinux = Path.Combine(dir, "looks_linux.ko");
            File.Copy(NetBsd("amd64", "nbsd_base.kmod"), asLinux);
            string asNetBsd = Path.Combine(dir, "looks_netbsd.kmod");
            File.Copy(FreeBsd("amd64", "fbsd_demo.ko"), asNetBsd);
            string linux = Path.Combine(dir, "linux.kmod");
            File.Copy(RepoPaths.Linux("x86_64", "lkmdemo_min.ko"), linux);
            using (var f = ModuleReader.Open(asLinux)) { Assert.Equal(ModuleFlavor.NetBsd, f.Modules[0].Flavor); }
            using (var f = ModuleReader.Open(asNetBsd)) { Assert.Equal(ModuleFlavor.FreeBsd, f.Modules[0].Flavor); }
            using (var f = ModuleReader.Open(linux)) { Assert.Equal(ModuleFlavor.Linux, f.Modules[0].Flavor); }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData(903000000u, "9.3")]
    [InlineData(1000000000u, "10.0")]
    [InlineData(1099001000u, "10.99.10")]
    [InlineData(700000200u, "7.0_PATCH2")]
    [InlineData(801000000u, "8.1")]
    public void NetBsdVersionFormatting(uint raw, string expected) => Assert.Equal(expected, NetBsdVersion.Format(raw));

    [Theory]
    [InlineData("a,b", new[] { "a", "b" })]
    [InlineData(",a,,b", new[] { "a" })]
    [InlineData("", new string[0])]
    [InlineData("solo", new[] { "solo" })]
    public void NetBsdRequiredSplitsLikeTheKernel(string required, string[] expected) =>
        Assert.Equal(expected, NetBsdModuleReader.SplitRequired(required));

    [Fact]
    public void EisaIdsFormatLikeKldxref() => Assert.Equal("PNP0501", PnpDescriptor.EisaId(0x0105d041));
}
