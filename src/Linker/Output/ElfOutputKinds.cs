using LkmKit.Formats.Model;

namespace LkmKit.Linker.Output;

/// <summary>
/// The ELF numbers a linked section and image carry. ELF inputs keep their own; inputs from other containers (a.out,
/// whose raw section types are n_type codes and whose machine is an a_mid) get the ELF equivalents, because the
/// linked image is written as ELF.
/// </summary>
internal static class ElfOutputKinds
{
    private const uint ShtProgBits = 1, ShtNoBits = 8;
    private const ulong ShfWrite = 0x1, ShfAlloc = 0x2, ShfExecInstr = 0x4;

    /// <summary>The ELF section type and flags of <paramref name="section"/>; <paramref name="shapeFlags"/> are the flags the layout saw.</summary>
    public static (uint Type, ulong Flags) Section(KernelModule module, ModuleSection section, ulong shapeFlags)
    {
        if (module.Container == ContainerFormat.Elf)
        {
            return (section.RawType, shapeFlags);
        }

        ulong flags = (section.IsAllocated ? ShfAlloc : 0) | (section.IsWritable ? ShfWrite : 0) | (section.IsExecutable ? ShfExecInstr : 0);
        return (section.HasContents ? ShtProgBits : ShtNoBits, flags);
    }

    /// <summary>The ELF <c>e_machine</c> for <paramref name="module"/>'s architecture (its raw machine when it is ELF).</summary>
    public static uint Machine(KernelModule module) => module.Container == ContainerFormat.Elf ? module.RawMachine : module.Machine switch
    {
        MachineArchitecture.X86 => 3,
        MachineArchitecture.X86_64 => 62,
        MachineArchitecture.AArch64 => 183,
        MachineArchitecture.Arm => 40,
        MachineArchitecture.Sparc => 2,
        MachineArchitecture.Mips => 8,
        MachineArchitecture.PowerPC => 20,
        _ => 0,
    };
}
