using System.Buffers.Binary;
using LkmKit.Formats.Model;
using static LkmKit.Linker.Relocation.AArch64Instructions;

namespace LkmKit.Linker.Relocation;

/// <summary>
/// AArch64 relocations as arch/arm64/kernel/module.c applies them (reloc_data, reloc_insn_movw, reloc_insn_imm,
/// reloc_insn_adrp), with its overflow rules. An out-of-range CALL26/JUMP26 reports
/// <see cref="RelocationStatus.BranchOutOfRange"/> so that the linker can route it through a module PLT entry;
/// FreeBSD's ET_DYN types GLOB_DAT/JUMP_SLOT (S+A) and RELATIVE (B+A) are applied too.
/// </summary>
internal sealed class AArch64RelocationApplier : IRelocationApplier
{
    private enum Op { Abs, Prel, Page }

    /// <inheritdoc />
    public MachineArchitecture Machine => MachineArchitecture.AArch64;

    /// <inheritdoc />
    public RelocationStatus Apply(Span<byte> place, in ModuleRelocation relocation, ulong symbol, ulong address, ulong loadBase)
    {
        ulong val = symbol + (ulong)relocation.Addend;
        uint type = relocation.RawType;
        if (type is 0 or 256)
        {
            return RelocationStatus.Applied;
        }

        int size = type switch { 257 or 260 or 1025 or 1026 or 1027 => 8, 259 or 262 => 2, _ => 4 };
        if (place.Length < size)
        {
            return RelocationStatus.OutOfBounds;
        }

        return type switch
        {
            257 or 1025 or 1026 => Data(place, Op.Abs, val, address, 64),
            1027 => Data(place, Op.Abs, loadBase + (ulong)relocation.Addend, address, 64),
            258 => Data(place, Op.Abs, val, address, 32),
            259 => Data(place, Op.Abs, val, address, 16),
            260 => Data(place, Op.Prel, val, address, 64),
            261 => Data(place, Op.Prel, val, address, 32),
            262 => Data(place, Op.Prel, val, address, 16),
            263 => Movw(place, Op.Abs, val, address, 0, signed: false, check: true),
            264 => Movw(place, Op.Abs, val, address, 0, signed: false, check: false),
            265 => Movw(place, Op.Abs, val, address, 16, signed: false, check: true),
            266 => Movw(place, Op.Abs, val, address, 16, signed: false, check: false),
            267 => Movw(place, Op.Abs, val, address, 32, signed: false, check: true),
            268 => Movw(place, Op.Abs, val, address, 32, signed: false, check: false),
            269 => Movw(place, Op.Abs, val, address, 48, signed: false, check: false),
            270 => Movw(place, Op.Abs, val, address, 0, signed: true, check: true),
            271 => Movw(place, Op.Abs, val, address, 16, signed: true, check: true),
            272 => Movw(place, Op.Abs, val, address, 32, signed: true, check: true),
            287 => Movw(place, Op.Prel, val, address, 0, signed: true, check: true),
            288 => Movw(place, Op.Prel, val, address, 0, signed: false, check: false),
            289 => Movw(place, Op.Prel, val, address, 16, signed: true, check: true),
            290 => Movw(place, Op.Prel, val, address, 16, signed: false, check: false),
            291 => Movw(place, Op.Prel, val, address, 32, signed: true, check: true),
            292 => Movw(place, Op.Prel, val, address, 32, signed: false, check: false),
            293 => Movw(place, Op.Prel, val, address, 48, signed: true, check: false),
            273 => Imm(place, Op.Prel, val, address, 2, 19, Field.Imm19, check: true),
            274 => Imm(place, Op.Prel, val, address, 0, 21, Field.Adr, check: true),
            275 => Imm(place, Op.Page, val, address, 12, 21, Field.Adr, check: true),
            276 => Imm(place, Op.Page, val, address, 12, 21, Field.Adr, check: false),
            277 or 278 => Imm(place, Op.Abs, val, address, 0, 12, Field.Imm12, check: false),
            284 => Imm(place, Op.Abs, val, address, 1, 11, Field.Imm12, check: false),
            285 => Imm(place, Op.Abs, val, address, 2, 10, Field.Imm12, check: false),
            286 => Imm(place, Op.Abs, val, address, 3, 9, Field.Imm12, check: false),
            299 => Imm(place, Op.Abs, val, address, 4, 8, Field.Imm12, check: false),
            279 => Imm(place, Op.Prel, val, address, 2, 14, Field.Imm14, check: true),
            280 => Imm(place, Op.Prel, val, address, 2, 19, Field.Imm19, check: true),
            282 or 283 => Imm(place, Op.Prel, val, address, 2, 26, Field.Imm26, check: true) == RelocationStatus.Overflow
                ? RelocationStatus.BranchOutOfRange : RelocationStatus.Applied,
            _ => RelocationStatus.Unsupported,
        };
    }

    private static long Compute(Op op, ulong val, ulong place) => op switch
    {
        Op.Abs => (long)val,
        Op.Prel => (long)(val - place),
        _ => (long)((val & ~0xfffUL) - (place & ~0xfffUL)),
    };

    private static RelocationStatus Data(Span<byte> place, Op op, ulong val, ulong address, int len)
    {
        long sval = Compute(op, val, address);
        switch (len)
        {
            case 16:
                BinaryPrimitives.WriteInt16LittleEndian(place, (short)sval);
                return (op == Op.Abs ? sval < 0 || sval > ushort.MaxValue : sval < short.MinValue || sval > short.MaxValue)
                    ? RelocationStatus.Overflow : RelocationStatus.Applied;
            case 32:
                BinaryPrimitives.WriteInt32LittleEndian(place, (int)sval);
                return (op == Op.Abs ? sval < 0 || sval > uint.MaxValue : sval < int.MinValue || sval > int.MaxValue)
                    ? RelocationStatus.Overflow : RelocationStatus.Applied;
            default:
                BinaryPrimitives.WriteInt64LittleEndian(place, sval);
                return RelocationStatus.Applied;
        }
    }

    private static RelocationStatus Movw(Span<byte> place, Op op, ulong val, ulong address, int lsb, bool signed, bool check)
    {
        long sval = Compute(op, val, address);
        ulong imm = (ulong)(sval >> lsb);
        uint insn = BinaryPrimitives.ReadUInt32LittleEndian(place);
        if (signed)
        {
            insn &= ~(3u << 29);
            if (sval >= 0)
            {
                insn |= 2u << 29;
            }
            else
            {
                imm = ~imm;
            }
        }

        BinaryPrimitives.WriteUInt32LittleEndian(place, Encode(Field.Imm16, insn, imm));
        return check && imm > ushort.MaxValue ? RelocationStatus.Overflow : RelocationStatus.Applied;
    }

    private static RelocationStatus Imm(Span<byte> place, Op op, ulong val, ulong address, int lsb, int len, Field field, bool check)
    {
        long sval = Compute(op, val, address) >> lsb;
        ulong immMask = ((1UL << (lsb + len)) - 1) >> lsb;
        ulong imm = (ulong)sval & immMask;
        uint insn = BinaryPrimitives.ReadUInt32LittleEndian(place);
        BinaryPrimitives.WriteUInt32LittleEndian(place, Encode(field, insn, imm));
        long upper = (sval & ~(long)(immMask >> 1)) >> (len - 1);
        return check && (ulong)(upper + 1) >= 2 ? RelocationStatus.Overflow : RelocationStatus.Applied;
    }
}
