namespace LkmKit.Formats.AOut;

/// <summary>One <c>struct nlist</c> entry as stored.</summary>
/// <param name="Index">Index in the symbol table.</param>
/// <param name="StringIndex">n_strx: offset of the name from the start of the string table (size word included); 0 = no name.</param>
/// <param name="Type">n_type.</param>
/// <param name="Other">n_other.</param>
/// <param name="Desc">n_desc.</param>
/// <param name="Value">n_value.</param>
internal readonly record struct AOutSymbol(int Index, uint StringIndex, byte Type, byte Other, ushort Desc, uint Value)
{
    /// <summary>True for a debugger (stab) entry: any of the bits 0xe0 set.</summary>
    public bool IsStab => (Type & AOutConstants.NStabMask) != 0;
    /// <summary>True when the external bit is set (not meaningful for stabs).</summary>
    public bool IsExternal => !IsStab && (Type & AOutConstants.NExt) != 0;
    /// <summary>n_type with the external bit masked off (N_TYPE), for non-stab entries.</summary>
    public byte SegmentType => (byte)(Type & AOutConstants.NTypeMask);
    /// <summary>An external undefined entry with a non-zero value: a common block of <see cref="Value"/> bytes.</summary>
    public bool IsCommon => Type == (AOutConstants.NUndf | AOutConstants.NExt) && Value != 0;
    /// <summary>An N_SETA/N_SETT/N_SETD/N_SETB linker-set element (with or without N_EXT).</summary>
    public bool IsSetElement => !IsStab && SegmentType is >= AOutConstants.NSetA and <= AOutConstants.NSetB;
}

/// <summary>
/// One standard 8-byte relocation record, with its bit fields decoded for the file's byte order
/// (<c>r_symbolnum:24, r_pcrel:1, r_length:2, r_extern:1, r_baserel:1, r_jmptable:1, r_relative:1, r_copy:1</c>).
/// </summary>
/// <param name="Index">Index in its table.</param>
/// <param name="FileOffset">Offset of the record in the file.</param>
/// <param name="Address">r_address: offset of the place from the start of the segment.</param>
/// <param name="SymbolNumber">r_symbolnum: a symbol index when <see cref="IsExtern"/>, else a segment type (N_TEXT, N_DATA, N_BSS, N_ABS).</param>
/// <param name="Flags">The flag bits normalised to the little-endian (i386) layout of byte 7: bit 0 r_pcrel, bits 1..2 r_length,
/// bit 3 r_extern, bit 4 r_baserel, bit 5 r_jmptable, bit 6 r_relative, bit 7 r_copy. This is the model's raw relocation type.</param>
internal readonly record struct AOutRelocation(int Index, long FileOffset, int Address, uint SymbolNumber, byte Flags)
{
    /// <summary>r_pcrel.</summary>
    public bool IsPcRelative => (Flags & 0x01) != 0;
    /// <summary>r_length: log2 of the field width in bytes.</summary>
    public int Length => (Flags >> 1) & 3;
    /// <summary>r_extern.</summary>
    public bool IsExtern => (Flags & 0x08) != 0;
    /// <summary>r_baserel, r_jmptable, r_relative or r_copy: a SunOS-style PIC / shared-library relocation.</summary>
    public bool IsSharedLibraryRelocation => (Flags & 0xf0) != 0;
}
