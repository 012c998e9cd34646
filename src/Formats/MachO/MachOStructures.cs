namespace LkmKit.Formats.MachO;

/// <summary>The <c>mach_header</c>/<c>mach_header_64</c> fields.</summary>
/// <param name="CpuType">The <c>cputype</c>.</param>
/// <param name="CpuSubtype">The <c>cpusubtype</c> including its feature bits.</param>
/// <param name="FileType">The <c>filetype</c> (<c>MH_OBJECT</c>, <c>MH_KEXT_BUNDLE</c>, …).</param>
/// <param name="CommandCount">The <c>ncmds</c>.</param>
/// <param name="CommandsSize">The <c>sizeofcmds</c>.</param>
/// <param name="Flags">The <c>flags</c>.</param>
internal readonly record struct MachOHeader(uint CpuType, uint CpuSubtype, uint FileType, uint CommandCount, uint CommandsSize, uint Flags);

/// <summary>One load command: its number, and where it lies relative to the start of the image.</summary>
/// <param name="Command">The <c>cmd</c>.</param>
/// <param name="Offset">Offset of the command from the start of the image.</param>
/// <param name="Size">The <c>cmdsize</c>.</param>
internal readonly record struct MachOLoadCommand(uint Command, uint Offset, uint Size);

/// <summary>A segment (<c>LC_SEGMENT</c>/<c>LC_SEGMENT_64</c>).</summary>
/// <param name="Name">The <c>segname</c>.</param>
/// <param name="VmAddress">The <c>vmaddr</c>.</param>
/// <param name="VmSize">The <c>vmsize</c>.</param>
/// <param name="FileOffset">The <c>fileoff</c>, relative to the image.</param>
/// <param name="FileSize">The <c>filesize</c>.</param>
/// <param name="MaxProtection">The <c>maxprot</c>.</param>
/// <param name="InitialProtection">The <c>initprot</c>.</param>
/// <param name="Flags">The <c>flags</c>.</param>
/// <param name="FirstSection">Index of its first section in <see cref="MachOFile.Sections"/>.</param>
/// <param name="SectionCount">The <c>nsects</c>.</param>
internal readonly record struct MachOSegment(string Name, ulong VmAddress, ulong VmSize, ulong FileOffset, ulong FileSize,
    uint MaxProtection, uint InitialProtection, uint Flags, int FirstSection, int SectionCount);

/// <summary>A section (<c>section</c>/<c>section_64</c>).</summary>
/// <param name="SectionName">The <c>sectname</c>.</param>
/// <param name="SegmentName">The <c>segname</c>.</param>
/// <param name="Address">The <c>addr</c>.</param>
/// <param name="Size">The <c>size</c>.</param>
/// <param name="Offset">The <c>offset</c>, relative to the image.</param>
/// <param name="Align">The <c>align</c> (log2).</param>
/// <param name="RelocationOffset">The <c>reloff</c>, relative to the image.</param>
/// <param name="RelocationCount">The <c>nreloc</c>.</param>
/// <param name="Flags">The <c>flags</c> (type and attributes).</param>
/// <param name="Reserved1">The <c>reserved1</c>.</param>
/// <param name="Reserved2">The <c>reserved2</c>.</param>
/// <param name="SegmentIndex">Index of the segment command it belongs to.</param>
internal readonly record struct MachOSection(string SectionName, string SegmentName, ulong Address, ulong Size, uint Offset, uint Align,
    uint RelocationOffset, uint RelocationCount, uint Flags, uint Reserved1, uint Reserved2, int SegmentIndex)
{
    /// <summary>The section type (low 8 bits of the flags).</summary>
    public uint Type => Flags & MachOConstants.SectionTypeMask;

    /// <summary>True for zero-fill sections, which have no bytes in the file.</summary>
    public bool IsZeroFill => Type is MachOConstants.SZerofill or MachOConstants.SGbZerofill or MachOConstants.SThreadLocalZerofill;

    /// <summary><c>segname,sectname</c>, as Apple's tools print it.</summary>
    public string FullName => $"{SegmentName},{SectionName}";
}

/// <summary>The <c>LC_SYMTAB</c> fields.</summary>
/// <param name="SymbolOffset">The <c>symoff</c>.</param>
/// <param name="SymbolCount">The <c>nsyms</c>.</param>
/// <param name="StringOffset">The <c>stroff</c>.</param>
/// <param name="StringSize">The <c>strsize</c>.</param>
/// <param name="CommandIndex">Index of the load command.</param>
internal readonly record struct MachOSymtab(uint SymbolOffset, uint SymbolCount, uint StringOffset, uint StringSize, int CommandIndex);

/// <summary>The <c>LC_DYSYMTAB</c> fields a module reader needs.</summary>
/// <param name="LocalSymbolIndex">The <c>ilocalsym</c>.</param>
/// <param name="LocalSymbolCount">The <c>nlocalsym</c>.</param>
/// <param name="ExternalDefinedIndex">The <c>iextdefsym</c>.</param>
/// <param name="ExternalDefinedCount">The <c>nextdefsym</c>.</param>
/// <param name="UndefinedIndex">The <c>iundefsym</c>.</param>
/// <param name="UndefinedCount">The <c>nundefsym</c>.</param>
/// <param name="IndirectSymbolOffset">The <c>indirectsymoff</c>.</param>
/// <param name="IndirectSymbolCount">The <c>nindirectsyms</c>.</param>
/// <param name="ExternalRelocationOffset">The <c>extreloff</c>.</param>
/// <param name="ExternalRelocationCount">The <c>nextrel</c>.</param>
/// <param name="LocalRelocationOffset">The <c>locreloff</c>.</param>
/// <param name="LocalRelocationCount">The <c>nlocrel</c>.</param>
internal readonly record struct MachODysymtab(uint LocalSymbolIndex, uint LocalSymbolCount, uint ExternalDefinedIndex, uint ExternalDefinedCount,
    uint UndefinedIndex, uint UndefinedCount, uint IndirectSymbolOffset, uint IndirectSymbolCount,
    uint ExternalRelocationOffset, uint ExternalRelocationCount, uint LocalRelocationOffset, uint LocalRelocationCount);

/// <summary>A <c>linkedit_data_command</c> (code signature, chained fixups, split info, …).</summary>
/// <param name="DataOffset">The <c>dataoff</c>, relative to the image.</param>
/// <param name="DataSize">The <c>datasize</c>.</param>
internal readonly record struct MachOLinkeditData(uint DataOffset, uint DataSize);

/// <summary>Target platform and versions from <c>LC_BUILD_VERSION</c> or an <c>LC_VERSION_MIN_*</c> command.</summary>
/// <param name="Platform">Platform name (<c>macos</c>, …).</param>
/// <param name="MinimumOs">Minimum OS version.</param>
/// <param name="Sdk">SDK version.</param>
/// <param name="Command">The load command it came from.</param>
internal sealed record MachOBuildVersion(string Platform, string MinimumOs, string Sdk, string Command);
