using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf;

/// <summary>Turns an <see cref="ElfFile"/>'s sections, symbols and relocations into the common model.</summary>
internal static class ElfModelBuilder
{
    /// <summary>Creates the module shell: identity from the header, and lazily built sections, symbols and relocations.</summary>
    public static KernelModule CreateModule(ElfFile elf, ModuleSource? source)
    {
        var machine = ElfNames.Machine(elf.Header.Machine);
        return new KernelModule
        {
            Path = elf.Path,
            Container = ContainerFormat.Elf,
            Machine = machine,
            RawMachine = elf.Header.Machine,
            Bits = elf.Is64 ? 64 : 32,
            ByteOrder = elf.IsBigEndian ? ByteOrder.BigEndian : ByteOrder.LittleEndian,
            FileKind = ElfNames.FileKind(elf.Header.Type),
            FileType = ElfNames.FileType(elf.Header.Type),
            Compression = source?.Compression ?? CompressionKind.None,
            FileSize = elf.Data.Length,
            ContainerDetails = new ElfDetails(elf),
            SymbolValuesAreSectionOffsets = elf.Header.Type == ElfConstants.TypeRel,
            Sections = new LazyList<ModuleSection>(() => BuildSections(elf)),
            Symbols = new LazyList<ModuleSymbol>(() => BuildSymbols(elf)),
            RelocationSections = new LazyList<ModuleRelocationSection>(() => BuildRelocationSections(elf, machine)),
        };
    }

    /// <summary>The index of the symbol table the model exposes: SHT_SYMTAB, else SHT_DYNSYM, else -1.</summary>
    public static int PrimarySymbolTable(ElfFile elf)
    {
        int index = elf.FindSectionOfType(ElfConstants.ShtSymTab);
        return index >= 0 ? index : elf.FindSectionOfType(ElfConstants.ShtDynSym);
    }

    private static IReadOnlyList<ModuleSection> BuildSections(ElfFile elf)
    {
        var result = ChunkedList<ModuleSection>.Create(elf.Sections.Length);
        for (int i = 0; i < result.Count; i++)
        {
            var s = elf.Sections[i];
            ChunkedList<ModuleSection>.Slot(result, i) = new ModuleSection
            {
                Index = i,
                Name = elf.GetSectionName(i),
                RawType = s.Type,
                TypeName = ElfNames.SectionType(s.Type, elf.Header.Machine),
                RawFlags = s.Flags,
                Address = s.Address,
                FileOffset = s.Offset,
                Size = s.Size,
                Alignment = s.AddressAlign == 0 ? 1 : s.AddressAlign,
                EntrySize = s.EntrySize,
                Link = s.Link,
                Info = s.Info,
                IsAllocated = (s.Flags & ElfConstants.ShfAlloc) != 0,
                IsWritable = (s.Flags & ElfConstants.ShfWrite) != 0,
                IsExecutable = (s.Flags & ElfConstants.ShfExecInstr) != 0,
                HasContents = s.HasContents,
                Data = elf.GetSectionMemory(i),
            };
        }

        return result;
    }

    private static IReadOnlyList<ModuleSymbol> BuildSymbols(ElfFile elf) => BuildSymbols(elf, PrimarySymbolTable(elf));

    private static IReadOnlyList<ModuleSymbol> BuildSymbols(ElfFile elf, int tableIndex)
    {
        if (tableIndex < 0)
        {
            return [];
        }

        var table = elf.GetSymbolTable(tableIndex);
        var result = ChunkedList<ModuleSymbol>.Create(table.Count);
        var entries = table.Bytes;
        var names = table.StringBytes;
        int i = 0;
        foreach (var array in ChunkedList<ModuleSymbol>.Arrays(result))
        {
            for (int k = 0; k < array.Length; k++, i++)
            {
                array[k] = BuildSymbol(elf, table, entries, names, i);
            }
        }

        return result;
    }

    private static ModuleSymbol BuildSymbol(ElfFile elf, in ElfSymbolTable table, ReadOnlySpan<byte> entries, ReadOnlySpan<byte> names, int i)
    {
        var sym = table.Read(entries, i);
        var (definition, section) = Classify(elf, sym);
        return new ModuleSymbol
        {
            Index = i,
            Name = table.GetName(names, sym),
            Value = sym.Value,
            Size = sym.Size,
            Binding = ElfNames.Binding(sym.Binding),
            Type = ElfNames.Type(sym.Type),
            Definition = definition,
            SectionIndex = section,
            RawSectionIndex = sym.RawSectionIndex == ElfConstants.ShnXIndex ? sym.SectionIndex : sym.RawSectionIndex,
            RawInfo = sym.Info,
            RawOther = sym.Other,
        };
    }

    /// <summary>Where a symbol is defined; a section index out of range is an error.</summary>
    public static (SymbolDefinition Definition, int Section) Classify(ElfFile elf, in ElfSymbol sym)
    {
        if (sym.RawSectionIndex == ElfConstants.ShnUndef)
        {
            return (SymbolDefinition.Undefined, -1);
        }

        if (sym.RawSectionIndex == ElfConstants.ShnAbs)
        {
            return (SymbolDefinition.Absolute, -1);
        }

        if (sym.RawSectionIndex == ElfConstants.ShnCommon)
        {
            return (SymbolDefinition.Common, -1);
        }

        if (sym.RawSectionIndex >= ElfConstants.ShnLoReserve && sym.RawSectionIndex != ElfConstants.ShnXIndex)
        {
            return (SymbolDefinition.Special, -1);
        }

        if (sym.SectionIndex >= (uint)elf.Sections.Length)
        {
            elf.CheckSectionIndex(sym.SectionIndex, (long)elf.Sections[0].Offset, $"symbol {sym.Index}");
        }

        return (SymbolDefinition.Section, (int)sym.SectionIndex);
    }

    private static ModuleRelocationSection[] BuildRelocationSections(ElfFile elf, MachineArchitecture machine)
    {
        int count = 0;
        for (int i = 0; i < elf.Sections.Length; i++)
        {
            count += elf.Sections[i].Type is ElfConstants.ShtRel or ElfConstants.ShtRela ? 1 : 0;
        }

        var result = new ModuleRelocationSection[count];
        for (int i = 0, n = 0; n < count; i++)
        {
            if (elf.Sections[i].Type is ElfConstants.ShtRel or ElfConstants.ShtRela)
            {
                result[n++] = ReadRelocationSection(elf, machine, i);
            }
        }

        return result;
    }

    /// <summary>One REL/RELA section as model relocations (decoded on access; implicit addends read from the places).</summary>
    public static ModuleRelocationSection ReadRelocationSection(ElfFile elf, MachineArchitecture machine, int sectionIndex)
    {
        var header = elf.Sections[sectionIndex];
        var table = elf.GetRelocationTable(sectionIndex);
        string name = elf.GetSectionName(sectionIndex);
        // In an image (ET_EXEC/ET_DYN) r_offset is a virtual address; an allocated table there is a dynamic one even when
        // the linker points sh_info at a section (ld.lld and GNU ld give .rel.plt sh_info = .got.plt with SHF_INFO_LINK).
        bool dynamic = ((header.Flags & ElfConstants.ShfInfoLink) == 0 && header.Info == 0)
            || (elf.Header.Type != ElfConstants.TypeRel && (header.Flags & ElfConstants.ShfAlloc) != 0);
        int target = dynamic ? -1 : (int)header.Info;
        if (!dynamic && header.Info >= (uint)elf.Sections.Length)
        {
            elf.CheckSectionIndex(header.Info, table.FileOffset, $"relocation section {name} sh_info");
        }

        int symbolCount = SymbolCount(elf, header.Link);
        var relocations = new ElfRelocationList(elf, table, machine, target, symbolCount, name);
        return new ModuleRelocationSection
        {
            Name = name,
            Index = sectionIndex,
            TargetSectionIndex = target,
            SymbolTableIndex = (int)header.Link,
            HasExplicitAddends = table.IsRela,
            Relocations = relocations,
            Symbols = symbolCount > 0 && header.Link != (uint)PrimarySymbolTable(elf) ? LazySymbols(elf, (int)header.Link) : null,
        };
    }

    // Apart from ReadRelocationSection so that its closure is allocated only for the rare table with its own symbols.
    private static LazyList<ModuleSymbol> LazySymbols(ElfFile elf, int tableIndex) => new(() => BuildSymbols(elf, tableIndex));

    private static int SymbolCount(ElfFile elf, uint link)
    {
        if (link == 0 || link >= elf.Sections.Length)
        {
            return 0;
        }

        var s = elf.Sections[(int)link];
        return s.Type is ElfConstants.ShtSymTab or ElfConstants.ShtDynSym ? elf.GetSymbolTable((int)link).Count : 0;
    }

    internal static long ReadImplicitAddend(ElfFile elf, int target, in ElfRelocation entry, RelocationTypeInfo info, long entryOffset, string name, int index)
    {
        int width = info.Kind is RelocationKind.None or RelocationKind.Copy ? 0 : info.Width;
        if (width is not (8 or 16 or 32 or 64))
        {
            return 0;
        }

        int size = width / 8;
        ulong fileOffset;
        if (target >= 0)
        {
            var section = elf.Sections[target];
            if (!section.HasContents)
            {
                return 0;
            }

            if (entry.Offset > section.Size || (ulong)size > section.Size - entry.Offset)
            {
                throw new ModuleFormatException(elf.Path, entryOffset, $"relocation {index} of {name}",
                    $"place 0x{entry.Offset:x} (+{size} bytes) is outside section {elf.GetSectionName(target)} (0x{section.Size:x} bytes)");
            }

            fileOffset = section.Offset + entry.Offset;
        }
        else if (!TryMapAddress(elf, entry.Offset, size, out fileOffset))
        {
            throw new ModuleFormatException(elf.Path, entryOffset, $"relocation {index} of {name}",
                $"address 0x{entry.Offset:x} is not inside any section with contents");
        }

        var span = elf.Data.Span;
        ulong raw = elf.Reader.Unsigned(span, (int)fileOffset, size);
        return size switch
        {
            1 => (sbyte)raw,
            2 => (short)raw,
            4 => (int)raw,
            _ => (long)raw,
        };
    }

    /// <summary>Maps a virtual address of an ET_EXEC/ET_DYN file to a file offset through the allocated sections.</summary>
    public static bool TryMapAddress(ElfFile elf, ulong address, int size, out ulong fileOffset)
    {
        foreach (var s in elf.Sections)
        {
            if (s.HasContents && (s.Flags & ElfConstants.ShfAlloc) != 0 && address >= s.Address && address - s.Address <= s.Size
                && (ulong)size <= s.Size - (address - s.Address))
            {
                fileOffset = s.Offset + (address - s.Address);
                return true;
            }
        }

        fileOffset = 0;
        return false;
    }
}
