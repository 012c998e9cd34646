using System.Buffers.Binary;
using LkmKit.Linker.Output;

namespace LkmKit.Linker.Tests;

/// <summary>
/// Links the Mach-O fixtures with the kext layout and checks every relocated field against the target its source
/// line names, decoded the way the CPU reads it (independent of the linker's formulas); the goldens hold the whole
/// result, checked with these tests and, at ld64.lld's addresses, by <see cref="MachOOracleTests"/>.
/// </summary>
public class MachOFixtureLinkTests
{
    private const string X86Syms = "testdata/linker/macho/kernel-x86_64.syms";
    private const string ArmSyms = "testdata/linker/macho/kernel-arm64.syms";
    private const ulong IOLogX86 = 0xffffff8000212340, KernelDataX86 = 0xffffff8000c02000;
    private const ulong IOLogArm = 0xffff800001212340, KernelDataArm = 0xffff800001c02000;

    private static int I32(byte[] b, ulong o) => BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan((int)o));

    private static ulong U64(byte[] b, ulong o) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan((int)o));

    private static uint U32(byte[] b, ulong o) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)o));

    [Fact]
    public void X86_64FieldsReachTheirTargets()
    {
        var m = LinkHelper.Link(["testdata/linker/macho/x86_64relocs.o"], [X86Syms]).Modules[0];
        var text = LinkHelper.Section(m, "__TEXT,__text");
        var data = LinkHelper.Section(m, "__DATA,__data");
        ulong anon = LinkHelper.Section(m, "__DATA,__anon").Address;
        ulong entry = LinkHelper.Symbol(m, "_entry"), localFunc = LinkHelper.Symbol(m, "_local_func"), localData = LinkHelper.Symbol(m, "_local_data");
        Assert.Equal(0xffffff7fc0001000UL, text.Address); // kext base + one header page

        // (offset of the rel32, bytes of the instruction after it, target): rip = P + 4 + trailing immediate.
        (ulong Offset, int Trailing, ulong Target)[] fields =
        [
            (0x01, 0, IOLogX86), (0x06, 0, localFunc), (0x0d, 0, KernelDataX86), (0x14, 0, anon + 8),
            (0x1a, 1, KernelDataX86 + 1), (0x21, 1, anon + 1), (0x29, 2, KernelDataX86 + 2), (0x32, 2, anon + 2),
            (0x3a, 4, KernelDataX86 + 4), (0x44, 4, anon + 4), (0x4f, 0, localData + 16),
            (0x55, 1, KernelDataX86), (0x5c, 1, anon), (0x64, 2, KernelDataX86), (0x6d, 2, anon), (0x75, 4, KernelDataX86), (0x7f, 4, anon),
        ];
        foreach (var (offset, trailing, target) in fields)
        {
            ulong rip = text.Address + offset + 4 + (ulong)trailing;
            Assert.True(rip + (ulong)(long)I32(text.Data, offset) == target, $"rel32 at __text+0x{offset:x}");
        }

        Assert.Equal(IOLogX86, U64(data.Data, 0x00));
        Assert.Equal(KernelDataX86 + 0x10, U64(data.Data, 0x08));
        Assert.Equal(localFunc, U64(data.Data, 0x10));
        Assert.Equal(anon + 12, U64(data.Data, 0x18)); // section-based UNSIGNED
        Assert.Equal(localFunc - entry, U64(data.Data, 0x20)); // SUBTRACTOR pair, 64-bit
        Assert.Equal((uint)(localData - entry), U32(data.Data, 0x28)); // SUBTRACTOR pair, 32-bit
        Assert.Equal((uint)(localData - localFunc + 3), U32(data.Data, 0x2c));
        Assert.Equal(24, m.RelocationCount); // 17 text + 7 data (three SUBTRACTOR pairs count once)
        Golden.Check("linker/macho/x86_64relocs.txt", LinkHelper.Render(LinkHelper.Link(["testdata/linker/macho/x86_64relocs.o"], [X86Syms])));
    }

    [Fact]
    public void Arm64FieldsReachTheirTargets()
    {
        var m = LinkHelper.Link(["testdata/linker/macho/arm64relocs.o"], [ArmSyms]).Modules[0];
        var text = LinkHelper.Section(m, "__TEXT,__text");
        var data = LinkHelper.Section(m, "__DATA,__data");
        ulong entry = LinkHelper.Symbol(m, "_entry"), localFunc = LinkHelper.Symbol(m, "_local_func"), localData = LinkHelper.Symbol(m, "_local_data");

        ulong Branch(ulong o) => text.Address + o + (ulong)((long)((int)(U32(text.Data, o) << 6) >> 6) << 2);
        ulong Page(ulong o)
        {
            uint insn = U32(text.Data, o);
            long pages = (long)((ulong)(((insn >> 29) & 3) | (((insn >> 5) & 0x7ffff) << 2)) << 43) >> 43;
            return (ulong)((long)((text.Address + o) & ~0xfffUL) + (pages << 12));
        }

        ulong Imm12(ulong o) => (U32(text.Data, o) >> 10) & 0xfff;

        Assert.Equal(IOLogArm, Branch(0x00));
        Assert.Equal(localFunc, Branch(0x04));
        Assert.Equal(IOLogArm + 8, Branch(0x08)); // ADDEND pair
        Assert.Equal(KernelDataArm & ~0xfffUL, Page(0x0c));
        Assert.Equal(KernelDataArm & 0xfff, Imm12(0x10)); // ADD: unscaled
        Assert.Equal((localData + 0x20) & ~0xfffUL, Page(0x14));
        Assert.Equal((localData + 0x21) & 0xfff, Imm12(0x18)); // LDRB ×1
        Assert.Equal((localData + 0x22) & 0xfff, Imm12(0x1c) * 2); // LDRH ×2
        Assert.Equal((localData + 0x24) & 0xfff, Imm12(0x20) * 4); // LDR w ×4
        Assert.Equal((localData + 0x28) & 0xfff, Imm12(0x24) * 8); // LDR x ×8
        Assert.Equal((localData + 0x30) & 0xfff, Imm12(0x28) * 16); // LDR q ×16
        Assert.Equal((localData + 0x38) & 0xfff, Imm12(0x2c) * 8); // STR x ×8

        Assert.Equal(IOLogArm, U64(data.Data, 0x00));
        Assert.Equal(KernelDataArm + 0x10, U64(data.Data, 0x08));
        Assert.Equal(localFunc, U64(data.Data, 0x10));
        Assert.Equal(localData - entry, U64(data.Data, 0x18)); // SUBTRACTOR pair, 64-bit
        Assert.Equal((uint)(localData - entry), U32(data.Data, 0x20)); // SUBTRACTOR pair, 32-bit
        Assert.Equal((uint)(KernelDataArm - localData + 3), U32(data.Data, 0x24)); // kernel minuend
        Golden.Check("linker/macho/arm64relocs.txt", LinkHelper.Render(LinkHelper.Link(["testdata/linker/macho/arm64relocs.o"], [ArmSyms])));
    }

    [Fact]
    public void DemoKextObjectLinksLikeKxldLaysItOut()
    {
        var image = LinkHelper.Link(["testdata/kext/objects/demokext.x86_64.o"], [X86Syms]);
        var m = Assert.Single(image.Modules);
        Assert.Equal("com.example.lkmkit.demo", m.Name);
        // Load-command order, each at its alignment, after one header page (kxld_seg_finalize_object_segment).
        Assert.Equal(["__TEXT,__text", "__DATA,__data", "__DATA,__common", "__TEXT,__cstring"], m.Sections.Select(s => s.Name));
        Assert.Equal([0xffffff7fc0001000UL, 0xffffff7fc0001050UL, 0xffffff7fc0001150UL, 0xffffff7fc0001250UL], m.Sections.Select(s => s.Address));
        var data = LinkHelper.Section(m, "__DATA,__data");
        ulong kmod = LinkHelper.Symbol(m, "_kmod_info") - data.Address;
        Assert.Equal(LinkHelper.Symbol(m, "_demo_start"), U64(data.Data, kmod + 180)); // kmod_info.start (pack(4))
        Assert.Equal(LinkHelper.Symbol(m, "_demo_stop"), U64(data.Data, kmod + 188));
        Assert.Equal(LinkHelper.Symbol(m, "_table") - LinkHelper.Symbol(m, "_second_counter"), U64(data.Data, 0)); // counter_span
        Golden.Check("linker/macho/demokext.x86_64.txt", LinkHelper.Render(image));
    }

    [Fact]
    public void KernelNamesMatchWithOrWithoutTheLeadingUnderscore()
    {
        var m = LinkHelper.Link(["testdata/kext/objects/demokext.x86_64.o"], ["testdata/linker/macho/kernel-elf-names.syms"]).Modules[0];
        Assert.Equal(IOLogX86, LinkHelper.Symbol(m, "_IOLog"));
        Assert.Equal(0xffffff8000c01a80UL, LinkHelper.Symbol(m, "_kernel_pointer"));
    }

    [Theory]
    [InlineData("testdata/linker/macho/x86_64got.o", X86Syms, "x86_64 relocation X86_64_RELOC_GOT_LOAD (type 3) in __TEXT,__text relocations at __TEXT,__text+0x3: unsupported relocation type")]
    [InlineData("testdata/linker/macho/arm64got.o", ArmSyms, "aarch64 relocation ARM64_RELOC_GOT_LOAD_PAGEOFF12 (type 6) in __TEXT,__text relocations at __TEXT,__text+0x4: unsupported relocation type")]
    public void GotRelocationsAreRefusedPrecisely(string fixture, string symbols, string message)
    {
        var e = Assert.Throws<LinkException>(() => LinkHelper.Link([fixture], [symbols]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void UnresolvedMachONamesAreReported()
    {
        var e = Assert.Throws<UnresolvedSymbolsException>(() => LinkHelper.Link(["testdata/linker/macho/x86_64relocs.o"], ["testdata/linker/macho/kernel-elf-names.syms"]));
        Assert.Equal(["_kernel_data"], e.Names);
    }

    [Fact]
    public void ElfImageSaysX86_64()
    {
        var bytes = ElfImageWriter.Build(LinkHelper.Link(["testdata/kext/objects/demokext.x86_64.o"], [X86Syms]));
        Assert.Equal(62, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(18))); // EM_X86_64, not the Mach-O cputype
    }

    [Fact]
    public void ASecondKextUsesTheFirstOnesGlobals()
    {
        var image = LinkHelper.Link(["testdata/kext/objects/demokext.x86_64.o", "testdata/linker/macho/x86_64user.o"], [X86Syms]);
        var (kext, user) = (image.Modules[0], image.Modules[1]);
        var text = LinkHelper.Section(user, "__TEXT,__text");
        Assert.Equal(0xffffff7fc0003000UL, text.Address); // the first kext ends in its second page; then a header page
        ulong call = text.Address + 1 + 4 + (ulong)(long)I32(text.Data, 1);
        Assert.Equal(LinkHelper.Symbol(kext, "_table_entry"), call);
        Assert.Equal(LinkHelper.Symbol(kext, "_table") + 8, U64(LinkHelper.Section(user, "__DATA,__data").Data, 0));
        Assert.Contains(user.Resolutions, r => r.Name == "_table_entry" && r.Source == "com.example.lkmkit.demo");
    }
}

