namespace LkmKit.Formats.Elf;

/// <summary>The ELF file header, widened to 64-bit fields.</summary>
internal readonly record struct ElfHeader(
    byte Class,
    byte Data,
    byte OsAbi,
    byte AbiVersion,
    ushort Type,
    ushort Machine,
    uint Version,
    ulong Entry,
    ulong ProgramHeaderOffset,
    ulong SectionHeaderOffset,
    uint Flags,
    ushort HeaderSize,
    ushort ProgramHeaderEntrySize,
    int ProgramHeaderCount,
    ushort SectionHeaderEntrySize,
    int SectionHeaderCount,
    int SectionNameTableIndex)
{
    /// <summary>True for ELFCLASS64.</summary>
    public bool Is64 => Class == ElfConstants.Class64;
    /// <summary>True for ELFDATA2MSB.</summary>
    public bool IsBigEndian => Data == ElfConstants.DataMsb;
}

/// <summary>One section header.</summary>
internal readonly record struct ElfSectionHeader(
    int Index,
    uint NameOffset,
    uint Type,
    ulong Flags,
    ulong Address,
    ulong Offset,
    ulong Size,
    uint Link,
    uint Info,
    ulong AddressAlign,
    ulong EntrySize)
{
    /// <summary>True when the section has bytes in the file.</summary>
    public bool HasContents => Type != ElfConstants.ShtNoBits && Type != ElfConstants.ShtNull;
    /// <summary>True when SHF_ALLOC is set.</summary>
    public bool IsAllocated => (Flags & ElfConstants.ShfAlloc) != 0;
}

/// <summary>One symbol-table entry; the section index is already resolved through SHT_SYMTAB_SHNDX.</summary>
internal readonly record struct ElfSymbol(
    int Index,
    uint NameOffset,
    ulong Value,
    ulong Size,
    byte Info,
    byte Other,
    ushort RawSectionIndex,
    uint SectionIndex)
{
    /// <summary>STB_* binding.</summary>
    public byte Binding => (byte)(Info >> 4);
    /// <summary>STT_* type.</summary>
    public byte Type => (byte)(Info & 0xf);
    /// <summary>True for SHN_UNDEF.</summary>
    public bool IsUndefined => RawSectionIndex == ElfConstants.ShnUndef;
}

/// <summary>One REL or RELA entry; <see cref="Addend"/> is 0 for REL (read the place for the implicit addend).</summary>
internal readonly record struct ElfRelocation(ulong Offset, uint SymbolIndex, uint Type, long Addend);

/// <summary>One program header.</summary>
internal readonly record struct ElfProgramHeader(
    uint Type,
    uint Flags,
    ulong Offset,
    ulong VirtualAddress,
    ulong PhysicalAddress,
    ulong FileSize,
    ulong MemorySize,
    ulong Align);

/// <summary>One note of a SHT_NOTE section or PT_NOTE segment.</summary>
internal readonly record struct ElfNote(string Owner, uint Type, ReadOnlyMemory<byte> Descriptor, long Offset);

/// <summary>One entry of the dynamic section.</summary>
internal readonly record struct ElfDynamicEntry(long Tag, ulong Value);
