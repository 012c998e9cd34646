using System.Buffers.Binary;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;
using LkmKit.Linker.Relocation;

namespace LkmKit.Linker.Tests;

/// <summary>One test per relocation type per architecture, with values worked out by hand from the psABI and kernel formulas.</summary>
public class ApplierTests
{
    private static ModuleRelocation Reloc(MachineArchitecture machine, uint type, long addend)
    {
        var info = ElfRelocationTypes.Describe(machine, type);
        return new ModuleRelocation(0, 1, info.Kind, info.Width, addend, false, machine, type);
    }

    private static (RelocationStatus Status, byte[] Bytes) Apply(IRelocationApplier applier, uint type, byte[] place, ulong s, long a, ulong p, ulong b = 0)
    {
        var bytes = (byte[])place.Clone();
        var status = applier.Apply(bytes, Reloc(applier.Machine, type, a), s, p, b);
        return (status, bytes);
    }

    private static byte[] Zero(int n) => new byte[n];

    private static byte[] Insn(uint insn)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, insn);
        return b;
    }

    // ---- x86_64 ----

    [Theory]
    [InlineData(1u, 0xffffffff82213a40UL, 8L, 0xffffffffc0000000UL, "483a2182ffffffff")] // 64: S+A
    [InlineData(2u, 0xffffffff82213a40UL, -4L, 0xffffffffc0000010UL, "2c3a21c2")] // PC32: S+A-P truncated
    [InlineData(4u, 0xffffffff81076650UL, -4L, 0xffffffffc0000061UL, "eb6507c1")] // PLT32 (xt_sctp example, reference §5.1)
    [InlineData(10u, 0x1234UL, 0L, 0xffffffffc0000000UL, "34120000")] // 32: zero-extends
    [InlineData(11u, 0xffffffff82213a40UL, 0L, 0xffffffffc0000000UL, "403a2182")] // 32S: sign-extends
    [InlineData(24u, 0xffffffffc0000d20UL, 210L, 0xffffffffc0000bc8UL, "2a02000000000000")] // PC64 (__jump_table example)
    public void X86_64Types(uint type, ulong s, long a, ulong p, string expected)
    {
        var (status, bytes) = Apply(new X86_64RelocationApplier(true), type, Zero(expected.Length / 2), s, a, p);
        Assert.Equal(RelocationStatus.Applied, status);
        Assert.Equal(expected, Convert.ToHexString(bytes).ToLowerInvariant());
    }

    [Fact]
    public void X86_64NoneWritesNothing()
    {
        var (status, bytes) = Apply(new X86_64RelocationApplier(true), 0, [1, 2, 3, 4], 0x1000, 0, 0);
        Assert.Equal(RelocationStatus.Applied, status);
        Assert.Equal([1, 2, 3, 4], bytes);
    }

    [Theory]
    [InlineData(10u, 0xffffffff82213a40UL)] // 32 of a kernel address: does not zero-extend
    [InlineData(11u, 0x0000000100000000UL)] // 32S of a value above 2^31: does not sign-extend
    [InlineData(11u, 0x0000000080000000UL)] // 32S of 2^31: one past the top of the signed range
    [InlineData(11u, 0xffffffff7fffffffUL)] // 32S one below -2^31 (an address under the top 2 GiB): the lower bound
    [InlineData(11u, 0x8000000000000000UL)] // 32S far below -2^31
    public void X86_64Overflow(uint type, ulong s) =>
        Assert.Equal(RelocationStatus.Overflow, Apply(new X86_64RelocationApplier(true), type, Zero(4), s, 0, 0).Status);

    [Theory]
    [InlineData(9u)] // GOTPCREL
    [InlineData(41u)] // GOTPCRELX
    [InlineData(42u)] // REX_GOTPCRELX
    [InlineData(23u)] // TPOFF32
    [InlineData(12u)] // 16
    public void X86_64RefusesWhatTheKernelRefuses(uint type) =>
        Assert.Equal(RelocationStatus.Unsupported, Apply(new X86_64RelocationApplier(true), type, Zero(8), 0x1000, 0, 0).Status);

    [Fact]
    public void X86_64LinuxDemandsZeroPlaces()
    {
        Assert.Equal(RelocationStatus.NonZeroTarget, Apply(new X86_64RelocationApplier(true), 2, [0xfc, 0xff, 0xff, 0xff], 0x1000, -4, 0).Status);
        Assert.Equal(RelocationStatus.Applied, Apply(new X86_64RelocationApplier(false), 2, [0xfc, 0xff, 0xff, 0xff], 0x1000, -4, 0).Status);
    }

    [Fact]
    public void PlaceShorterThanTheFieldIsOutOfBounds() =>
        Assert.Equal(RelocationStatus.OutOfBounds, Apply(new X86_64RelocationApplier(false), 1, Zero(7), 0x1000, 0, 0).Status);

    // ---- i386 ----

    [Theory]
    [InlineData(1u, 0xc1a13a40UL, 12L, 0xf8000000UL, 0UL, "4c3aa1c1")] // 32: S+A
    [InlineData(2u, 0xc105f740UL, -4L, 0xf8000071UL, 0UL, "cbf605c9")] // PC32 (xt_rateest example, reference §5.1)
    [InlineData(4u, 0xc105f740UL, -4L, 0xf8000071UL, 0UL, "cbf605c9")] // PLT32 = PC32
    [InlineData(6u, 0xc1a13a40UL, 0L, 0xf8000000UL, 0UL, "403aa1c1")] // GLOB_DAT: S
    [InlineData(7u, 0xc105f740UL, 0L, 0xf8000000UL, 0UL, "40f705c1")] // JMP_SLOT: S
    [InlineData(8u, 0UL, 0x1230L, 0xf8000000UL, 0xf8000000UL, "301200f8")] // RELATIVE: B+A
    public void I386Types(uint type, ulong s, long a, ulong p, ulong b, string expected)
    {
        var (status, bytes) = Apply(new I386RelocationApplier(), type, [0xfc, 0xff, 0xff, 0xff], s, a, p, b);
        Assert.Equal(RelocationStatus.Applied, status);
        Assert.Equal(expected, Convert.ToHexString(bytes).ToLowerInvariant());
    }

    [Theory]
    [InlineData(3u)] // GOT32
    [InlineData(9u)] // GOTOFF
    [InlineData(10u)] // GOTPC
    [InlineData(43u)] // GOT32X
    public void I386RefusesGotTypes(uint type) =>
        Assert.Equal(RelocationStatus.Unsupported, Apply(new I386RelocationApplier(), type, Zero(4), 0x1000, 0, 0).Status);

    // ---- AArch64 ----

    private static readonly AArch64RelocationApplier A64 = new();

    private static uint A64Insn(uint type, uint insn, ulong s, long a, ulong p, RelocationStatus expected = RelocationStatus.Applied)
    {
        var (status, bytes) = Apply(A64, type, Insn(insn), s, a, p);
        Assert.Equal(expected, status);
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    [Fact]
    public void AArch64AdrpAddLdst128AndCallFromRealModules()
    {
        // aegis128.ko examples (reference §5.1, checked there against ld.lld).
        Assert.Equal(0xd0040522u, A64Insn(275, 0x90000002, 0xffff800008da6900, 0, 0xffff800000d00010));
        Assert.Equal(0x91240042u, A64Insn(277, 0x91000042, 0xffff800008da6900, 0, 0xffff800000d00014));
        Assert.Equal(0x3dc2b481u, A64Insn(299, 0x3dc00081, 0xffff800008da6ad0, 0, 0));
        Assert.Equal(0x95fe6aa9u, A64Insn(283, 0x94000000, 0x7f9aaa4 + 0x1000, 0, 0x1000));
    }

    [Theory]
    [InlineData(278u, 0x39400000u, 0xabcUL, 0x396af000u)] // LDST8: bits 11:0
    [InlineData(284u, 0x79400000u, 0xabcUL, 0x79557800u)] // LDST16: bits 11:1
    [InlineData(285u, 0xb9400000u, 0xabcUL, 0xb94abc00u)] // LDST32: bits 11:2
    [InlineData(286u, 0xf9400000u, 0xab8UL, 0xf9455c00u)] // LDST64: bits 11:3
    public void AArch64LoadStoreOffsets(uint type, uint insn, ulong s, uint expected) =>
        Assert.Equal(expected, A64Insn(type, insn, 0xffff800009813000 + s, 0, 0));

    [Fact]
    public void AArch64Branches()
    {
        const ulong p = 0xffff800004000000;
        Assert.Equal(0x14000004u, A64Insn(282, 0x14000000, p + 16, 0, p)); // JUMP26 +16
        Assert.Equal(0x97ffffffu, A64Insn(283, 0x94000000, p - 4, 0, p)); // CALL26 -4
        Assert.Equal(0x54000080u, A64Insn(280, 0x54000000, p + 16, 0, p)); // CONDBR19 +16 into bits 23:5
        Assert.Equal(0x36180080u, A64Insn(279, 0x36180000, p + 16, 0, p)); // TSTBR14 +16 into bits 18:5
        Assert.Equal(0x58000087u, A64Insn(273, 0x58000007, p + 16, 0, p)); // LD_PREL_LO19
        Assert.Equal(0x30000082u, A64Insn(274, 0x10000002, p + 17, 0, p)); // ADR_PREL_LO21: immlo=1, immhi=4
        Assert.Equal(0u, A64Insn(283, 0x94000000, p + (128UL << 20), 0, p, RelocationStatus.BranchOutOfRange) & 0);
        Assert.Equal(0u, A64Insn(280, 0x54000000, p + (1UL << 20), 0, p, RelocationStatus.Overflow) & 0);
        Assert.Equal(0u, A64Insn(279, 0x36180000, p + (32UL << 10), 0, p, RelocationStatus.Overflow) & 0);
        Assert.Equal(0u, A64Insn(275, 0x90000000, p + (4UL << 30), 0, p, RelocationStatus.Overflow) & 0);
        A64Insn(276, 0x90000000, p + (4UL << 30), 0, p); // _NC: no check
    }

    [Fact]
    public void AArch64MoveWide()
    {
        const ulong v = 0x1122334455667788;
        Assert.Equal(0xd28ef104u, A64Insn(264, 0xd2800004, v, 0, 0)); // UABS_G0_NC: 0x7788
        Assert.Equal(0xd2aaacc4u, A64Insn(266, 0xd2a00004, v, 0, 0)); // UABS_G1_NC: 0x5566
        Assert.Equal(0xd2c66884u, A64Insn(268, 0xd2c00004, v, 0, 0)); // UABS_G2_NC: 0x3344
        Assert.Equal(0xf2e22444u, A64Insn(269, 0xf2e00004, v, 0, 0)); // UABS_G3: 0x1122
        Assert.Equal(0xd2824684u, A64Insn(263, 0xd2800004, 0x1234, 0, 0)); // UABS_G0 in range
        A64Insn(263, 0xd2800004, 0x10000, 0, 0, RelocationStatus.Overflow); // UABS_G0 out of range
        Assert.Equal(0x928001e5u, A64Insn(270, 0xd2800005, unchecked((ulong)-16), 0, 0)); // SABS_G0 negative: MOVN #15
        Assert.Equal(0xd2800205u, A64Insn(270, 0x92800005, 16, 0, 0)); // SABS_G0 positive: MOVZ #16
        A64Insn(270, 0xd2800005, 0x10000, 0, 0, RelocationStatus.Overflow);
        Assert.Equal(0xd2800406u, A64Insn(287, 0xd2800006, 0x1020, 0, 0x1000)); // PREL_G0: +0x20
        Assert.Equal(0x928003e6u, A64Insn(287, 0xd2800006, 0x1000, 0, 0x1020)); // PREL_G0: -0x20 → MOVN #0x1f
        Assert.Equal(0xf29ffc06u, A64Insn(288, 0xf2800006, 0x1000, 0, 0x1020)); // PREL_G0_NC: low 16 bits of -0x20
    }

    [Fact]
    public void AArch64Data()
    {
        const ulong p = 0xffff800004000000;
        Assert.Equal("0800000000000000", Hex(Apply(A64, 257, Zero(8), 0, 8, p).Bytes));
        Assert.Equal("3412000000000000", Hex(Apply(A64, 260, Zero(8), p + 0x1234, 0, p).Bytes));
        Assert.Equal("f0ffffff", Hex(Apply(A64, 261, Zero(4), p - 16, 0, p).Bytes));
        Assert.Equal("34120000", Hex(Apply(A64, 258, Zero(4), 0x1234, 0, p).Bytes));
        Assert.Equal("3412", Hex(Apply(A64, 259, Zero(2), 0x1234, 0, p).Bytes));
        Assert.Equal("f0ff", Hex(Apply(A64, 262, Zero(2), p - 16, 0, p).Bytes));
        Assert.Equal(RelocationStatus.Overflow, Apply(A64, 258, Zero(4), p, 0, 0).Status); // ABS32 of a kernel address
        Assert.Equal(RelocationStatus.Overflow, Apply(A64, 259, Zero(2), 0x10000, 0, 0).Status);
        Assert.Equal(RelocationStatus.Overflow, Apply(A64, 261, Zero(4), p + (4UL << 30), 0, p).Status);
        Assert.Equal(RelocationStatus.Overflow, Apply(A64, 262, Zero(2), p + 0x8000, 0, p).Status);
        Assert.Equal("1012000000000000", Hex(Apply(A64, 1027, Zero(8), 0, 0x1010, 0, 0x200).Bytes)); // RELATIVE: B+A
    }

    [Theory]
    [InlineData(311u)] // ADR_GOT_PAGE
    [InlineData(312u)] // LD64_GOT_LO12_NC
    [InlineData(1031u)] // TLSDESC
    [InlineData(512u)] // TLSGD_ADR_PREL21 (any TLS type)
    public void AArch64RefusesGotAndTls(uint type) =>
        Assert.Equal(RelocationStatus.Unsupported, Apply(A64, type, Zero(8), 0x1000, 0, 0).Status);

    [Fact]
    public void PltEntryReachesItsTarget()
    {
        var (adrp, add, br) = AArch64Instructions.PltEntry(0xffff8000080f1a38, 0xffff8000000000c0);
        Assert.Equal(0xb0040790u, adrp); // adrp x16, 0xffff8000080f1000
        Assert.Equal(0x9128e210u, add); // add x16, x16, #0xa38
        Assert.Equal(0xd61f0200u, br);
    }

    private static string Hex(byte[] b) => Convert.ToHexString(b).ToLowerInvariant();
}
