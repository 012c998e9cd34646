using LkmKit.Formats.Model;
using static LkmKit.Formats.Elf.ElfConstants;

namespace LkmKit.Linker.Output;

/// <summary>
/// The ELF numbers a linked section and image carry. ELF inputs keep their own; inputs from other containers (a.out,
/// whose raw section types are n_type codes and whose machine is an a_mid) get the ELF equivalents, because the
/// linked image is written as ELF.
/// </summary>
internal static class ElfOutputKinds
{
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
        MachineArchitecture.X86 => Machine386,
        MachineArchitecture.X86_64 => MachineX86_64,
        MachineArchitecture.AArch64 => MachineAArch64,
        MachineArchitecture.Arm => MachineArm,
        MachineArchitecture.Sparc => MachineSparc,
        MachineArchitecture.Mips => MachineMips,
        MachineArchitecture.PowerPC => MachinePpc,
        _ => 0,
    };
}
