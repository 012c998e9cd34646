using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf;

/// <summary>What one ELF relocation type number means on one architecture.</summary>
/// <param name="Name">The psABI name, e.g. <c>R_X86_64_PC32</c>.</param>
/// <param name="Kind">The generic computation.</param>
/// <param name="Width">Bits written at the place (0 when none or unknown).</param>
internal readonly record struct RelocationTypeInfo(string Name, RelocationKind Kind, byte Width);

/// <summary>Names, generic kinds and widths of ELF relocation types for x86-64, i386 and AArch64.</summary>
internal static class ElfRelocationTypes
{
    private static readonly RelocationTypeInfo[] X86_64 = Table("R_X86_64_",
        (0, "NONE", RelocationKind.None, 0), (1, "64", RelocationKind.Absolute, 64), (2, "PC32", RelocationKind.PcRelative, 32),
        (3, "GOT32", RelocationKind.GotRelative, 32), (4, "PLT32", RelocationKind.Branch, 32), (5, "COPY", RelocationKind.Copy, 0),
        (6, "GLOB_DAT", RelocationKind.SymbolPointer, 64), (7, "JUMP_SLOT", RelocationKind.SymbolPointer, 64),
        (8, "RELATIVE", RelocationKind.BaseRelative, 64), (9, "GOTPCREL", RelocationKind.GotRelative, 32),
        (10, "32", RelocationKind.Absolute, 32), (11, "32S", RelocationKind.Absolute, 32), (12, "16", RelocationKind.Absolute, 16),
        (13, "PC16", RelocationKind.PcRelative, 16), (14, "8", RelocationKind.Absolute, 8), (15, "PC8", RelocationKind.PcRelative, 8),
        (16, "DTPMOD64", RelocationKind.Tls, 64), (17, "DTPOFF64", RelocationKind.Tls, 64), (18, "TPOFF64", RelocationKind.Tls, 64),
        (19, "TLSGD", RelocationKind.Tls, 32), (20, "TLSLD", RelocationKind.Tls, 32), (21, "DTPOFF32", RelocationKind.Tls, 32),
        (22, "GOTTPOFF", RelocationKind.Tls, 32), (23, "TPOFF32", RelocationKind.Tls, 32), (24, "PC64", RelocationKind.PcRelative, 64),
        (25, "GOTOFF64", RelocationKind.GotRelative, 64), (26, "GOTPC32", RelocationKind.GotRelative, 32),
        (32, "SIZE32", RelocationKind.Unknown, 32), (33, "SIZE64", RelocationKind.Unknown, 64),
        (34, "GOTPC32_TLSDESC", RelocationKind.Tls, 32), (35, "TLSDESC_CALL", RelocationKind.Tls, 0), (36, "TLSDESC", RelocationKind.Tls, 64),
        (37, "IRELATIVE", RelocationKind.BaseRelative, 64), (41, "GOTPCRELX", RelocationKind.GotRelative, 32),
        (42, "REX_GOTPCRELX", RelocationKind.GotRelative, 32));

    private static readonly RelocationTypeInfo[] I386 = Table("R_386_",
        (0, "NONE", RelocationKind.None, 0), (1, "32", RelocationKind.Absolute, 32), (2, "PC32", RelocationKind.PcRelative, 32),
        (3, "GOT32", RelocationKind.GotRelative, 32), (4, "PLT32", RelocationKind.Branch, 32), (5, "COPY", RelocationKind.Copy, 0),
        (6, "GLOB_DAT", RelocationKind.SymbolPointer, 32), (7, "JUMP_SLOT", RelocationKind.SymbolPointer, 32),
        (8, "RELATIVE", RelocationKind.BaseRelative, 32), (9, "GOTOFF", RelocationKind.GotRelative, 32),
        (10, "GOTPC", RelocationKind.GotRelative, 32), (14, "TLS_TPOFF", RelocationKind.Tls, 32), (15, "TLS_IE", RelocationKind.Tls, 32),
        (16, "TLS_GOTIE", RelocationKind.Tls, 32), (17, "TLS_LE", RelocationKind.Tls, 32), (18, "TLS_GD", RelocationKind.Tls, 32),
        (19, "TLS_LDM", RelocationKind.Tls, 32), (20, "16", RelocationKind.Absolute, 16), (21, "PC16", RelocationKind.PcRelative, 16),
        (22, "8", RelocationKind.Absolute, 8), (23, "PC8", RelocationKind.PcRelative, 8), (35, "TLS_DTPMOD32", RelocationKind.Tls, 32),
        (36, "TLS_DTPOFF32", RelocationKind.Tls, 32), (37, "TLS_TPOFF32", RelocationKind.Tls, 32), (42, "IRELATIVE", RelocationKind.BaseRelative, 32),
        (43, "GOT32X", RelocationKind.GotRelative, 32));

    private static readonly RelocationTypeInfo[] AArch64 = Table("R_AARCH64_",
        (0, "NONE", RelocationKind.None, 0), (256, "NONE", RelocationKind.None, 0),
        (257, "ABS64", RelocationKind.Absolute, 64), (258, "ABS32", RelocationKind.Absolute, 32), (259, "ABS16", RelocationKind.Absolute, 16),
        (260, "PREL64", RelocationKind.PcRelative, 64), (261, "PREL32", RelocationKind.PcRelative, 32), (262, "PREL16", RelocationKind.PcRelative, 16),
        (263, "MOVW_UABS_G0", RelocationKind.MoveWide, 16), (264, "MOVW_UABS_G0_NC", RelocationKind.MoveWide, 16),
        (265, "MOVW_UABS_G1", RelocationKind.MoveWide, 16), (266, "MOVW_UABS_G1_NC", RelocationKind.MoveWide, 16),
        (267, "MOVW_UABS_G2", RelocationKind.MoveWide, 16), (268, "MOVW_UABS_G2_NC", RelocationKind.MoveWide, 16),
        (269, "MOVW_UABS_G3", RelocationKind.MoveWide, 16), (270, "MOVW_SABS_G0", RelocationKind.MoveWide, 16),
        (271, "MOVW_SABS_G1", RelocationKind.MoveWide, 16), (272, "MOVW_SABS_G2", RelocationKind.MoveWide, 16),
        (273, "LD_PREL_LO19", RelocationKind.PcRelative, 19), (274, "ADR_PREL_LO21", RelocationKind.PcRelative, 21),
        (275, "ADR_PREL_PG_HI21", RelocationKind.PageRelative, 21), (276, "ADR_PREL_PG_HI21_NC", RelocationKind.PageRelative, 21),
        (277, "ADD_ABS_LO12_NC", RelocationKind.PageOffset, 12), (278, "LDST8_ABS_LO12_NC", RelocationKind.PageOffset, 12),
        (279, "TSTBR14", RelocationKind.Branch, 14), (280, "CONDBR19", RelocationKind.Branch, 19),
        (282, "JUMP26", RelocationKind.Branch, 26), (283, "CALL26", RelocationKind.Branch, 26),
        (284, "LDST16_ABS_LO12_NC", RelocationKind.PageOffset, 12), (285, "LDST32_ABS_LO12_NC", RelocationKind.PageOffset, 12),
        (286, "LDST64_ABS_LO12_NC", RelocationKind.PageOffset, 12), (287, "MOVW_PREL_G0", RelocationKind.MoveWide, 16),
        (288, "MOVW_PREL_G0_NC", RelocationKind.MoveWide, 16), (289, "MOVW_PREL_G1", RelocationKind.MoveWide, 16),
        (290, "MOVW_PREL_G1_NC", RelocationKind.MoveWide, 16), (291, "MOVW_PREL_G2", RelocationKind.MoveWide, 16),
        (292, "MOVW_PREL_G2_NC", RelocationKind.MoveWide, 16), (293, "MOVW_PREL_G3", RelocationKind.MoveWide, 16),
        (299, "LDST128_ABS_LO12_NC", RelocationKind.PageOffset, 12),
        (311, "ADR_GOT_PAGE", RelocationKind.GotRelative, 21), (312, "LD64_GOT_LO12_NC", RelocationKind.GotRelative, 12),
        (1024, "COPY", RelocationKind.Copy, 0), (1025, "GLOB_DAT", RelocationKind.SymbolPointer, 64),
        (1026, "JUMP_SLOT", RelocationKind.SymbolPointer, 64), (1027, "RELATIVE", RelocationKind.BaseRelative, 64),
        (1028, "TLS_DTPMOD64", RelocationKind.Tls, 64), (1029, "TLS_DTPREL64", RelocationKind.Tls, 64),
        (1030, "TLS_TPREL64", RelocationKind.Tls, 64), (1031, "TLSDESC", RelocationKind.Tls, 64),
        (1032, "IRELATIVE", RelocationKind.BaseRelative, 64));

    /// <summary>Describes relocation type <paramref name="type"/> of <paramref name="machine"/>.</summary>
    /// <returns>The description; an unknown type gets kind <see cref="RelocationKind.Unknown"/> and a name that shows its number.</returns>
    public static RelocationTypeInfo Describe(MachineArchitecture machine, uint type)
    {
        var table = TableOf(machine);
        if (table is not null && type < (uint)table.Length && table[type].Name is not null)
        {
            return table[type];
        }

        return new RelocationTypeInfo($"<unknown relocation type {type}>", RelocationKind.Unknown, 0);
    }

    /// <summary>The description table of <paramref name="machine"/> (null for a machine without one).</summary>
    public static RelocationTypeInfo[]? TableOf(MachineArchitecture machine) => machine switch
    {
        MachineArchitecture.X86_64 => X86_64,
        MachineArchitecture.X86 => I386,
        MachineArchitecture.AArch64 => AArch64,
        _ => null,
    };

    private static readonly ushort[] X86_64KindsAndWidths = Packed(X86_64);
    private static readonly ushort[] I386KindsAndWidths = Packed(I386);
    private static readonly ushort[] AArch64KindsAndWidths = Packed(AArch64);

    /// <summary>
    /// <see cref="Describe"/>'s kinds and widths of <paramref name="machine"/>'s types, one number per type (empty for a
    /// machine without a table), for <see cref="KindAndWidth"/>: the relocation readers look one up per entry.
    /// </summary>
    public static ushort[] KindsAndWidthsOf(MachineArchitecture machine) => machine switch
    {
        MachineArchitecture.X86_64 => X86_64KindsAndWidths,
        MachineArchitecture.X86 => I386KindsAndWidths,
        MachineArchitecture.AArch64 => AArch64KindsAndWidths,
        _ => [],
    };

    /// <summary><see cref="Describe"/>'s kind and width of <paramref name="type"/>, from <see cref="KindsAndWidthsOf"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static (RelocationKind Kind, byte Width) KindAndWidth(ushort[] kindsAndWidths, uint type)
    {
        ushort packed = type < (uint)kindsAndWidths.Length ? kindsAndWidths[type] : UnknownPacked;
        return ((RelocationKind)(packed >> 8), (byte)packed);
    }

    private const ushort UnknownPacked = (ushort)((int)RelocationKind.Unknown << 8);

    /// <summary>Kind in the high byte, width in the low one; a number without a name is Unknown with width 0.</summary>
    private static ushort[] Packed(RelocationTypeInfo[] table)
    {
        var packed = new ushort[table.Length];
        for (int i = 0; i < table.Length; i++)
        {
            packed[i] = table[i].Name is null ? UnknownPacked : (ushort)((int)table[i].Kind << 8 | table[i].Width);
        }

        return packed;
    }

    /// <summary>A dense table indexed by type number (this runs once per relocation); unused numbers have no name.</summary>
    private static RelocationTypeInfo[] Table(string prefix, params (uint Number, string Name, RelocationKind Kind, byte Width)[] rows)
    {
        var table = new RelocationTypeInfo[rows.Max(r => r.Number) + 1];
        foreach (var (number, name, kind, width) in rows)
        {
            table[number] = new RelocationTypeInfo(prefix + name, kind, width);
        }

        return table;
    }
}
