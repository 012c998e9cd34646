using System.Buffers.Binary;
using LkmKit.Formats.AOut;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>
/// Header encodings, symbol types and descriptor layouts NASM cannot produce, made by patching the mysys.o fixture
/// (offsets as in <see cref="AOutCorruptInputTests"/>) or by writing a small file by hand.
/// </summary>
public class AOutVariantTests
{
    private const int Data = 0x8c;
    private const int DataRelocs = 0xf8;
    private const int Symbols = 0x110;

    private static byte[] Fixture() => File.ReadAllBytes(RepoPaths.TestData("lkm", "mysys.o"));

    private static void Put(byte[] bytes, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);

    private static KernelModule Read(byte[] bytes, ModuleReadOptions? options = null)
    {
        var source = ModuleSource.FromMemory("variant.o", bytes);
        return Assert.Single(ModuleReader.Read(source, options ?? ModuleReadOptions.Default));
    }

    [Fact]
    public void FreeBsdHostOrderMagicDecidesTheSystem()
    {
        var bytes = Fixture();
        bytes[0] = 0x07; bytes[1] = 0x01; bytes[2] = 0x86; bytes[3] = 0x00;
        var m = Read(bytes);
        var d = Assert.IsType<LkmModuleDetails>(m.Details);
        var aout = Assert.IsType<AOutDetails>(m.ContainerDetails);
        Assert.Equal(AOutMagicEncoding.HostOrder, aout.MagicEncoding);
        Assert.Equal(134u, aout.MachineId);
        Assert.Equal([LkmOperatingSystem.FreeBsd], d.Candidates);
        Assert.Equal(LkmOperatingSystem.FreeBsd, d.OperatingSystem);
        Assert.Equal(LkmModuleKind.Syscall, d.Kind);
        Assert.Contains("host-order a_midmag with machine id 134 (FreeBSD 2.x)", d.Evidence);
    }

    [Fact]
    public void OldStyleMagicIsReadWhenTheSizesFit()
    {
        var bytes = Fixture();
        bytes[0] = 0x07; bytes[1] = 0x01; bytes[2] = 0x00; bytes[3] = 0x00;
        var m = Read(bytes);
        Assert.Equal((MachineArchitecture.Unknown, 0u, "OMAGIC"), (m.Machine, m.RawMachine, m.FileType));
        Assert.Equal(AOutMagicEncoding.OldStyle, Assert.IsType<AOutDetails>(m.ContainerDetails).MagicEncoding);
        Assert.Equal("mysys", m.Name);
    }

    [Fact]
    public void PicFlagAndSharedLibraryRelocationsAreReported()
    {
        var bytes = Fixture();
        bytes[0] = 0x40; // flags EX_PIC (0x10 << 26) in the network-order word
        bytes[0xc8 + 7] = 0x14; // text relocation 0: r_baserel, naming nlist entry 6 (forced extern)
        var m = Read(bytes);
        Assert.Contains(m.Diagnostics, d => d.Message.StartsWith("a.out header flags 0x10 mark position-independent"));
        Assert.Contains(m.Diagnostics, d => d.Message.StartsWith(".rel.text: 1 relocation record(s) use SunOS shared-library bits"));
        var r = m.RelocationSections[0].Relocations[0];
        Assert.Equal((RelocationKind.GotRelative, (uint)AOutModelBuilder.FirstFileSymbol + 6, "STD_32|BASEREL"),
            (r.Kind, r.SymbolIndex, RelocationNames.Describe(ContainerFormat.AOut, r)));
    }

    [Fact]
    public void StabsLinkerSetsAndWeakSymbols()
    {
        var bytes = Fixture();
        bytes[Symbols + 7 * 12 + 4] = 0x24;  // mysys_load -> N_FUN stab
        bytes[Symbols + 12 * 12 + 4] = 0x19; // hello_msg -> N_SETD|N_EXT
        bytes[Symbols + 11 * 12 + 4] = 0x10; // modname -> N_WEAKD
        bytes[Symbols + 1 * 12 + 4] = 0x0d;  // _printf -> N_WEAKU
        var m = Read(bytes);
        var stab = m.Symbols.Single(s => s.Name == "mysys_load");
        Assert.Equal((SymbolType.Debug, SymbolDefinition.Special, 0x24u), (stab.Type, stab.Definition, stab.RawInfo));
        var set = m.Symbols.Single(s => s.Name == "hello_msg");
        Assert.Equal((SymbolType.Other, SymbolBinding.Global, SymbolDefinition.Section, 1), (set.Type, set.Binding, set.Definition, set.SectionIndex));
        var weak = m.Symbols.Single(s => s.Name == "modname");
        Assert.Equal((SymbolBinding.Weak, 1), (weak.Binding, weak.SectionIndex));
        Assert.Contains(new ModuleImport("_printf", IsWeak: true), m.Imports);
        Assert.Equal("N_SETD|N_EXT", AOutSymbolClassifier.TypeName(0x19));
        Assert.Equal("stab 0x24", AOutSymbolClassifier.TypeName(0x24));
        Assert.Equal("N_TEXT|N_EXT", AOutSymbolClassifier.TypeName(0x05));
        Assert.Equal("N_SETA", AOutSymbolClassifier.TypeName(0x14));
        Assert.Equal("N_FN", AOutSymbolClassifier.TypeName(0x1f));
    }

    [Fact]
    public void LinkerSetsGroupTheirElements()
    {
        var bytes = Fixture();
        uint strx = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Symbols + 12 * 12));
        bytes[Symbols + 12 * 12 + 4] = 0x19;                // hello_msg -> N_SETD|N_EXT, value 0x96
        Put(bytes, Symbols + 8 * 12, strx);                 // mysys_call renamed hello_msg ...
        bytes[Symbols + 8 * 12 + 4] = 0x17;                 // ... and made N_SETT|N_EXT, value 0x45
        bytes[Symbols + 13 * 12 + 4] = 0x1a;                // mysys_calls -> N_SETB
        var aout = AOutFile.Parse(bytes, "sets.o");
        var sets = AOutLinkerSets.Collect(aout);
        Assert.Equal(["hello_msg", "mysys_calls"], sets.Select(s => s.Key));
        Assert.Equal([new AOutSetElement(8, AOutConstants.NText, 0x45), new AOutSetElement(12, AOutConstants.NData, 0x96)], sets[0].Value);
        Assert.Equal([new AOutSetElement(13, AOutConstants.NBss, 0xa8)], sets[1].Value);
    }

    [Fact]
    public void NetBsd4DescriptorLayout()
    {
        var bytes = Fixture();
        // Rewrite the descriptor as the 24-byte NetBSD 4 header: type, name, offset, modver, sysver, envver.
        Put(bytes, Data + 4, 0x90);           // lkm_name -> modname
        Put(bytes, Data + 8, 0xffff_ffff);    // lkm_offset
        Put(bytes, Data + 12, 2);             // lkm_modver
        Put(bytes, Data + 16, 400000000);     // lkm_sysver
        Put(bytes, Data + 20, 0x90);          // lkm_envver -> modname as well
        Put(bytes, DataRelocs, 4);            // relocation of lkm_name moves to offset 4
        Put(bytes, DataRelocs + 8, 20);       // the second one patches lkm_envver
        var m = Read(bytes);
        var d = Assert.IsType<LkmModuleDetails>(m.Details);
        Assert.Equal(LkmHeaderLayout.NetBsd4, d.Layout);
        Assert.Equal(LkmOperatingSystem.NetBsd4, d.OperatingSystem);
        Assert.Equal(LkmModuleKind.Syscall, d.Kind);
        Assert.Equal((2L, 400000000L, "mysys", -1L), (d.InterfaceVersion, d.SystemVersion, d.EnvironmentVersion, d.Slot));
        Assert.Equal("mysys", m.Name);
        Assert.Equal(["lkm_type", "lkm_name", "lkm_offset", "lkm_modver", "lkm_sysver", "lkm_envver", "lkm_sysent"], d.Fields.Select(f => f.Name));
    }

    [Fact]
    public void DescriptorWithoutItsSymbolIsFoundThroughTheEntry()
    {
        var bytes = Fixture();
        // __module (nlist 9) loses its name: it now shares modname's (nlist 11), so only the entry's reference is left.
        Put(bytes, Symbols + 9 * 12, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Symbols + 11 * 12)));
        var m = Read(bytes);
        var d = Assert.IsType<LkmModuleDetails>(m.Details);
        Assert.Null(d.DescriptorSymbol);
        Assert.Equal(0x6cUL, d.DescriptorAddress);
        Assert.Equal((LkmModuleKind.Syscall, "mysys"), (d.Kind, m.Name));
        Assert.Contains(m.Diagnostics, x => x.Message == "no descriptor symbol: took the data address 0x6c the entry references at text offset 0x15");
    }

    [Fact]
    public void ClassicVersionTwoMeansOpenBsd4()
    {
        var bytes = Fixture();
        Put(bytes, Data, 4);     // lkm_type 4
        Put(bytes, Data + 4, 2); // lkm_ver 2
        var d = Assert.IsType<LkmModuleDetails>(Read(bytes).Details);
        Assert.Equal(LkmOperatingSystem.OpenBsd, d.OperatingSystem);
        Assert.Equal(LkmModuleKind.Misc, d.Kind);
    }

    [Fact]
    public void ExtendedSparcRelocationsAreReportedNotDecoded()
    {
        // A hand-made big-endian SPARC OMAGIC: 4 bytes of text, one 12-byte relocation record, no symbols.
        var bytes = new byte[32 + 4 + 12];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (138u << 16) | 0x107);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), 4);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(24), 12);
        var m = Read(bytes);
        Assert.Equal((MachineArchitecture.Sparc, ByteOrder.BigEndian, ModuleFlavor.Unknown), (m.Machine, m.ByteOrder, m.Flavor));
        Assert.Empty(m.RelocationSections);
        Assert.Contains(m.Diagnostics, d => d.Message.Contains("12-byte extended (SPARC) relocation records, which this reader does not decode"));
        Assert.Equal(12UL, m.Sections[AOutModelBuilder.TextRelocationSection].EntrySize);
    }

    [Fact]
    public void ExecutableLayouts()
    {
        // A NetBSD ZMAGIC (header inside the text page) and a Linux QMAGIC, each with one page of text and nothing else.
        var netbsd = new byte[4096];
        BinaryPrimitives.WriteUInt32BigEndian(netbsd, (134u << 16) | 0x10B);
        Put(netbsd, 4, 4096);
        var z = Read(netbsd);
        Assert.Equal(("ZMAGIC", 0UL, 4096UL), (z.FileType, z.Sections[0].FileOffset, z.Sections[0].Address));
        Assert.Contains(z.Diagnostics, d => d.Message.StartsWith("ZMAGIC executable"));

        var linux = new byte[4096];
        Put(linux, 0, (100u << 16) | 0xCC);
        Put(linux, 4, 4096);
        var q = Read(linux);
        Assert.Equal(("QMAGIC", 0UL, 4096UL, 8192UL), (q.FileType, q.Sections[0].FileOffset, q.Sections[0].Address, q.Sections[1].Address));
    }
}
