using System.Buffers.Binary;
using LkmKit.Formats.Model;
using LkmKit.Linker.Relocation;

namespace LkmKit.Linker.Tests;

/// <summary>
/// The Mach-O appliers, one test per type, with values worked out by hand from the formulas of reference 3.11/3.12
/// (the appliers take S and an ELF-form addend; the Mach-O runner's conversion is tested on the fixtures).
/// </summary>
public class MachOApplierTests
{
    private static (RelocationStatus Status, string Hex) Apply(IRelocationApplier applier, uint type, byte width, byte[] place, ulong s, long a, ulong p)
    {
        var bytes = (byte[])place.Clone();
        var r = new ModuleRelocation(0, 1, RelocationKind.Unknown, width, a, false, applier.Machine, type);
        var status = applier.Apply(bytes, r, s, p, 0);
        return (status, Convert.ToHexString(bytes).ToLowerInvariant());
    }

    private static byte[] Insn(uint insn)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, insn);
        return b;
    }

    private static string Hex(uint insn) => Convert.ToHexString(Insn(insn)).ToLowerInvariant();

    // ---- x86_64 ----

    [Theory]
    [InlineData(0u, 64, 0xffffff8000212340UL, 0x10L, 0UL, "5023210080ffffff")] // UNSIGNED 64: S+A
    [InlineData(0u, 32, 0x1000UL, 4L, 0UL, "04100000")] // UNSIGNED 32: S+A
    [InlineData(0u, 32, 0UL, -8L, 0UL, "f8ffffff")] // UNSIGNED 32 of a negative difference (SUBTRACTOR pair)
    [InlineData(1u, 32, 0x2000UL, -4L, 0x1000UL, "fc0f0000")] // SIGNED: S+A-P with A = stored-4
    [InlineData(2u, 32, 0x1000UL, -4L, 0x2000UL, "fcefffff")] // BRANCH backwards
    [InlineData(6u, 32, 0x2000UL, -5L, 0x1000UL, "fb0f0000")] // SIGNED_1 (stored -1 => A = -5)
    [InlineData(7u, 32, 0x2000UL, -6L, 0x1000UL, "fa0f0000")] // SIGNED_2
    [InlineData(8u, 32, 0x2000UL, -8L, 0x1000UL, "f80f0000")] // SIGNED_4
    public void X86_64Types(uint type, int width, ulong s, long a, ulong p, string expected)
    {
        var (status, hex) = Apply(new MachOX86_64RelocationApplier(), type, (byte)width, new byte[width / 8], s, a, p);
        Assert.Equal((RelocationStatus.Applied, expected), (status, hex));
    }

    [Theory]
    [InlineData(2u, 32, 0xffffff8000212340UL, 0xffffff7f80000000UL)] // BRANCH beyond ±2 GiB (X86_64_RIP_RELATIVE_LIMIT)
    [InlineData(1u, 32, 0x100000000UL, 0UL)] // SIGNED beyond ±2 GiB
    [InlineData(0u, 32, 0x200000000UL, 0UL)] // UNSIGNED 32 that fits neither int32 nor uint32
    public void X86_64Overflow(uint type, int width, ulong s, ulong p) =>
        Assert.Equal(RelocationStatus.Overflow, Apply(new MachOX86_64RelocationApplier(), type, (byte)width, new byte[4], s, -4, p).Status);

    [Theory]
    [InlineData(3u, 32)] // GOT_LOAD
    [InlineData(4u, 32)] // GOT
    [InlineData(5u, 64)] // SUBTRACTOR on its own (the runner pairs it)
    [InlineData(9u, 32)] // TLV
    [InlineData(0u, 16)] // UNSIGNED of 2 bytes
    [InlineData(1u, 64)] // SIGNED of 8 bytes
    public void X86_64Refused(uint type, int width) =>
        Assert.Equal(RelocationStatus.Unsupported, Apply(new MachOX86_64RelocationApplier(), type, (byte)width, new byte[8], 0x1000, 0, 0).Status);

    [Fact]
    public void X86_64ShortPlaceIsOutOfBounds() =>
        Assert.Equal(RelocationStatus.OutOfBounds, Apply(new MachOX86_64RelocationApplier(), 0, 64, new byte[4], 0x1000, 0, 0).Status);

    // ---- arm64 ----

    [Theory]
    [InlineData(2u, 0x94000000u, 0x10000UL, 8L, 0x1000UL, 0x94003c02u)] // BRANCH26: (S+A-P)>>2 = 0xf008>>2
    [InlineData(2u, 0x14000000u, 0x1000UL, 0L, 0x2000UL, 0x17fffc00u)] // BRANCH26 backwards (b)
    [InlineData(3u, 0x90000000u, 0x12345670UL, 8L, 0x1000UL, 0x90091a20u)] // PAGE21: pages 0x12344 → immlo 0, immhi 0x48d1
    [InlineData(3u, 0x90000001u, 0x3000UL, 0L, 0x1000UL, 0xd0000001u)] // PAGE21: 2 pages → immlo 2
    [InlineData(4u, 0x91000000u, 0x12345670UL, 8L, 0UL, 0x9119e000u)] // PAGEOFF12 ADD: unscaled 0x678
    [InlineData(4u, 0x39400000u, 0x12345678UL, 0L, 0UL, 0x3959e000u)] // PAGEOFF12 LDRB: scale 1
    [InlineData(4u, 0x79400000u, 0x12345678UL, 0L, 0UL, 0x794cf000u)] // PAGEOFF12 LDRH: 0x678/2 = 0x33c
    [InlineData(4u, 0xb9400000u, 0x12345678UL, 0L, 0UL, 0xb9467800u)] // PAGEOFF12 LDR w: 0x678/4 = 0x19e
    [InlineData(4u, 0xf9400000u, 0x12345678UL, 0L, 0UL, 0xf9433c00u)] // PAGEOFF12 LDR x: 0x678/8 = 0xcf
    [InlineData(4u, 0x3dc00000u, 0x12345670UL, 0L, 0UL, 0x3dc19c00u)] // PAGEOFF12 LDR q: 0x670/16 = 0x67
    [InlineData(4u, 0xf9000000u, 0x12345678UL, 0L, 0UL, 0xf9033c00u)] // PAGEOFF12 STR x
    public void Arm64InstructionTypes(uint type, uint insn, ulong s, long a, ulong p, uint expected)
    {
        var (status, hex) = Apply(new MachOArm64RelocationApplier(), type, 32, Insn(insn), s, a, p);
        Assert.Equal((RelocationStatus.Applied, Hex(expected)), (status, hex));
    }

    [Theory]
    [InlineData(64, 0xffff800001212340UL, 0x10L, "502321010080ffff")] // UNSIGNED 64: S+A
    [InlineData(32, 0x1000UL, 3L, "03100000")] // UNSIGNED 32 (SUBTRACTOR pair)
    public void Arm64Unsigned(int width, ulong s, long a, string expected)
    {
        var (status, hex) = Apply(new MachOArm64RelocationApplier(), 0, (byte)width, new byte[width / 8], s, a, 0);
        Assert.Equal((RelocationStatus.Applied, expected), (status, hex));
    }

    [Theory]
    [InlineData(2u, 0x94000000u, 0x1002UL, 0x1000UL, nameof(RelocationStatus.Misaligned))] // BRANCH26 to a non-instruction address
    [InlineData(2u, 0x94000000u, 0x8001000UL, 0x1000UL, nameof(RelocationStatus.Overflow))] // BRANCH26 at +128 MiB
    [InlineData(3u, 0x90000000u, 0x100001000UL, 0x1000UL, nameof(RelocationStatus.Overflow))] // PAGE21 at +4 GiB
    [InlineData(4u, 0xf9400000u, 0x1004UL, 0UL, nameof(RelocationStatus.Misaligned))] // PAGEOFF12 LDR x of a 4-aligned address
    [InlineData(4u, 0x3dc00000u, 0x1008UL, 0UL, nameof(RelocationStatus.Misaligned))] // PAGEOFF12 LDR q of an 8-aligned address
    [InlineData(5u, 0x90000000u, 0x1000UL, 0UL, nameof(RelocationStatus.Unsupported))] // GOT_LOAD_PAGE21
    [InlineData(6u, 0xf9400000u, 0x1000UL, 0UL, nameof(RelocationStatus.Unsupported))] // GOT_LOAD_PAGEOFF12
    [InlineData(7u, 0u, 0x1000UL, 0UL, nameof(RelocationStatus.Unsupported))] // POINTER_TO_GOT
    [InlineData(8u, 0x90000000u, 0x1000UL, 0UL, nameof(RelocationStatus.Unsupported))] // TLVP_LOAD_PAGE21
    [InlineData(11u, 0u, 0x1000UL, 0UL, nameof(RelocationStatus.Unsupported))] // AUTHENTICATED_POINTER
    public void Arm64Refused(uint type, uint insn, ulong s, ulong p, string expectedStatus)
    {
        var expected = Enum.Parse<RelocationStatus>(expectedStatus);
        var (status, hex) = Apply(new MachOArm64RelocationApplier(), type, 32, Insn(insn), s, 0, p);
        Assert.Equal(expected, status);
        Assert.Equal(Hex(insn), hex); // a refused relocation leaves the instruction alone
    }

    [Fact]
    public void Arm64LowestBranchIsInRange() =>
        Assert.Equal(RelocationStatus.Applied, Apply(new MachOArm64RelocationApplier(), 2, 32, Insn(0x94000000), 0x1000, 0, 0x1000 + (1UL << 27)).Status);
}
