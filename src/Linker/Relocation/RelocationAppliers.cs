using LkmKit.Formats.Model;

namespace LkmKit.Linker.Relocation;

/// <summary>The applier for each architecture.</summary>
internal static class RelocationAppliers
{
    /// <summary>The applier for <paramref name="machine"/> as <paramref name="flavor"/>'s loader applies it, or null when there is none.</summary>
    public static IRelocationApplier? For(MachineArchitecture machine, ModuleFlavor flavor) => machine switch
    {
        MachineArchitecture.X86_64 => new X86_64RelocationApplier(requireZeroTarget: flavor == ModuleFlavor.Linux, freeBsd: flavor == ModuleFlavor.FreeBsd),
        MachineArchitecture.X86 => new I386RelocationApplier(freeBsd: flavor == ModuleFlavor.FreeBsd),
        MachineArchitecture.AArch64 => new AArch64RelocationApplier(),
        _ => null,
    };

    /// <summary>The architecture's name as messages spell it.</summary>
    public static string ArchitectureName(MachineArchitecture machine) => machine switch
    {
        MachineArchitecture.X86_64 => "x86_64",
        MachineArchitecture.X86 => "i386",
        MachineArchitecture.AArch64 => "aarch64",
        _ => machine.ToString().ToLowerInvariant(),
    };
}
