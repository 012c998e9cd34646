namespace LkmKit.Linker.Relocation;

/// <summary>The A64 immediate fields relocations patch (aarch64_insn_encode_immediate) and the PLT entry encodings.</summary>
internal static class AArch64Instructions
{
    /// <summary>An immediate field of an A64 instruction.</summary>
    public enum Field
    {
        /// <summary>B/BL imm26, bits 25:0.</summary>
        Imm26,
        /// <summary>B.cond/CBZ/LDR literal imm19, bits 23:5.</summary>
        Imm19,
        /// <summary>TBZ/TBNZ imm14, bits 18:5.</summary>
        Imm14,
        /// <summary>ADD/LDR/STR imm12, bits 21:10.</summary>
        Imm12,
        /// <summary>MOVZ/MOVN/MOVK imm16, bits 20:5.</summary>
        Imm16,
        /// <summary>ADR/ADRP: immlo bits 30:29, immhi bits 23:5.</summary>
        Adr,
    }

    /// <summary><paramref name="insn"/> with <paramref name="field"/> replaced by the low bits of <paramref name="imm"/>.</summary>
    public static uint Encode(Field field, uint insn, ulong imm)
    {
        switch (field)
        {
            case Field.Adr:
                uint immlo = (uint)(imm & 3), immhi = (uint)((imm >> 2) & 0x7ffff);
                return (insn & ~((3u << 29) | (0x7ffffu << 5))) | (immlo << 29) | (immhi << 5);
            default:
                var (mask, shift) = field switch
                {
                    Field.Imm26 => (0x3ffffffu, 0),
                    Field.Imm19 => (0x7ffffu, 5),
                    Field.Imm14 => (0x3fffu, 5),
                    Field.Imm12 => (0xfffu, 10),
                    _ => (0xffffu, 5),
                };
                return (insn & ~(mask << shift)) | (((uint)imm & mask) << shift);
        }
    }

    /// <summary>The three instructions of an arm64 module PLT entry: <c>adrp x16, dst; add x16, x16, :lo12:dst; br x16</c>.</summary>
    public static (uint Adrp, uint Add, uint Br) PltEntry(ulong destination, ulong entryAddress)
    {
        ulong pages = ((destination & ~0xfffUL) - (entryAddress & ~0xfffUL)) >> 12;
        uint adrp = Encode(Field.Adr, 0x90000010u, pages);
        uint add = Encode(Field.Imm12, 0x91000210u, destination & 0xfff);
        return (adrp, add, 0xd61f0200u);
    }
}
