using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.IO;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.Tests;

/// <summary>
/// MH_KEXT_BUNDLE relocation the way kxld does it: the image moves as one block to the base, local relocations slide
/// pointers by their target section's move, external relocations take symbol addresses. ld64.lld cannot write a kext
/// bundle (no <c>-kext</c>; its rebases and binds live in dyld opcodes), so the real lld bundle is turned into one as
/// Apple's ld lays out a kext (reference 3.11): each dyld bind becomes an extrel UNSIGNED (slot zeroed: the addend),
/// the call to IOLog a BRANCH extrel (rel32 zeroed), each rebase of a kext pointer a locrel UNSIGNED with the 1-based
/// ordinal of its target section, r_address = vm address.
/// </summary>
public class MachOKextBundleTests
{
    private const ulong Base = 0xffffff7fc0000000, IOLog = 0xffffff8000212340, KernelPointer = 0xffffff8000c01a80;
    private const uint Data = 7, Text = 1; // 1-based section ordinals of __DATA,__data and __TEXT,__text

    private static byte[] KextBundle(out uint callSite)
    {
        var b = File.ReadAllBytes(RepoPaths.TestData("kext", "objects", "demokext.x86_64.bundle"));
        var file = MachOFile.Parse(b, "demokext.x86_64.bundle");
        var dysymtab = file.LoadCommands.Single(c => c.Command == MachOConstants.LcDysymtab);
        var symbols = new MachOSymbolTable(file);
        uint Index(string name) => (uint)Enumerable.Range(0, symbols.Count).Single(i => symbols.GetName(symbols[i]) == name);
        long FileOffset(ulong address) => file.MapAddress(address, 1);

        int start = (int)FileOffset(0x490);
        callSite = (uint)(0x490 + Array.IndexOf(b, (byte)0xE8, start) - start + 1);
        var tables = new List<(uint Address, uint Info)>
        {
            (0x1038, Index("_kernel_pointer") | 3u << 25 | 1u << 27),              // extrel UNSIGNED 8, __DATA,__data
            (0x1008, Index("_IOLog") | 3u << 25 | 1u << 27),                       // extrel UNSIGNED 8, the stub's pointer
            (callSite, Index("_IOLog") | 1u << 24 | 2u << 25 | 1u << 27 | 2u << 28), // extrel BRANCH rel32
            (0x1030, Data | 3u << 25),                                             // locrel: second_counter = &counters[1]
            (0x10F4, Text | 3u << 25),                                             // locrel: kmod_info.start
            (0x10FC, Text | 3u << 25),                                             // locrel: kmod_info.stop
        };
        foreach (var address in new ulong[] { 0x1038, 0x1008 })
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan((int)FileOffset(address)), 0);
        }

        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan((int)FileOffset(callSite)), 0);
        var records = new byte[tables.Count * 8];
        for (int i = 0; i < tables.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(records.AsSpan(i * 8), tables[i].Address);
            BinaryPrimitives.WriteUInt32LittleEndian(records.AsSpan(i * 8 + 4), tables[i].Info);
        }

        uint at = (uint)b.Length;
        var patched = b.Concat(records).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(12), MachOConstants.MhKextBundle);
        int d = (int)dysymtab.Offset;
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(d + 64), at);
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(d + 68), 3);
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(d + 72), at + 24);
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(d + 76), 3);
        return patched;
    }

    private static void Link(byte[] bytes, string name, Action<Output.LinkedModule, KernelModule>? check = null)
    {
        using var source = ModuleSource.FromMemory(name, bytes);
        var modules = ModuleReader.Read(source);
        var kernel = new KernelSymbols();
        kernel.Add(SymbolFileLoader.Load(RepoPaths.TestData("linker", "macho", "kernel-x86_64.syms")));
        kernel.Add(new KernelSymbolList("lld's bundle", [new KernelSymbol("dyld_stub_binder", 0xffffff8000100000, 'T')])); // an lld artefact no relocation uses
        var image = new ModuleLinker(kernel, new LinkOptions { Base = Base }).Link(modules);
        check?.Invoke(image.Modules[0], modules[0]);
    }

    [Fact]
    public void TablesAreAppliedAsKxldDoes()
    {
        var bytes = KextBundle(out uint callSite);
        Link(bytes, "kext-bundle", (m, input) => Check(m, input, callSite));
    }

    private static void Check(Output.LinkedModule m, KernelModule input, uint callSite)
    {
        Assert.Equal(6, m.RelocationCount);
        // The image moves as one block: every section at base + its vm address.
        Assert.All(m.Sections, s => Assert.Equal(Base + input.Sections[s.Index].Address, s.Address));
        Assert.Equal(Base + 0x490, LinkHelper.Symbol(m, "_demo_start"));

        var data = LinkHelper.Section(m, "__DATA,__data");
        ulong At(ulong address) => BinaryPrimitives.ReadUInt64LittleEndian(data.Data.AsSpan((int)(address - 0x1010)));
        Assert.Equal(KernelPointer, At(0x1038)); // extrel UNSIGNED
        Assert.Equal(Base + 0x490, At(0x10F4)); // locrel into __text
        Assert.Equal(Base + 0x4B0, At(0x10FC));
        ulong storedCounter = BinaryPrimitives.ReadUInt64LittleEndian(input.Sections[6].Data.Span[0x20..]);
        Assert.Equal(Base + storedCounter, At(0x1030)); // locrel into __data: slid by the section's move
        Assert.Equal(LinkHelper.Symbol(m, "_counters") + 4, At(0x1030));

        var got = LinkHelper.Section(m, "__DATA,__la_symbol_ptr");
        Assert.Equal(IOLog, BinaryPrimitives.ReadUInt64LittleEndian(got.Data)); // the stub jumps to IOLog

        var text = LinkHelper.Section(m, "__TEXT,__text");
        ulong place = Base + callSite;
        Assert.Equal(IOLog, place + 4 + (ulong)(long)BinaryPrimitives.ReadInt32LittleEndian(text.Data.AsSpan((int)(callSite - 0x480))));

        // Nothing else changes: pc-relative code inside the image keeps its bytes.
        var stubs = LinkHelper.Section(m, "__TEXT,__stubs");
        Assert.Equal(input.Sections[1].Data.ToArray(), stubs.Data);
    }

    [Fact]
    public void AnMhBundleIsRefused()
    {
        var e = Assert.Throws<LinkException>(() => LinkHelper.Link(["testdata/kext/objects/demokext.x86_64.bundle"], ["testdata/linker/macho/kernel-x86_64.syms"]));
        Assert.Contains("only MH_OBJECT and MH_KEXT_BUNDLE Mach-O files can be linked (kxld's inputs); this one is BUNDLE", e.Message);
    }

    [Fact]
    public void ChainedFixupsAreRefused()
    {
        var b = File.ReadAllBytes(RepoPaths.TestData("kext", "objects", "demokext.arm64.bundle"));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), MachOConstants.MhKextBundle);
        var e = Assert.Throws<LinkException>(() => Link(b, "chained"));
        Assert.Contains("chained fixups: chained fixups (LC_DYLD_CHAINED_FIXUPS) are not relocations kxld applies", e.Message);
    }

    [Fact]
    public void ATableAddressOutsideEverySectionIsAnError()
    {
        var bytes = KextBundle(out _);
        var file = MachOFile.Parse(bytes, "x");
        var dysymtab = file.LoadCommands.Single(c => c.Command == MachOConstants.LcDysymtab);
        uint locrel = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)dysymtab.Offset + 72));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)locrel), 0x800); // in __TEXT, between the header and __text
        var e = Assert.Throws<LinkException>(() => Link(bytes, "hostile"));
        Assert.Contains("relocation in local relocations at address 0x800: the address is in no section", e.Message);
    }
}
