using LkmKit.Formats.AOut;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>Reads the NASM-built a.out LKM fixtures (testdata/lkm/) and checks every field against their sources.</summary>
public class AOutLkmFixtureTests
{
    private static string Fixture(string name) => RepoPaths.TestData("lkm", name);

    private static (ModuleFile File, KernelModule Module, LkmModuleDetails Details) Open(string name, ModuleReadOptions? options = null)
    {
        var file = ModuleReader.Open(Fixture(name), options ?? ModuleReadOptions.Default);
        var module = Assert.Single(file.Modules);
        return (file, module, Assert.IsType<LkmModuleDetails>(module.Details));
    }

    [Fact]
    public void SyscallModule()
    {
        var (file, m, d) = Open("mysys.o");
        using var _ = file;
        Assert.Equal(ContainerFormat.AOut, m.Container);
        Assert.Equal(ModuleFlavor.LegacyLkm, m.Flavor);
        Assert.Equal(MachineArchitecture.X86, m.Machine);
        Assert.Equal(134u, m.RawMachine);
        Assert.Equal(32, m.Bits);
        Assert.Equal(ByteOrder.LittleEndian, m.ByteOrder);
        Assert.Equal("OMAGIC", m.FileType);
        Assert.Equal("mysys", m.Name);
        Assert.Equal(AOutMagicEncoding.NetBsd, Assert.IsType<AOutDetails>(m.ContainerDetails).MagicEncoding);
        Assert.Equal(LkmHeaderLayout.Classic, d.Layout);
        Assert.Equal(0, d.RawType);
        Assert.Equal(LkmModuleKind.Syscall, d.Kind);
        Assert.Null(d.OperatingSystem);
        Assert.Equal([LkmOperatingSystem.NetBsd, LkmOperatingSystem.OpenBsdOld, LkmOperatingSystem.OpenBsd], d.Candidates);
        Assert.Equal(1, d.InterfaceVersion);
        Assert.Equal(-1, d.Slot);
        Assert.Equal("__module", d.DescriptorSymbol);
        Assert.Equal("_mysys_lkmentry", d.EntrySymbol);
        Assert.Equal([new ModuleEntryPoint(EntryPointKind.LkmEntry, "_mysys_lkmentry", 0)], m.EntryPoints);
        Assert.Equal(["_lkmdispatch", "_printf"], m.Imports.Select(i => i.Name));
        var sysent = Assert.Single(d.Fields, f => f.Name == "lkm_sysent");
        Assert.Equal((16, "mysys_sysent"), (sysent.Offset, sysent.Target));
        Assert.Equal("modname", d.Fields.Single(f => f.Name == "lkm_name").Target);
        Assert.Empty(m.Diagnostics);
    }

    [Fact]
    public void DeviceModule()
    {
        var (file, m, d) = Open("mydev.o");
        using var _ = file;
        Assert.Equal("mydev", m.Name);
        Assert.Equal(LkmModuleKind.Device, d.Kind);
        Assert.Equal(2, d.RawType);
        Assert.Equal("char", d.DeviceType);
        Assert.Equal("mydev_cdevsw", d.Fields.Single(f => f.Name == "lkm_dev").Target);
        Assert.Equal(["lkm_type", "lkm_ver", "lkm_name", "lkm_offset", "lkm_devtype", "lkm_dev"], d.Fields.Select(f => f.Name));
        Assert.Equal(["_lkmdispatch", "_enodev", "_nullop", "_seltrue", "_uiomove"], m.Imports.Select(i => i.Name));
        Assert.Empty(m.Diagnostics);
    }

    [Fact]
    public void MiscModuleInLinuxAOut()
    {
        var (file, m, d) = Open("mymisc.o");
        using var _ = file;
        Assert.Equal(100u, m.RawMachine);
        Assert.Equal(MachineArchitecture.X86, m.Machine);
        Assert.Equal(AOutMagicEncoding.Gnu, Assert.IsType<AOutDetails>(m.ContainerDetails).MagicEncoding);
        Assert.Equal("mymisc", m.Name);
        Assert.Equal(5, d.RawType);
        Assert.Equal(LkmModuleKind.Misc, d.Kind);
        // 5 is LM_MISC in the classic numbering and no type at all in OpenBSD 4.x's: the kind is decided, the system is not.
        Assert.Null(d.OperatingSystem);
        Assert.Equal([LkmOperatingSystem.NetBsd, LkmOperatingSystem.OpenBsdOld, LkmOperatingSystem.FreeBsd], d.Candidates);
        Assert.Contains(m.Diagnostics, x => x.Message.Contains("Linux/GNU encoding names no BSD system"));
        Assert.Equal(["_lkmdispatch", "_printf", "_hz"], m.Imports.Select(i => i.Name));
    }

    [Fact]
    public void NetBsd4DeviceModule()
    {
        var (file, m, d) = Open("mycdev4.o");
        using var _ = file;
        Assert.Equal("mycdev4", m.Name);
        Assert.Equal(LkmHeaderLayout.NetBsd4, d.Layout);
        Assert.Equal([LkmOperatingSystem.NetBsd4], d.Candidates);
        Assert.Equal(LkmOperatingSystem.NetBsd4, d.OperatingSystem);
        Assert.Equal((2L, LkmModuleKind.Device), (d.RawType, d.Kind));
        Assert.Equal((2L, 400000000L, ",DEBUG", -1L), (d.InterfaceVersion, d.SystemVersion, d.EnvironmentVersion, d.Slot));
        Assert.Null(d.DeviceType);
        // a_text 0x24: the descriptor is the first thing in data; cdevsw follows its 11 words, then the two strings.
        Assert.Equal(
        [
            ("lkm_type", 0, 2L, null), ("lkm_name", 4, 0x24L + 0x3c, "modname"), ("lkm_offset", 8, -1L, null),
            ("lkm_modver", 12, 2L, null), ("lkm_sysver", 16, 400000000L, null), ("lkm_envver", 20, 0x24L + 0x44, "envver"),
            ("lkm_devname", 24, 0x24L + 0x3c, "modname"), ("lkm_bdev", 28, 0L, null), ("lkm_bdevmaj", 32, -1L, null),
            ("lkm_cdev", 36, 0x24L + 0x2c, "mycdev4_cdevsw"), ("lkm_cdevmaj", 40, -1L, null),
        ], d.Fields.Select(f => (f.Name, f.Offset, f.Value, f.Target)));
        Assert.Empty(m.Diagnostics);
    }

    [Fact]
    public void TypeAgreedByEverySystemOfItsLkmVersionIsDecidedWhileTheSystemIsNot()
    {
        // myexec.o's clues leave netbsd, openbsd-old and openbsd; lkm_ver 1 rules out OpenBSD 4.x (LKM_VERSION 2),
        // and both remaining systems number LM_EXEC 4.
        var (file, m, d) = Open("myexec.o");
        using (file)
        {
            Assert.Equal(4, d.RawType);
            Assert.Equal(LkmModuleKind.Exec, d.Kind);
            Assert.Null(d.OperatingSystem);
            Assert.Equal([LkmOperatingSystem.NetBsd, LkmOperatingSystem.OpenBsdOld, LkmOperatingSystem.OpenBsd], d.Candidates);
            Assert.Contains(d.Evidence, e => e.Contains("lkm_ver 1: every system with LKM_VERSION 1 (netbsd, openbsd-old) reads lkm_type 4 as LM_EXEC", StringComparison.Ordinal));
            Assert.Empty(m.Diagnostics);
            Assert.Equal("myexec_execsw", d.Fields.Single(f => f.Name == "lkm_exec").Target);
        }
    }

    [Fact]
    public void AmbiguousTypeIsReportedNotGuessed()
    {
        // The same object with an lkm_ver no system uses: the readings still differ, so the type stays unknown.
        var bytes = File.ReadAllBytes(Fixture("myexec.o"));
        uint text = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        int lkmVer = 32 + (int)0x4c + 4;
        Assert.Equal(1, System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(lkmVer)));
        Assert.Equal(0x4cu, text); // the descriptor is the first thing in .data, right after the text
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(lkmVer), 7);
        using var source = LkmKit.Formats.IO.ModuleSource.FromMemory("myexec-ver7.o", bytes);
        var m = Assert.Single(ModuleReader.Read(source));
        var d = Assert.IsType<LkmModuleDetails>(m.Details);
        Assert.Equal(LkmModuleKind.Unknown, d.Kind);
        Assert.Null(d.OperatingSystem);
        var note = Assert.Single(m.Diagnostics);
        Assert.Contains("lkm_type 4 is ambiguous: LM_EXEC on netbsd, openbsd-old; LM_MISC on openbsd", note.Message);
        Assert.DoesNotContain(d.Fields, f => f.Name == "lkm_exec");
    }

    [Fact]
    public void ExplicitSystemDecidesTheType()
    {
        var (chosen, cm, cd) = Open("myexec.o", new ModuleReadOptions { LkmOperatingSystem = LkmOperatingSystem.NetBsd });
        using (chosen)
        {
            Assert.Equal(LkmModuleKind.Exec, cd.Kind);
            Assert.Equal(LkmOperatingSystem.NetBsd, cd.OperatingSystem);
            Assert.Equal("myexec_execsw", cd.Fields.Single(f => f.Name == "lkm_exec").Target);
            Assert.Empty(cm.Diagnostics);
        }

        var (openbsd, om, od) = Open("myexec.o", new ModuleReadOptions { LkmOperatingSystem = LkmOperatingSystem.OpenBsd });
        using (openbsd)
        {
            Assert.Equal(LkmModuleKind.Misc, od.Kind);
            Assert.Empty(om.Diagnostics);
        }

        var (freebsd, fm, _) = Open("myexec.o", new ModuleReadOptions { LkmOperatingSystem = LkmOperatingSystem.FreeBsd });
        using (freebsd)
        {
            Assert.Contains(fm.Diagnostics, x => x.Message.StartsWith("LKM system chosen as freebsd, but the file points to netbsd, openbsd-old, openbsd"));
        }
    }

    [Fact]
    public void SegmentsSymbolsAndRelocationsOfTheSyscallModule()
    {
        using var file = ModuleReader.Open(Fixture("mysys.o"));
        var m = file.Modules[0];
        // Header: a_text 0x6c, a_data 0x3c, a_bss 4, a_syms 14*12, a_trsize 6*8, a_drsize 3*8 (NASM pads text and data to 4).
        Assert.Equal([".text", ".data", ".bss", ".rel.text", ".rel.data", ".symtab", ".strtab"], m.Sections.Select(s => s.Name));
        Assert.Equal([0x6cUL, 0x3c, 4, 48, 24, 168], m.Sections.Take(6).Select(s => s.Size));
        Assert.Equal([0UL, 0x6c, 0xa8], m.Sections.Take(3).Select(s => s.Address));
        Assert.Equal(32UL, m.Sections[0].FileOffset);
        Assert.Equal((ulong)new FileInfo(Fixture("mysys.o")).Length, m.Sections[6].FileOffset + m.Sections[6].Size);
        Assert.False(m.Sections[2].HasContents);

        var names = m.Symbols.Skip(AOutModelBuilder.FirstFileSymbol).Select(s => s.Name).ToArray();
        Assert.Equal(["_lkmdispatch", "_printf", "_mysys_last", "_mysys_lkmentry", "_mysys_lkmentry.dispatch", "_mysys_lkmentry.done",
            "_mysys_lkmentry.badver", "mysys_load", "mysys_call", "__module", "mysys_sysent", "modname", "hello_msg", "mysys_calls"], names);
        var common = m.Symbols.Single(s => s.Name == "_mysys_last");
        Assert.Equal((SymbolDefinition.Common, SymbolType.Common, 4UL), (common.Definition, common.Type, common.Size));
        var entry = m.Symbols.Single(s => s.Name == "_mysys_lkmentry");
        Assert.Equal((SymbolBinding.Global, 0, 0UL, 0x05u), (entry.Binding, entry.SectionIndex, entry.Value, entry.RawInfo));
        var module = m.Symbols.Single(s => s.Name == "__module");
        Assert.Equal((SymbolBinding.Local, 1, 0x6cUL), (module.Binding, module.SectionIndex, module.Value));
        Assert.Equal((2, 0xa8UL), (m.Symbols.Single(s => s.Name == "mysys_calls").SectionIndex, m.Symbols.Single(s => s.Name == "mysys_calls").Value));
        Assert.True(m.Symbols.Single(s => s.Name == "_printf").IsUndefined);

        var text = m.RelocationSections.Single(t => t.Name == ".rel.text");
        Assert.Equal(0, text.TargetSectionIndex);
        Assert.Equal(AOutModelBuilder.SymbolTableSection, text.SymbolTableIndex);
        string Symbol(ModuleRelocation r) => r.SymbolIndex is >= 1 and <= 3 ? m.Sections[(int)r.SymbolIndex - 1].Name : m.Symbols[(int)r.SymbolIndex].Name;
        // mov [eax+40], __module / call _lkmdispatch / push hello_msg / call _printf / inc [mysys_calls] / mov [_mysys_last], eax
        Assert.Equal(
        [
            (0x15UL, ".data", RelocationKind.Absolute, 0x6cL, 0x04u),
            (0x32UL, "_lkmdispatch", RelocationKind.PcRelative, -(0x32L + 4), 0x0du),
            (0x46UL, ".data", RelocationKind.Absolute, 0x96L, 0x04u),
            (0x4bUL, "_printf", RelocationKind.PcRelative, -(0x4bL + 4), 0x0du),
            (0x54UL, ".bss", RelocationKind.Absolute, 0xa8L, 0x04u),
            (0x63UL, "_mysys_last", RelocationKind.Absolute, 0L, 0x0cu),
        ], text.Relocations.Select(r => (r.Offset, Symbol(r), r.Kind, r.Addend, r.RawType)));
        Assert.All(text.Relocations, r => Assert.True(r.AddendIsImplicit && r.Width == 32 && r.Machine == MachineArchitecture.X86));

        var data = m.RelocationSections.Single(t => t.Name == ".rel.data");
        Assert.Equal(1, data.TargetSectionIndex);
        // lkm_name -> modname (0x90), lkm_sysent -> mysys_sysent (0x88), sy_call -> mysys_call (text 0x45)
        Assert.Equal([(8UL, ".data", 0x90L), (0x10UL, ".data", 0x88L), (0x20UL, ".text", 0x45L)],
            data.Relocations.Select(r => (r.Offset, Symbol(r), r.Addend)));
    }

    [Fact]
    public void SixteenBitRelocationInTheMiscModule()
    {
        using var file = ModuleReader.Open(Fixture("mymisc.o"));
        var data = file.Modules[0].RelocationSections.Single(t => t.Name == ".rel.data");
        var r = Assert.Single(data.Relocations, r => r.Width == 16);
        Assert.Equal((0x2eUL, 2u, 0x70L, 0x02u, "STD_16"), (r.Offset, r.SymbolIndex, r.Addend, r.RawType, RelocationNames.Describe(ContainerFormat.AOut, r)));
    }

    [Fact]
    public void RelocationNamesSpellEveryBit()
    {
        Assert.Equal("STD_32", AOutRelocationTypes.Name(0x04));
        Assert.Equal("STD_DISP32|EXTERN", AOutRelocationTypes.Name(0x0d));
        Assert.Equal("STD_8", AOutRelocationTypes.Name(0x00));
        Assert.Equal("STD_DISP16", AOutRelocationTypes.Name(0x03));
        Assert.Equal("STD_32|EXTERN|BASEREL|JMPTABLE|RELATIVE|COPY", AOutRelocationTypes.Name(0xfc));
        Assert.Equal(RelocationKind.GotRelative, AOutRelocationTypes.Kind(0x14));
        Assert.Equal(RelocationKind.Copy, AOutRelocationTypes.Kind(0x84));
        Assert.Equal(64, AOutRelocationTypes.Width(0x06));
    }
}
