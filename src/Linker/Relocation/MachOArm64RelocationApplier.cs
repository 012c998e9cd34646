using System.Buffers.Binary;
using LkmKit.Formats.Model;
using static LkmKit.Linker.Relocation.AArch64Instructions;

namespace LkmKit.Linker.Relocation;

/// <summary>
/// arm64 Mach-O relocations (<c>ARM64_RELOC_*</c>) in the linker's ELF form (S the target's final address, A the
/// addend an ARM64_RELOC_ADDEND carried, or the stored pointer addend): UNSIGNED (32/64) and a SUBTRACTOR pair write
/// S + A; BRANCH26 the word offset of S + A − P (±128 MiB, 4-aligned); PAGE21 the page delta of S + A and P into ADRP
/// (±4 GiB); PAGEOFF12 the low 12 bits of S + A into imm12, divided by the access size of a load/store (ld64 and lld
/// take the scale from the instruction, not from r_length). GOT_LOAD_PAGE21/PAGEOFF12, POINTER_TO_GOT and the TLVP
/// types need a GOT or TLV descriptors that a kext load does not build, and are refused, as are arm64e
/// AUTHENTICATED_POINTERs.
/// </summary>
internal sealed class MachOArm64RelocationApplier : IRelocationApplier
{
    /// <summary><c>ARM64_RELOC_UNSIGNED</c>.</summary>
    public const uint Unsigned = 0;
    /// <summary><c>ARM64_RELOC_SUBTRACTOR</c>.</summary>
    public const uint Subtractor = 1;
    /// <summary><c>ARM64_RELOC_ADDEND</c>.</summary>
    public const uint Addend = 10;

    /// <inheritdoc />
    public MachineArchitecture Machine => MachineArchitecture.AArch64;

    /// <summary>True for the types whose place is an instruction field (BRANCH26 … TLVP_LOAD_PAGEOFF12).</summary>
    public static bool IsInstructionField(uint type) => type is >= 2 and <= 9;

    /// <inheritdoc />
    public RelocationStatus Apply(Span<byte> place, in ModuleRelocation relocation, ulong symbol, ulong address, ulong loadBase)
    {
        ulong value = symbol + (ulong)relocation.Addend;
        uint type = relocation.RawType;
        if (type == Unsigned)
        {
            return MachOData.WriteUnsigned(place, relocation.Width, value);
        }

        if (type is not (2 or 3 or 4))
        {
            return RelocationStatus.Unsupported;
        }

        if (place.Length < 4)
        {
            return RelocationStatus.OutOfBounds;
        }

        uint insn = BinaryPrimitives.ReadUInt32LittleEndian(place);
        RelocationStatus status;
        (insn, status) = type switch
        {
            2 => Branch26(insn, (long)(value - address)),
            3 => Page21(insn, (long)((value & ~0xfffUL) - (address & ~0xfffUL))),
            _ => PageOff12(insn, value & 0xfff),
        };
        if (status == RelocationStatus.Applied)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(place, insn);
        }

        return status;
    }

    private static (uint, RelocationStatus) Branch26(uint insn, long displacement)
    {
        if ((displacement & 3) != 0)
        {
            return (insn, RelocationStatus.Misaligned);
        }

        return displacement < -(1L << 27) || displacement >= 1L << 27
            ? (insn, RelocationStatus.Overflow)
            : (Encode(Field.Imm26, insn, (ulong)(displacement >> 2)), RelocationStatus.Applied);
    }

    private static (uint, RelocationStatus) Page21(uint insn, long delta)
    {
        long pages = delta >> 12;
        return pages < -(1L << 20) || pages >= 1L << 20
            ? (insn, RelocationStatus.Overflow)
            : (Encode(Field.Adr, insn, (ulong)pages), RelocationStatus.Applied);
    }

    private static (uint, RelocationStatus) PageOff12(uint insn, ulong offset)
    {
        int scale = 0;
        if ((insn & 0x3b000000) == 0x39000000)
        {
            // Load/store (unsigned immediate): the size field, and 16 bytes for the 128-bit SIMD form.
            scale = (int)(insn >> 30);
            if (scale == 0 && (insn & 0x04800000) == 0x04800000)
            {
                scale = 4;
            }
        }

        return (offset & ((1UL << scale) - 1)) != 0
            ? (insn, RelocationStatus.Misaligned)
            : (Encode(Field.Imm12, insn, offset >> scale), RelocationStatus.Applied);
    }
}
