using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.IO;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>
/// The LC_DYSYMTAB external/local relocation tables of MH_KEXT_BUNDLE. ld64.lld cannot write them (it has no
/// <c>-kext</c> and puts rebases in dyld info), so this test patches the real lld bundle the way Apple's ld lays out
/// a kext (reference 3.11: extrel UNSIGNED/BRANCH against undefined symbols, locrel UNSIGNED with a 1-based section
/// ordinal, r_address = vm address) and appends the tables. The record encodings are those the reference measured.
/// </summary>
public class KextBundleTableTests
{
    private static byte[] PatchedBundle(out uint callSite)
    {
        var b = File.ReadAllBytes(RepoPaths.TestData("kext", "objects", "demokext.x86_64.bundle"));
        var file = MachOFile.Parse(b, "x");
        var dysymtab = file.LoadCommands.Single(c => c.Command == MachOConstants.LcDysymtab);
        var symbols = new MachOSymbolTable(file);
        int Index(string name) => Enumerable.Range(0, symbols.Count).Single(i => symbols.GetName(symbols[i]) == name);

        // The first call (e8 rel32) in _demo_start.
        var text = file.Sections[0];
        int start = (int)(text.Offset + (0x490 - text.Address));
        callSite = (uint)(0x490 + Array.IndexOf(b, (byte)0xE8, start) - start + 1);

        var tables = new byte[4 * 8];
        void Record(int slot, uint address, uint info)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(tables.AsSpan(slot * 8), address);
            BinaryPrimitives.WriteUInt32LittleEndian(tables.AsSpan(slot * 8 + 4), info);
        }

        Record(0, 0x1038, (uint)Index("_kernel_pointer") | 3u << 25 | 1u << 27);              // extrel UNSIGNED, 8 bytes, extern
        Record(1, callSite, (uint)Index("_IOLog") | 1u << 24 | 2u << 25 | 1u << 27 | 2u << 28); // extrel BRANCH, pcrel rel32
        Record(2, 0x1040 + 180, 1u | 3u << 25);                                                // locrel UNSIGNED, section 1
        Record(3, 0x1040 + 188, 1u | 3u << 25);
        uint at = (uint)b.Length;
        var patched = b.Concat(tables).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(12), MachOConstants.MhKextBundle);
        int d = (int)dysymtab.Offset;
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(d + 64), at);
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(d + 68), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(d + 72), at + 16);
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(d + 76), 2);
        return patched;
    }

    [Fact]
    public void ExternalAndLocalRelocationTablesAreDecodedAtVmAddresses()
    {
        var bytes = PatchedBundle(out uint callSite);
        using var source = ModuleSource.FromMemory("patched", bytes);
        var m = Assert.Single(ModuleReader.Read(source));
        Assert.Equal(("KEXT_BUNDLE", ModuleFlavor.Kext), (m.FileType, m.Flavor));
        Assert.Equal(ModuleFileKind.KextBundle, m.FileKind);

        var ext = m.RelocationSections.Single(t => t.Name == "external relocations");
        Assert.Equal(-1, ext.TargetSectionIndex);
        Assert.Equal((0x1038UL, "_kernel_pointer", RelocationKind.Absolute, (byte)64, 0L), (ext.Relocations[0].Offset, m.Symbols[(int)ext.Relocations[0].SymbolIndex].Name,
            ext.Relocations[0].Kind, ext.Relocations[0].Width, ext.Relocations[0].Addend));
        var call = ext.Relocations[1];
        Assert.Equal((callSite, "_IOLog", RelocationKind.Branch, (byte)32, "X86_64_RELOC_BRANCH"), ((uint)call.Offset, m.Symbols[(int)call.SymbolIndex].Name, call.Kind, call.Width,
            RelocationNames.Describe(ContainerFormat.MachO, call)));
        int stored = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)(m.Sections[0].FileOffset + (callSite - m.Sections[0].Address))));
        Assert.Equal(stored, call.Addend);

        var loc = m.RelocationSections.Single(t => t.Name == "local relocations");
        Assert.All(loc.Relocations, r => Assert.Equal(0, m.Symbols[(int)r.SymbolIndex].SectionIndex)); // section ordinal 1 = __TEXT,__text
        Assert.Equal([0x490L, 0x4B0L], loc.Relocations.Select(r => r.Addend));

        // kmod_info's start and stop are found through the locrel entries.
        var kmod = ((KextDetails)m.Details!).KmodInfo!;
        Assert.Equal((0x490UL, "_demo_start", 0x4B0UL, "_demo_stop"), (kmod.Start!.Value, kmod.StartSymbol, kmod.Stop!.Value, kmod.StopSymbol));
    }

    [Fact]
    public void TableEntryOutsideTheSegmentsIsAnError()
    {
        var bytes = PatchedBundle(out _);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 16), 0x7000_0000); // locrel 0 r_address
        using var source = ModuleSource.FromMemory("patched", bytes);
        // kmod_info is resolved through the relocations, so reading the module already decodes the tables.
        var e = Assert.Throws<ModuleFormatException>(() => ModuleReader.Read(source));
        Assert.Equal("relocation 0 of local relocations", e.Structure);
        Assert.Equal(bytes.Length - 16, e.Offset);
    }
}
