using System.Reflection.PortableExecutable;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Pe;

/// <summary>PE machine, subsystem, characteristics and section-flag numbers mapped to model values and names.</summary>
internal static class PeNames
{
    /// <summary>The model architecture of a COFF machine number.</summary>
    public static MachineArchitecture Machine(ushort machine) => machine switch
    {
        0x014C => MachineArchitecture.X86,
        0x8664 => MachineArchitecture.X86_64,
        0xAA64 or 0xA641 => MachineArchitecture.AArch64,
        0x01C0 or 0x01C2 or 0x01C4 => MachineArchitecture.Arm,
        0x0200 => MachineArchitecture.IA64,
        0x01F0 or 0x01F1 => MachineArchitecture.PowerPC,
        0x0166 or 0x0169 or 0x0266 or 0x0366 or 0x0466 => MachineArchitecture.Mips,
        0x5032 or 0x5064 or 0x5128 => MachineArchitecture.RiscV,
        0x6232 or 0x6264 => MachineArchitecture.LoongArch,
        _ => MachineArchitecture.Unknown,
    };

    /// <summary>The subsystem's short name (<c>native</c>, <c>windows-gui</c>, …).</summary>
    public static string Subsystem(Subsystem subsystem) => subsystem switch
    {
        System.Reflection.PortableExecutable.Subsystem.Native => "native",
        System.Reflection.PortableExecutable.Subsystem.WindowsGui => "windows-gui",
        System.Reflection.PortableExecutable.Subsystem.WindowsCui => "windows-cui",
        System.Reflection.PortableExecutable.Subsystem.NativeWindows => "native-windows",
        System.Reflection.PortableExecutable.Subsystem.EfiApplication => "efi-application",
        System.Reflection.PortableExecutable.Subsystem.EfiBootServiceDriver => "efi-boot-service-driver",
        System.Reflection.PortableExecutable.Subsystem.EfiRuntimeDriver => "efi-runtime-driver",
        System.Reflection.PortableExecutable.Subsystem.WindowsCEGui => "windows-ce-gui",
        System.Reflection.PortableExecutable.Subsystem.PosixCui => "posix-cui",
        _ => $"subsystem-{(int)subsystem}",
    };

    private static readonly (ushort Bit, string Name)[] DllCharacteristicNames =
    [
        (0x0020, "HIGH_ENTROPY_VA"), (0x0040, "DYNAMIC_BASE"), (0x0080, "FORCE_INTEGRITY"), (0x0100, "NX_COMPAT"),
        (0x0200, "NO_ISOLATION"), (0x0400, "NO_SEH"), (0x0800, "NO_BIND"), (0x1000, "APPCONTAINER"),
        (0x2000, "WDM_DRIVER"), (0x4000, "GUARD_CF"), (0x8000, "TERMINAL_SERVER_AWARE"),
    ];

    private static readonly (uint Bit, string Name)[] SectionFlagNames =
    [
        (0x00000020, "CODE"), (0x00000040, "INITIALIZED_DATA"), (0x00000080, "UNINITIALIZED_DATA"),
        (0x02000000, "DISCARDABLE"), (0x04000000, "NOT_CACHED"), (0x08000000, "NOT_PAGED"), (0x10000000, "SHARED"),
        (0x20000000, "EXECUTE"), (0x40000000, "READ"), (0x80000000, "WRITE"),
    ];

    /// <summary>The IMAGE_DLLCHARACTERISTICS_* names of the bits set, separated by <c>|</c>.</summary>
    public static string DllCharacteristics(ushort value) => Flags(value, DllCharacteristicNames);

    /// <summary>The IMAGE_SCN_* names (without prefix) of a section's characteristics, separated by <c>|</c>.</summary>
    public static string SectionFlags(uint value) => Flags(value, SectionFlagNames);

    /// <summary>A section's kind from its content flags: <c>CODE</c>, <c>DATA</c>, <c>BSS</c> or <c>OTHER</c>.</summary>
    public static string SectionType(uint characteristics) =>
        (characteristics & 0x20) != 0 ? "CODE" : (characteristics & 0x40) != 0 ? "DATA" : (characteristics & 0x80) != 0 ? "BSS" : "OTHER";

    private static string Flags<T>(T value, (T Bit, string Name)[] names) where T : System.Numerics.IBinaryInteger<T>
    {
        var parts = new List<string>();
        var rest = value;
        foreach (var (bit, name) in names)
        {
            if ((value & bit) != T.Zero)
            {
                parts.Add(name);
                rest &= ~bit;
            }
        }

        if (rest != T.Zero)
        {
            parts.Add($"0x{rest:x}");
        }

        return string.Join('|', parts);
    }
}
