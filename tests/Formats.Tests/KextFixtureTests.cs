using LkmKit.Formats;
using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>The kext and Mach-O fixtures (testdata/kext, built by scripts/build-kext-fixtures.sh) read with every field as the sources and plists say.</summary>
public class KextFixtureTests
{
    private static string Kext(params string[] parts) => RepoPaths.TestData(["kext", .. parts]);

    private static KextDetails KextOf(KernelModule m) => Assert.IsType<KextDetails>(m.Details);

    private static MachODetails MachOOf(KernelModule m) => Assert.IsType<MachODetails>(m.ContainerDetails);

    [Fact]
    public void FatKextBundleWithPlugInsGivesOneModulePerSliceThenThePlugIns()
    {
        using var file = ModuleReader.Open(Kext("DemoKext.kext"));
        Assert.Equal(5, file.Modules.Count);
        var (x64, i386, arm64, injector, plugin) = (file.Modules[0], file.Modules[1], file.Modules[2], file.Modules[3], file.Modules[4]);

        // Slices in fat-header order, each with its own file type.
        Assert.Equal((MachineArchitecture.X86_64, "BUNDLE", 64), (x64.Machine, x64.FileType, x64.Bits));
        Assert.Equal((MachineArchitecture.X86, "OBJECT", 32), (i386.Machine, i386.FileType, i386.Bits));
        Assert.Equal((MachineArchitecture.AArch64, "BUNDLE", 64), (arm64.Machine, arm64.FileType, arm64.Bits));
        Assert.Equal([0x1000L, 0x4000L, 0x8000L], new[] { x64, i386, arm64 }.Select(m => MachOOf(m).Slice!.Value.Offset));
        Assert.Equal([8816L, 1152L], new[] { x64, i386 }.Select(m => MachOOf(m).Slice!.Value.Size));
        Assert.All(new[] { x64, i386, arm64 }, m => Assert.Equal(3, MachOOf(m).SliceCount));

        foreach (var m in new[] { x64, i386, arm64 })
        {
            var k = KextOf(m);
            Assert.Equal(ModuleFlavor.Kext, m.Flavor);
            Assert.Equal("com.example.lkmkit.demo", m.Name);
            Assert.Equal("1.2.3", m.Version);
            Assert.Equal("LkmKit Demo © Example", m.Description);
            Assert.Equal("1.0.0b2", k.CompatibleVersion);
            Assert.Equal("Root", k.Required);
            Assert.Equal("DemoKext", k.Executable);
            Assert.Equal("xml", k.PlistFormat);
            Assert.Equal(new KmodInfo("com.example.lkmkit.demo", "1.2.3", 1, k.KmodInfo!.Start, "_demo_start", k.KmodInfo.Stop, "_demo_stop", k.KmodInfo.Address), k.KmodInfo);
            Assert.Equal(["DemoDriver", "DemoResource"], k.Personalities.Select(p => p.Name));
            Assert.Equal("IOPCIDevice", k.Personalities[0].ProviderClass);
            Assert.Equal("com_example_DemoService", k.Personalities[1].IOClass);
            Assert.Equal([new("IOResourceMatch", "IOKit"), new KeyValuePair<string, string>("IOMatchCategory", "DemoService")], k.Personalities[1].Match);
            Assert.Equal([Kext("DemoKext.kext", "Contents", "PlugIns", "DemoInjector.kext"), Kext("DemoKext.kext", "Contents", "PlugIns", "DemoPlugin.kext")], k.PlugIns);
            Assert.Equal([EntryPointKind.KmodStart, EntryPointKind.KmodStop], m.EntryPoints.Select(e => e.Kind));
        }

        // Start/stop through the bundle's stored pointers (x86_64), the object's relocations (i386) and chained fixups (arm64).
        Assert.Equal((0x490UL, 0x4B0UL, 0x1040UL), (KextOf(x64).KmodInfo!.Start!.Value, KextOf(x64).KmodInfo!.Stop!.Value, KextOf(x64).KmodInfo!.Address));
        Assert.Equal((0x10UL, 0x40UL), (KextOf(i386).KmodInfo!.Start!.Value, KextOf(i386).KmodInfo!.Stop!.Value));
        Assert.Equal((0x43CUL, 0x470UL, 0x8028UL), (KextOf(arm64).KmodInfo!.Start!.Value, KextOf(arm64).KmodInfo!.Stop!.Value, KextOf(arm64).KmodInfo!.Address));
        Assert.Equal(["DYLD_CHAINED_PTR_64"], MachOOf(arm64).ChainedFixupFormats);

        // OSBundleLibraries_x86_64 overrides OSBundleLibraries for the x86_64 slice only.
        Assert.Equal(["com.apple.kpi.iokit >= 10.0.0", "com.apple.kpi.libkern >= 10.0.0", "com.apple.kpi.mach >= 10.0.0d1"],
            x64.Dependencies.Select(d => $"{d.Name} >= {d.MinimumVersion}"));
        Assert.Equal(["com.apple.kernel.6.0 >= 7.9.9", "com.apple.kpi.libkern >= 8.0.0"], i386.Dependencies.Select(d => $"{d.Name} >= {d.MinimumVersion}"));
        Assert.Equal(i386.Dependencies, arm64.Dependencies);
        Assert.Equal(["_IOLog", "_kernel_pointer", "dyld_stub_binder"], x64.Imports.Select(i => i.Name)); // ld64.lld adds dyld_stub_binder

        // The codeless plug-in with a binary Info.plist.
        var inj = KextOf(injector);
        Assert.Equal(("com.example.lkmkit.demo.injector", "1.0fc3", "CODELESS"), (injector.Name, injector.Version, injector.FileType));
        Assert.True(inj.IsCodeless);
        Assert.Equal("binary", inj.PlistFormat);
        Assert.Equal("com.example.lkmkit.demo", inj.ParentBundle);
        Assert.Equal([new("IONameMatch", "[pci8086,a170, pci8086,9d70]"), new KeyValuePair<string, string>("IOProbeScore", "5000")],
            inj.Personalities[0].Match.Where(m => m.Key != "IOProbeScore").Append(new("IOProbeScore", "5000")));
        Assert.Null(injector.ContainerDetails);
        Assert.Empty(injector.Sections);

        // The plug-in with code: kmod_info's compiled strings differ from its plist, which wins.
        var plug = KextOf(plugin);
        Assert.Equal(("com.example.lkmkit.demo.plugin", "2.5.7"), (plugin.Name, plugin.Version));
        Assert.Equal(("com.example.lkmkit.plugin.compiled", "1.0.0d1"), (plug.KmodInfo!.Name, plug.KmodInfo.Version));
        Assert.Equal((0x430UL, "_plugin_start", 0x450UL, "_plugin_stop"), (plug.KmodInfo.Start!.Value, plug.KmodInfo.StartSymbol, plug.KmodInfo.Stop!.Value, plug.KmodInfo.StopSymbol));
        Assert.Contains(plugin.Diagnostics, d => d.Message.Contains("the kernel uses the Info.plist's com.example.lkmkit.demo.plugin 2.5.7"));
        Assert.Equal([("com.example.lkmkit.demo", "1.2.0"), ("com.apple.kpi.iokit", "10.0.0")], plugin.Dependencies.Select(d => (d.Name, d.MinimumVersion!)));
        Assert.Null(MachOOf(plugin).Slice);
    }

    [Fact]
    public void CodelessKextIsAMetadataOnlyModule()
    {
        using var file = ModuleReader.Open(Kext("Codeless.kext"));
        var m = Assert.Single(file.Modules);
        var k = KextOf(m);
        Assert.Equal(("com.example.lkmkit.usbmap", "1.0", "CODELESS", ModuleFlavor.Kext), (m.Name, m.Version, m.FileType, m.Flavor));
        Assert.True(k.IsCodeless);
        Assert.Null(k.Executable);
        Assert.Null(k.KmodInfo);
        Assert.Empty(m.Diagnostics);
        Assert.Equal("XHC", Assert.Single(k.Personalities).Name);
        Assert.Equal("AppleUSBXHCIPCI", k.Personalities[0].ProviderClass);
    }

    [Fact]
    public void MissingExecutableIsReportedNotTreatedAsCodeless()
    {
        using var file = ModuleReader.Open(Kext("MissingExec.kext"));
        var m = Assert.Single(file.Modules);
        Assert.Equal("MISSING-EXECUTABLE", m.FileType);
        Assert.False(KextOf(m).IsCodeless);
        var d = Assert.Single(m.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("CFBundleExecutable 'MissingExec' is declared but Contents/MacOS/MissingExec is missing", d.Message);
        Assert.Equal(("com.apple.iokit.IO80211FamilyLegacy", "600.0"), (m.Dependencies[0].Name, m.Dependencies[0].MinimumVersion));
    }

    [Fact]
    public void BareExecutableIsAKextFromKmodInfo()
    {
        using var file = ModuleReader.Open(Kext("objects", "demokext.x86_64.o"));
        var m = Assert.Single(file.Modules);
        Assert.Equal((ModuleFlavor.Kext, "com.example.lkmkit.demo", "1.2.3"), (m.Flavor, m.Name, m.Version));
        Assert.Null(KextOf(m).BundlePath);
        Assert.Equal(["_demo_start", "_demo_stop"], m.EntryPoints.Select(e => e.Symbol));
        Assert.Equal([0x10UL, 0x30UL], m.EntryPoints.Select(e => e.Address!.Value));
        Assert.Contains("_kmod_info", m.Exports.Select(e => e.Name));
    }

    [Fact]
    public void Arm64eObjectKeepsItsSubtype()
    {
        using var file = ModuleReader.Open(Kext("objects", "plugin.arm64e.o"));
        var macho = MachOOf(Assert.Single(file.Modules));
        Assert.Equal("arm64e", macho.ArchName);
        Assert.Equal(MachOConstants.CpuTypeArm64, macho.CpuType);
        Assert.Equal(2u, macho.CpuSubtype & 0xFFFFFF);
    }

    [Fact]
    public void Arm64AddendAndSubtractorPairsAreDecoded()
    {
        using var file = ModuleReader.Open(Kext("objects", "demokext.arm64.o"));
        var m = Assert.Single(file.Modules);
        var text = m.RelocationSections.Single(t => t.Name == "__TEXT,__text relocations").Relocations;
        // Each ARM64_RELOC_ADDEND (10) carries its addend (0xa0 = &table[40], 8 = &counters[2]) into the PAGE21/PAGEOFF12 after it.
        var addends = Enumerable.Range(0, text.Count).Where(i => text[i].RawType == 10).ToList();
        Assert.Equal(4, addends.Count);
        foreach (int i in addends)
        {
            Assert.Contains(text[i + 1].RawType, new uint[] { 3, 4 });
            Assert.Equal((text[i].Offset, text[i].Addend, false), (text[i + 1].Offset, text[i + 1].Addend, text[i + 1].AddendIsImplicit));
            Assert.Equal(text[i].Addend == 0xA0 ? "_table" : "_counters", m.Symbols[(int)text[i + 1].SymbolIndex].Name);
        }
        var data = m.RelocationSections.Single(t => t.Name == "__DATA,__data relocations").Relocations;
        var sub = data.ToList().FindIndex(r => r.RawType == 1);
        Assert.Equal(("_second_counter", "_table"), (m.Symbols[(int)data[sub].SymbolIndex].Name, m.Symbols[(int)data[sub + 1].SymbolIndex].Name));
        Assert.Equal((RelocationKind.Absolute, 64, 0u), (data[sub + 1].Kind, (int)data[sub + 1].Width, data[sub + 1].RawType));
    }

    [Fact]
    public void I386ScatteredRelocationsNameTheSectionOfTheirValue()
    {
        using var file = ModuleReader.Open(Kext("objects", "demokext.i386.o"));
        var m = Assert.Single(file.Modules);
        var data = m.RelocationSections.Single(t => t.Name == "__DATA,__data relocations").Relocations;
        var scattered = data.Where(r => (r.RawType & MachORelocationTypes.ScatteredFlag) != 0).ToList();
        Assert.Equal([0x100u, 0x102u, 0x101u], scattered.Select(r => r.RawType)); // VANILLA, then the SECTDIFF + PAIR of counter_span
        Assert.Equal("GENERIC_RELOC_SECTDIFF (scattered)", RelocationNames.Describe(ContainerFormat.MachO, scattered.Single(r => r.RawType == 0x102)));
        // second_counter = &counters[1]: a scattered VANILLA whose value lies in __DATA,__data.
        var vanilla = scattered.Single(r => r.RawType == 0x100);
        Assert.Equal("__DATA,__data", m.Sections[m.Symbols[(int)vanilla.SymbolIndex].SectionIndex].Name);
        Assert.Equal(0x5C + 4 + 4, vanilla.Addend); // __data at 0x5c, counters at +4, [1] at +4
    }
}
