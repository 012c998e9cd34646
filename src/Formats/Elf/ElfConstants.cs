namespace LkmKit.Formats.Elf;

/// <summary>ELF constants used by the readers (values from the System V gABI).</summary>
internal static class ElfConstants
{
#pragma warning disable CS1591 // the names are the specification's own
    public const byte ClassNone = 0, Class32 = 1, Class64 = 2;
    public const byte DataLsb = 1, DataMsb = 2;
    public const byte OsAbiNone = 0, OsAbiNetBsd = 2, OsAbiGnu = 3, OsAbiFreeBsd = 9;

    public const ushort TypeNone = 0, TypeRel = 1, TypeExec = 2, TypeDyn = 3, TypeCore = 4;

    public const ushort MachineSparc = 2, Machine386 = 3, MachineMips = 8, MachinePpc = 20, MachinePpc64 = 21,
        MachineS390 = 22, MachineArm = 40, MachineSparcV9 = 43, MachineIA64 = 50, MachineX86_64 = 62,
        MachineAArch64 = 183, MachineRiscV = 243, MachineLoongArch = 258;

    public const uint ShtNull = 0, ShtProgBits = 1, ShtSymTab = 2, ShtStrTab = 3, ShtRela = 4, ShtHash = 5,
        ShtDynamic = 6, ShtNote = 7, ShtNoBits = 8, ShtRel = 9, ShtShLib = 10, ShtDynSym = 11, ShtInitArray = 14,
        ShtFiniArray = 15, ShtPreInitArray = 16, ShtGroup = 17, ShtSymTabShndx = 18, ShtRelr = 19,
        ShtGnuAttributes = 0x6ffffff5, ShtGnuHash = 0x6ffffff6, ShtGnuLibList = 0x6ffffff7,
        ShtGnuVerDef = 0x6ffffffd, ShtGnuVerNeed = 0x6ffffffe, ShtGnuVerSym = 0x6fffffff,
        ShtX86_64Unwind = 0x70000001, ShtArmExIdx = 0x70000001, ShtArmAttributes = 0x70000003,
        ShtAArch64Attributes = 0x70000003, ShtLlvmAddrsig = 0x6fff4c03;

    public const ulong ShfWrite = 0x1, ShfAlloc = 0x2, ShfExecInstr = 0x4, ShfMerge = 0x10, ShfStrings = 0x20,
        ShfInfoLink = 0x40, ShfLinkOrder = 0x80, ShfOsNonConforming = 0x100, ShfGroup = 0x200, ShfTls = 0x400,
        ShfCompressed = 0x800, ShfExclude = 0x80000000;
    /// <summary>Linux's own section flag (include/uapi/linux/elf.h): read-only once the module's init has run.</summary>
    public const ulong ShfRoAfterInit = 0x00200000;

    public const ushort ShnUndef = 0, ShnLoReserve = 0xff00, ShnAbs = 0xfff1, ShnCommon = 0xfff2, ShnXIndex = 0xffff;

    public const byte StbLocal = 0, StbGlobal = 1, StbWeak = 2, StbGnuUnique = 10;
    public const byte SttNoType = 0, SttObject = 1, SttFunc = 2, SttSection = 3, SttFile = 4, SttCommon = 5,
        SttTls = 6, SttGnuIFunc = 10;

    public const uint PtNull = 0, PtLoad = 1, PtDynamic = 2, PtInterp = 3, PtNote = 4, PtPhdr = 6, PtTls = 7,
        PtGnuEhFrame = 0x6474e550, PtGnuStack = 0x6474e551, PtGnuRelro = 0x6474e552, PtGnuProperty = 0x6474e553;
#pragma warning restore CS1591

    /// <summary>Size of the identification bytes at the start of every ELF file.</summary>
    public const int IdentSize = 16;
}
