using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.MachO;

/// <summary>
/// Names and generic kinds of Mach-O relocation types (<c>X86_64_RELOC_*</c>, <c>ARM64_RELOC_*</c>,
/// <c>GENERIC_RELOC_*</c>). The model's raw type is <c>r_type</c>, with <see cref="ScatteredFlag"/> added for scattered
/// records; chained fixups use <see cref="ChainedBase"/> + kind. Pair carriers (<c>PAIR</c>, <c>ADDEND</c>) have kind
/// None; differences (<c>SUBTRACTOR</c>, <c>SECTDIFF</c>) have no generic kind and are Unknown: read them with the
/// record that follows.
/// </summary>
internal static class MachORelocationTypes
{
    /// <summary>Added to <c>r_type</c> for scattered records.</summary>
    public const uint ScatteredFlag = 0x100;
    /// <summary>Raw type of a chained-fixup rebase; +1 bind, +2 authenticated rebase, +3 authenticated bind.</summary>
    public const uint ChainedBase = 0x1000;
    /// <summary><c>ARM64_RELOC_ADDEND</c>.</summary>
    public const uint Arm64Addend = 10;
    /// <summary><c>GENERIC_RELOC_PAIR</c>.</summary>
    public const uint GenericPair = 1;

    private static readonly string[] X86_64 = ["UNSIGNED", "SIGNED", "BRANCH", "GOT_LOAD", "GOT", "SUBTRACTOR", "SIGNED_1", "SIGNED_2", "SIGNED_4", "TLV"];
    private static readonly string[] Arm64 = ["UNSIGNED", "SUBTRACTOR", "BRANCH26", "PAGE21", "PAGEOFF12", "GOT_LOAD_PAGE21", "GOT_LOAD_PAGEOFF12",
        "POINTER_TO_GOT", "TLVP_LOAD_PAGE21", "TLVP_LOAD_PAGEOFF12", "ADDEND", "AUTHENTICATED_POINTER"];
    private static readonly string[] Generic = ["VANILLA", "PAIR", "SECTDIFF", "PB_LA_PTR", "LOCAL_SECTDIFF", "TLV"];
    private static readonly string[] Chained = ["CHAINED_REBASE", "CHAINED_BIND", "CHAINED_AUTH_REBASE", "CHAINED_AUTH_BIND"];

    /// <summary>Name, kind and width (0: the width comes from <c>r_length</c>) of <paramref name="rawType"/> on <paramref name="machine"/>.</summary>
    public static RelocationTypeInfo Describe(MachineArchitecture machine, uint rawType)
    {
        if (rawType >= ChainedBase && rawType < ChainedBase + 4)
        {
            uint k = rawType - ChainedBase;
            return new RelocationTypeInfo(Chained[k], (k & 1) != 0 ? RelocationKind.Absolute : RelocationKind.BaseRelative, 0);
        }

        string suffix = (rawType & ScatteredFlag) != 0 ? " (scattered)" : "";
        uint type = rawType & 0xF;
        return machine switch
        {
            MachineArchitecture.X86_64 when type < X86_64.Length => new("X86_64_RELOC_" + X86_64[type] + suffix, X86_64Kind(type), 0),
            MachineArchitecture.AArch64 when type < Arm64.Length => new("ARM64_RELOC_" + Arm64[type] + suffix, Arm64Kind(type), 0),
            MachineArchitecture.X86 or MachineArchitecture.Arm or MachineArchitecture.PowerPC when type < Generic.Length
                => new("GENERIC_RELOC_" + Generic[type] + suffix, GenericKind(type), 0),
            _ => new($"type {type}{suffix}", RelocationKind.Unknown, 0),
        };
    }

    /// <summary>True when the type's place is an instruction field whose addend is not stored there (arm64 objects carry it in ADDEND).</summary>
    public static bool IsInstructionField(MachineArchitecture machine, uint type) => machine == MachineArchitecture.AArch64 && type is >= 2 and <= 9;

    private static RelocationKind X86_64Kind(uint type) => type switch
    {
        0 => RelocationKind.Absolute,
        1 or 6 or 7 or 8 => RelocationKind.PcRelative,
        2 => RelocationKind.Branch,
        3 or 4 => RelocationKind.GotRelative,
        9 => RelocationKind.Tls,
        _ => RelocationKind.Unknown,
    };

    private static RelocationKind Arm64Kind(uint type) => type switch
    {
        0 or 11 => RelocationKind.Absolute,
        2 => RelocationKind.Branch,
        3 => RelocationKind.PageRelative,
        4 => RelocationKind.PageOffset,
        5 or 6 or 7 => RelocationKind.GotRelative,
        8 or 9 => RelocationKind.Tls,
        10 => RelocationKind.None,
        _ => RelocationKind.Unknown,
    };

    private static RelocationKind GenericKind(uint type) => type switch
    {
        0 or 3 => RelocationKind.Absolute,
        1 => RelocationKind.None,
        5 => RelocationKind.Tls,
        _ => RelocationKind.Unknown,
    };
}
