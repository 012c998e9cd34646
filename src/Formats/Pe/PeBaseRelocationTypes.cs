using LkmKit.Formats.Model;

namespace LkmKit.Formats.Pe;

/// <summary>
/// The IMAGE_REL_BASED_* base-relocation types (winnt.h numbering, as mirrored by gimli-rs/object <c>pe.rs</c>):
/// names and the number of bits each patches. Types 5, 7, 8 and 9 mean different things per machine.
/// </summary>
internal static class PeBaseRelocationTypes
{
    /// <summary>Padding entry, does nothing.</summary>
    public const ushort Absolute = 0;
    /// <summary>Adds the high 16 bits of the delta to a 16-bit field.</summary>
    public const ushort High = 1;
    /// <summary>Adds the low 16 bits of the delta to a 16-bit field.</summary>
    public const ushort Low = 2;
    /// <summary>Adds the delta to a 32-bit field.</summary>
    public const ushort HighLow = 3;
    /// <summary>High 16 bits with the low half of the value in the next entry.</summary>
    public const ushort HighAdj = 4;
    /// <summary>Adds the delta to a 64-bit field.</summary>
    public const ushort Dir64 = 10;

    /// <summary>The type's IMAGE_REL_BASED_* name for <paramref name="machine"/>, or <c>type N</c>.</summary>
    public static string Name(MachineArchitecture machine, uint type) => type switch
    {
        0 => "IMAGE_REL_BASED_ABSOLUTE",
        1 => "IMAGE_REL_BASED_HIGH",
        2 => "IMAGE_REL_BASED_LOW",
        3 => "IMAGE_REL_BASED_HIGHLOW",
        4 => "IMAGE_REL_BASED_HIGHADJ",
        5 when machine == MachineArchitecture.Arm => "IMAGE_REL_BASED_ARM_MOV32",
        5 when machine == MachineArchitecture.Mips => "IMAGE_REL_BASED_MIPS_JMPADDR",
        5 when machine == MachineArchitecture.RiscV => "IMAGE_REL_BASED_RISCV_HIGH20",
        7 when machine == MachineArchitecture.Arm => "IMAGE_REL_BASED_THUMB_MOV32",
        7 when machine == MachineArchitecture.RiscV => "IMAGE_REL_BASED_RISCV_LOW12I",
        8 when machine == MachineArchitecture.RiscV => "IMAGE_REL_BASED_RISCV_LOW12S",
        8 when machine == MachineArchitecture.LoongArch => "IMAGE_REL_BASED_LOONGARCH64_MARK_LA",
        9 when machine == MachineArchitecture.IA64 => "IMAGE_REL_BASED_IA64_IMM64",
        9 when machine == MachineArchitecture.Mips => "IMAGE_REL_BASED_MIPS_JMPADDR16",
        10 => "IMAGE_REL_BASED_DIR64",
        _ => $"type {type}",
    };

    /// <summary>The number of bits the type patches, 0 when it patches nothing or is not known.</summary>
    public static byte Width(MachineArchitecture machine, uint type) => type switch
    {
        1 or 2 or 4 => 16,
        3 => 32,
        10 => 64,
        5 or 7 when machine == MachineArchitecture.Arm => 32,
        9 when machine == MachineArchitecture.IA64 => 64,
        _ => 0,
    };
}
