using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf;

/// <summary>Readable names for ELF header, section and symbol fields, as readelf prints them.</summary>
internal static class ElfNames
{
    /// <summary>Maps <c>e_machine</c> to the model's architecture.</summary>
    public static MachineArchitecture Machine(ushort machine) => machine switch
    {
        ElfConstants.Machine386 => MachineArchitecture.X86,
        ElfConstants.MachineX86_64 => MachineArchitecture.X86_64,
        ElfConstants.MachineAArch64 => MachineArchitecture.AArch64,
        ElfConstants.MachineArm => MachineArchitecture.Arm,
        ElfConstants.MachinePpc => MachineArchitecture.PowerPC,
        ElfConstants.MachinePpc64 => MachineArchitecture.PowerPC64,
        ElfConstants.MachineRiscV => MachineArchitecture.RiscV,
        ElfConstants.MachineMips => MachineArchitecture.Mips,
        ElfConstants.MachineS390 => MachineArchitecture.S390,
        ElfConstants.MachineSparc or ElfConstants.MachineSparcV9 => MachineArchitecture.Sparc,
        ElfConstants.MachineLoongArch => MachineArchitecture.LoongArch,
        ElfConstants.MachineIA64 => MachineArchitecture.IA64,
        _ => MachineArchitecture.Unknown,
    };

    /// <summary>The <c>e_type</c> name (REL, EXEC, DYN, CORE).</summary>
    public static string FileType(ushort type) => type switch
    {
        ElfConstants.TypeNone => "NONE",
        ElfConstants.TypeRel => "REL",
        ElfConstants.TypeExec => "EXEC",
        ElfConstants.TypeDyn => "DYN",
        ElfConstants.TypeCore => "CORE",
        _ => $"0x{type:x}",
    };

    /// <summary>The model's kind of an <c>e_type</c>.</summary>
    public static ModuleFileKind FileKind(ushort type) => type switch
    {
        ElfConstants.TypeRel => ModuleFileKind.Relocatable,
        ElfConstants.TypeExec => ModuleFileKind.Executable,
        ElfConstants.TypeDyn => ModuleFileKind.Shared,
        ElfConstants.TypeCore => ModuleFileKind.Core,
        _ => ModuleFileKind.Unknown,
    };

    /// <summary>The <c>sh_type</c> name as readelf prints it.</summary>
    public static string SectionType(uint type, ushort machine) => type switch
    {
        ElfConstants.ShtNull => "NULL",
        ElfConstants.ShtProgBits => "PROGBITS",
        ElfConstants.ShtSymTab => "SYMTAB",
        ElfConstants.ShtStrTab => "STRTAB",
        ElfConstants.ShtRela => "RELA",
        ElfConstants.ShtHash => "HASH",
        ElfConstants.ShtDynamic => "DYNAMIC",
        ElfConstants.ShtNote => "NOTE",
        ElfConstants.ShtNoBits => "NOBITS",
        ElfConstants.ShtRel => "REL",
        ElfConstants.ShtShLib => "SHLIB",
        ElfConstants.ShtDynSym => "DYNSYM",
        ElfConstants.ShtInitArray => "INIT_ARRAY",
        ElfConstants.ShtFiniArray => "FINI_ARRAY",
        ElfConstants.ShtPreInitArray => "PREINIT_ARRAY",
        ElfConstants.ShtGroup => "GROUP",
        ElfConstants.ShtSymTabShndx => "SYMTAB SECTION INDICES",
        ElfConstants.ShtRelr => "RELR",
        ElfConstants.ShtGnuAttributes => "GNU_ATTRIBUTES",
        ElfConstants.ShtGnuHash => "GNU_HASH",
        ElfConstants.ShtGnuLibList => "GNU_LIBLIST",
        ElfConstants.ShtGnuVerDef => "VERDEF",
        ElfConstants.ShtGnuVerNeed => "VERNEED",
        ElfConstants.ShtGnuVerSym => "VERSYM",
        ElfConstants.ShtLlvmAddrsig => "LLVM_ADDRSIG",
        0x70000001 when machine == ElfConstants.MachineX86_64 => "X86_64_UNWIND",
        0x70000001 when machine == ElfConstants.MachineArm => "ARM_EXIDX",
        0x70000003 when machine == ElfConstants.MachineAArch64 => "AARCH64_ATTRIBUTES",
        0x70000003 when machine == ElfConstants.MachineArm => "ARM_ATTRIBUTES",
        _ => $"0x{type:x}",
    };

    /// <summary>The <c>sh_flags</c> letters as readelf prints them (W A X M S I L O G T C E).</summary>
    public static string SectionFlags(ulong flags)
    {
        Span<char> buffer = stackalloc char[16];
        int n = 0;
        if ((flags & ElfConstants.ShfWrite) != 0) buffer[n++] = 'W';
        if ((flags & ElfConstants.ShfAlloc) != 0) buffer[n++] = 'A';
        if ((flags & ElfConstants.ShfExecInstr) != 0) buffer[n++] = 'X';
        if ((flags & ElfConstants.ShfMerge) != 0) buffer[n++] = 'M';
        if ((flags & ElfConstants.ShfStrings) != 0) buffer[n++] = 'S';
        if ((flags & ElfConstants.ShfInfoLink) != 0) buffer[n++] = 'I';
        if ((flags & ElfConstants.ShfLinkOrder) != 0) buffer[n++] = 'L';
        if ((flags & ElfConstants.ShfOsNonConforming) != 0) buffer[n++] = 'O';
        if ((flags & ElfConstants.ShfGroup) != 0) buffer[n++] = 'G';
        if ((flags & ElfConstants.ShfTls) != 0) buffer[n++] = 'T';
        if ((flags & ElfConstants.ShfCompressed) != 0) buffer[n++] = 'C';
        if ((flags & ElfConstants.ShfExclude) != 0) buffer[n++] = 'E';
        if ((flags & 0x0ff00000) != 0) buffer[n++] = 'o';
        return new string(buffer[..n]);
    }

    /// <summary>Maps an STB_* value to the model.</summary>
    public static SymbolBinding Binding(byte binding) => binding switch
    {
        ElfConstants.StbLocal => SymbolBinding.Local,
        ElfConstants.StbGlobal or ElfConstants.StbGnuUnique => SymbolBinding.Global,
        ElfConstants.StbWeak => SymbolBinding.Weak,
        _ => SymbolBinding.Other,
    };

    /// <summary>Maps an STT_* value to the model.</summary>
    public static SymbolType Type(byte type) => type switch
    {
        ElfConstants.SttNoType => SymbolType.NoType,
        ElfConstants.SttObject => SymbolType.Object,
        ElfConstants.SttFunc or ElfConstants.SttGnuIFunc => SymbolType.Function,
        ElfConstants.SttSection => SymbolType.Section,
        ElfConstants.SttFile => SymbolType.File,
        ElfConstants.SttCommon => SymbolType.Common,
        ElfConstants.SttTls => SymbolType.Tls,
        _ => SymbolType.Other,
    };
}
