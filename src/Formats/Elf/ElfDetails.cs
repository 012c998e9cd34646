using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf;

/// <summary>
/// The ELF file header words the common model has no field for (what <c>readelf -h</c> prints besides class, data,
/// machine and type, which are <see cref="KernelModule.Bits"/>, <see cref="KernelModule.ByteOrder"/>,
/// <see cref="KernelModule.RawMachine"/> and <see cref="KernelModule.FileType"/>).
/// </summary>
public sealed class ElfDetails : ContainerDetails
{
    internal ElfDetails(ElfFile file) => File = file;

    /// <summary>The parsed file (internal: the parsers are not public).</summary>
    internal ElfFile File { get; }

    private ElfHeader Header => File.Header;

    /// <summary><c>e_ident[EI_OSABI]</c> (0 = System V, 9 = FreeBSD, 3 = GNU/Linux, …).</summary>
    public byte OsAbi => Header.OsAbi;
    /// <summary><c>e_ident[EI_ABIVERSION]</c>.</summary>
    public byte AbiVersion => Header.AbiVersion;
    /// <summary><c>e_type</c> as stored (1 = ET_REL, 2 = ET_EXEC, 3 = ET_DYN, …).</summary>
    public ushort RawFileType => Header.Type;
    /// <summary><c>e_version</c> (1 = EV_CURRENT).</summary>
    public uint Version => Header.Version;
    /// <summary><c>e_flags</c>: processor-specific flags.</summary>
    public uint Flags => Header.Flags;
    /// <summary><c>e_entry</c>: the entry address (0 in relocatable objects).</summary>
    public ulong Entry => Header.Entry;
    /// <summary><c>e_ehsize</c>: size of the file header in bytes.</summary>
    public ushort HeaderSize => Header.HeaderSize;
    /// <summary><c>e_phoff</c>: file offset of the program header table (0 when there is none).</summary>
    public ulong ProgramHeaderOffset => Header.ProgramHeaderOffset;
    /// <summary><c>e_phentsize</c>: size of one program header.</summary>
    public ushort ProgramHeaderEntrySize => Header.ProgramHeaderEntrySize;
    /// <summary><c>e_phnum</c>: number of program headers.</summary>
    public int ProgramHeaderCount => Header.ProgramHeaderCount;
    /// <summary><c>e_shoff</c>: file offset of the section header table.</summary>
    public ulong SectionHeaderOffset => Header.SectionHeaderOffset;
    /// <summary><c>e_shentsize</c>: size of one section header.</summary>
    public ushort SectionHeaderEntrySize => Header.SectionHeaderEntrySize;
    /// <summary>Number of section headers (<c>e_shnum</c>, or section 0's <c>sh_size</c> when <c>e_shnum</c> is 0).</summary>
    public int SectionHeaderCount => Header.SectionHeaderCount;
    /// <summary>Index of the section-name string table (<c>e_shstrndx</c>, or section 0's <c>sh_link</c> when it is SHN_XINDEX).</summary>
    public int SectionNameTableIndex => Header.SectionNameTableIndex;
}
