using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary><see cref="KernelModule.Provides"/>: what a file offers, each module with the dependencies it declares.</summary>
public class ProvidesTests
{
    private static ModuleDependency Range(string name, int min, int max, int preferred) =>
        new(name, DependencyKind.Hard, $"{min}", $"{max}", $"{preferred}");

    [Theory]
    [InlineData("amd64")]
    [InlineData("i386")]
    public void AFreeBsdFileWithTwoModulesGivesEachItsOwnDependencies(string arch)
    {
        // fbsd_demo.c: DECLARE_MODULE(demo_core) + MODULE_VERSION(demo_core, 3); DECLARE_MODULE(demo_extra) +
        // MODULE_VERSION(demo_extra, 1) + MODULE_DEPEND(demo_extra, demo_core, 3, 3, 3); DECLARE_MODULE adds the kernel range.
        using var file = ModuleReader.Open(RepoPaths.TestData("freebsd", arch, "fbsd_demo.ko"));
        var m = Assert.Single(file.Modules);
        var kernel = Range("kernel", 1402000, 1499999, 1402000);
        Assert.Equal(["demo_core 3 module", "demo_core 3 interface", "demo_extra 1 module", "demo_extra 1 interface"],
            m.Provides.Select(p => $"{p.Name} {p.Version} {(p.IsInterface ? "interface" : "module")}"));
        Assert.Equal([kernel], m.Provides[0].Dependencies);
        Assert.Equal([kernel, Range("demo_core", 3, 3, 3)], m.Provides[2].Dependencies);
        Assert.Empty(m.Provides[1].Dependencies);
        Assert.Empty(m.Dependencies); // the file as a whole: kernel is its target range and demo_core its own
        Assert.Equal(((FreeBsdModuleDetails)m.Details!).Kernel, m.Provides[0].Dependencies[0]);
        Assert.Equal("demo_extra", ((FreeBsdModuleDetails)m.Details!).Records[6].DeclaredBy);
    }

    [Theory]
    [InlineData("amd64")]
    [InlineData("i386")]
    public void AFreeBsdFileWithOneModuleOwnsItsDependencies(string arch)
    {
        using var file = ModuleReader.Open(RepoPaths.TestData("freebsd", arch, "fbsd_user.ko"));
        var m = Assert.Single(file.Modules);
        var provision = Assert.Single(m.Provides, p => !p.IsInterface);
        Assert.Equal(("demo_user", "2"), (provision.Name, provision.Version));
        Assert.Equal([Range("kernel", 1402000, 1499999, 1402000), Range("demo_core", 2, 4, 3)], provision.Dependencies);
        Assert.Equal([Range("demo_core", 2, 4, 3)], m.Dependencies);
        Assert.Equal(("demo_user", "2"), (m.Provides[1].Name, m.Provides[1].Version));
        Assert.True(m.Provides[1].IsInterface);
    }

    [Fact]
    public void ADependencyRecordNamesItsDeclarerOnlyWhenItsSymbolSaysSo()
    {
        Assert.Equal("demo_extra", new FreeBsdMetadataRecord { Index = 0, StructVersion = 1, RawType = 1, Name = "demo_core", Symbol = "_mod_metadata_md_demo_extra_on_demo_core" }.DeclaredBy);
        Assert.Equal("a_on_b", new FreeBsdMetadataRecord { Index = 0, StructVersion = 1, RawType = 1, Name = "c", Symbol = "_mod_metadata_md_a_on_b_on_c" }.DeclaredBy);
        Assert.Null(new FreeBsdMetadataRecord { Index = 0, StructVersion = 1, RawType = 1, Name = "kernel", Symbol = "_mod_metadata_md_demo_on_core" }.DeclaredBy);
        Assert.Null(new FreeBsdMetadataRecord { Index = 0, StructVersion = 1, RawType = 1, Name = "kernel", Symbol = "_mod_metadata_md__on_kernel" }.DeclaredBy);
        Assert.Null(new FreeBsdMetadataRecord { Index = 0, StructVersion = 1, RawType = 1, Name = "kernel" }.DeclaredBy);
    }

    [Fact]
    public void EveryOtherFormatProvidesItsModuleNameWithItsDependencies()
    {
        using (var linux = ModuleReader.Open(RepoPaths.Linux("x86_64", "lkmdemo_user.ko")))
        {
            var m = Assert.Single(linux.Modules);
            var p = Assert.Single(m.Provides);
            Assert.Equal((m.Name, m.Version, false), (p.Name, p.Version, p.IsInterface));
            Assert.NotEmpty(m.Dependencies);
            Assert.Equal(m.Dependencies, p.Dependencies);
        }

        using var kext = ModuleReader.Open(RepoPaths.TestData("kext", "DemoKext.kext"));
        foreach (var m in kext.Modules)
        {
            var p = Assert.Single(m.Provides);
            var details = Assert.IsType<Flavors.Kext.KextDetails>(m.Details);
            Assert.Equal((details.BundleIdentifier, details.BundleVersion), (p.Name, p.Version));
            Assert.Equal(m.Dependencies, p.Dependencies);
        }
    }
}
