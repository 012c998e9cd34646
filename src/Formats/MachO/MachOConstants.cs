namespace LkmKit.Formats.MachO;

/// <summary>Numbers from Apple's <c>mach-o/loader.h</c>, <c>fat.h</c>, <c>nlist.h</c>, <c>reloc.h</c> and <c>fixup-chains.h</c>.</summary>
internal static class MachOConstants
{
    /// <summary>32-bit magic (read in the file's byte order).</summary>
    public const uint MhMagic = 0xFEEDFACE;
    /// <summary>64-bit magic (read in the file's byte order).</summary>
    public const uint MhMagic64 = 0xFEEDFACF;
    /// <summary>Fat header magic (always big-endian).</summary>
    public const uint FatMagic = 0xCAFEBABE;
    /// <summary>Fat header magic with 64-bit slice records.</summary>
    public const uint FatMagic64 = 0xCAFEBABF;

    /// <summary>64-bit ABI flag of <c>cputype</c>.</summary>
    public const uint CpuArchAbi64 = 0x01000000;
    /// <summary>ILP32-on-64 ABI flag of <c>cputype</c>.</summary>
    public const uint CpuArchAbi6432 = 0x02000000;
    /// <summary>x86 (i386).</summary>
    public const uint CpuTypeX86 = 7;
    /// <summary>x86-64.</summary>
    public const uint CpuTypeX86_64 = CpuTypeX86 | CpuArchAbi64;
    /// <summary>32-bit ARM.</summary>
    public const uint CpuTypeArm = 12;
    /// <summary>64-bit ARM.</summary>
    public const uint CpuTypeArm64 = CpuTypeArm | CpuArchAbi64;
    /// <summary>arm64_32.</summary>
    public const uint CpuTypeArm64_32 = CpuTypeArm | CpuArchAbi6432;
    /// <summary>32-bit PowerPC.</summary>
    public const uint CpuTypePowerPC = 18;
    /// <summary>64-bit PowerPC.</summary>
    public const uint CpuTypePowerPC64 = CpuTypePowerPC | CpuArchAbi64;
    /// <summary>Feature bits of <c>cpusubtype</c>.</summary>
    public const uint CpuSubtypeMask = 0xFF000000;
    /// <summary>arm64e subtype (low bits).</summary>
    public const uint CpuSubtypeArm64E = 2;

    /// <summary>Relocatable object.</summary>
    public const uint MhObject = 0x1;
    /// <summary>Bundle.</summary>
    public const uint MhBundle = 0x8;
    /// <summary>Kernel extension bundle.</summary>
    public const uint MhKextBundle = 0xB;

    /// <summary>Flag of load commands that dyld must understand.</summary>
    public const uint LcReqDyld = 0x80000000;
    /// <summary>32-bit segment.</summary>
    public const uint LcSegment = 0x1;
    /// <summary>Symbol table.</summary>
    public const uint LcSymtab = 0x2;
    /// <summary>Dynamic symbol table information.</summary>
    public const uint LcDysymtab = 0xB;
    /// <summary>64-bit segment.</summary>
    public const uint LcSegment64 = 0x19;
    /// <summary>UUID.</summary>
    public const uint LcUuid = 0x1B;
    /// <summary>Code signature location.</summary>
    public const uint LcCodeSignature = 0x1D;
    /// <summary>Split segment info.</summary>
    public const uint LcSegmentSplitInfo = 0x1E;
    /// <summary>Compressed dyld information.</summary>
    public const uint LcDyldInfo = 0x22;
    /// <summary>Compressed dyld information only.</summary>
    public const uint LcDyldInfoOnly = 0x22 | LcReqDyld;
    /// <summary>Minimum macOS version.</summary>
    public const uint LcVersionMinMacOsx = 0x24;
    /// <summary>Minimum iOS version.</summary>
    public const uint LcVersionMinIphoneOs = 0x25;
    /// <summary>Source version.</summary>
    public const uint LcSourceVersion = 0x2A;
    /// <summary>Minimum tvOS version.</summary>
    public const uint LcVersionMinTvOs = 0x2F;
    /// <summary>Minimum watchOS version.</summary>
    public const uint LcVersionMinWatchOs = 0x30;
    /// <summary>Platform, minimum OS and SDK.</summary>
    public const uint LcBuildVersion = 0x32;
    /// <summary>Chained fixups.</summary>
    public const uint LcDyldChainedFixups = 0x34 | LcReqDyld;

    /// <summary>Section type mask of a section's flags.</summary>
    public const uint SectionTypeMask = 0xFF;
    /// <summary>Zero-fill section.</summary>
    public const uint SZerofill = 0x1;
    /// <summary>Zero-fill section above 4 GiB.</summary>
    public const uint SGbZerofill = 0xC;
    /// <summary>Thread-local zero-fill section.</summary>
    public const uint SThreadLocalZerofill = 0x12;
    /// <summary>Section holds only machine instructions.</summary>
    public const uint SAttrPureInstructions = 0x80000000;
    /// <summary>Section holds some machine instructions.</summary>
    public const uint SAttrSomeInstructions = 0x400;
    /// <summary>Segment protection: write.</summary>
    public const uint VmProtWrite = 2;
    /// <summary>Segment protection: execute.</summary>
    public const uint VmProtExecute = 4;

    /// <summary>Stab bits of <c>n_type</c>.</summary>
    public const byte NStab = 0xE0;
    /// <summary>Private-extern bit of <c>n_type</c>.</summary>
    public const byte NPext = 0x10;
    /// <summary>Type bits of <c>n_type</c>.</summary>
    public const byte NType = 0x0E;
    /// <summary>External bit of <c>n_type</c>.</summary>
    public const byte NExt = 0x01;
    /// <summary>Undefined.</summary>
    public const byte NUndf = 0x0;
    /// <summary>Absolute.</summary>
    public const byte NAbs = 0x2;
    /// <summary>Indirect (alias).</summary>
    public const byte NIndr = 0xA;
    /// <summary>Prebound undefined.</summary>
    public const byte NPbud = 0xC;
    /// <summary>Defined in section <c>n_sect</c>.</summary>
    public const byte NSect = 0xE;
    /// <summary><c>n_desc</c>: weak reference.</summary>
    public const ushort NWeakRef = 0x40;
    /// <summary><c>n_desc</c>: weak definition.</summary>
    public const ushort NWeakDef = 0x80;

    /// <summary>Scattered bit of a relocation's first word.</summary>
    public const uint RScattered = 0x80000000;
    /// <summary>Section ordinal meaning "absolute" in a non-external relocation.</summary>
    public const uint RAbs = 0;
}
