using LkmKit.Formats.Model;

namespace LkmKit.Linker.Output;

/// <summary>
/// The ELF numbers the image writer needs for modules from other containers: e_machine, and section type and flags
/// (SHT_PROGBITS/SHT_NOBITS, SHF_ALLOC|SHF_WRITE|SHF_EXECINSTR from the model). ELF modules keep their own.
/// </summary>
public static class ElfNumbering
{
    private const uint ShtProgBits = 1, ShtNoBits = 8;
    private const ulong ShfWrite = 0x1, ShfAlloc = 0x2, ShfExecInstr = 0x4;

    /// <summary>The e_machine for <paramref name="module"/>.</summary>
    public static uint Machine(KernelModule module) => module.Container == ContainerFormat.Elf ? module.RawMachine : module.Machine switch
    {
        MachineArchitecture.X86 => 3,
        MachineArchitecture.X86_64 => 62,
        MachineArchitecture.AArch64 => 183,
        MachineArchitecture.Arm => 40,
        _ => 0,
    };

    /// <summary>The sh_type for <paramref name="section"/> of <paramref name="module"/>.</summary>
    public static uint SectionType(KernelModule module, ModuleSection section) =>
        module.Container == ContainerFormat.Elf ? section.RawType : section.HasContents ? ShtProgBits : ShtNoBits;

    /// <summary>The sh_flags for <paramref name="section"/> of <paramref name="module"/>, given the flags its layout shape has.</summary>
    public static ulong SectionFlags(KernelModule module, ModuleSection section, ulong shapeFlags) =>
        module.Container == ContainerFormat.Elf ? shapeFlags
            : ShfAlloc | (section.IsWritable ? ShfWrite : 0) | (section.IsExecutable ? ShfExecInstr : 0);
}
