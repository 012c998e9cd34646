using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf.Writing;

/// <summary>The write step of <see cref="ElfWriter"/>: fills a buffer of the reserved size at the reserved offsets.</summary>
internal static class ElfEmitter
{
    public static void Emit(ElfFileDescription d, ElfLayout layout, Span<byte> output)
    {
        var w = new ElfFieldWriter(output, d.ByteOrder == ByteOrder.BigEndian, layout.Is64);
        WriteHeader(ref w, d, layout);
        foreach (var segment in d.Segments)
        {
            WriteProgramHeader(ref w, layout, d.Segments, segment);
        }

        var sections = layout.Sections;
        for (int i = 1; i < sections.Count; i++)
        {
            var p = sections[i];
            w.Position = (int)p.Offset;
            var s = p.Description;
            if (s.Type == ElfConstants.ShtNoBits)
            {
                continue;
            }

            if (s.Symbols is not null)
            {
                WriteSymbols(ref w, layout, p);
            }
            else if (s.Relocations is { } relocations)
            {
                WriteRelocations(ref w, layout, s, relocations);
            }
            else if (p.ShndxOf > 0)
            {
                WriteExtendedIndexes(ref w, sections[p.ShndxOf]);
            }
            else if (layout.StringTables.TryGetValue(i, out var strings))
            {
                strings.CopyTo(output[(int)p.Offset..]);
            }
            else
            {
                s.Data.Span.CopyTo(output[(int)p.Offset..]);
            }
        }

        w.Position = (int)layout.SectionHeaderOffset;
        for (int i = 0; i < sections.Count; i++)
        {
            WriteSectionHeader(ref w, layout, i, d.Segments.Count);
        }
    }

    private static void WriteHeader(ref ElfFieldWriter w, ElfFileDescription d, ElfLayout layout)
    {
        w.Byte(0x7f);
        w.Byte((byte)'E');
        w.Byte((byte)'L');
        w.Byte((byte)'F');
        w.Byte(layout.Is64 ? ElfConstants.Class64 : ElfConstants.Class32);
        w.Byte(d.ByteOrder == ByteOrder.BigEndian ? ElfConstants.DataMsb : ElfConstants.DataLsb);
        w.Byte(1);
        w.Byte(d.OsAbi);
        w.Byte(d.AbiVersion);
        w.Position = ElfConstants.IdentSize;
        w.Half(d.Type);
        w.Half(d.Machine);
        w.Word(1);
        w.Native(d.Entry);
        w.Native(d.Segments.Count > 0 ? (ulong)layout.HeaderSize : 0);
        w.Native((ulong)layout.SectionHeaderOffset);
        w.Word(d.Flags);
        w.Half((ushort)layout.HeaderSize);
        w.Half((ushort)layout.ProgramHeaderEntrySize);
        w.Half((ushort)Math.Min(d.Segments.Count, 0xffff));
        w.Half((ushort)layout.SectionHeaderEntrySize);
        // Past SHN_LORESERVE the count and the name table index move into section 0 (sh_size, sh_link).
        int count = layout.Sections.Count;
        w.Half(count >= ElfConstants.ShnLoReserve ? (ushort)0 : (ushort)count);
        w.Half(layout.SectionNameTable >= ElfConstants.ShnLoReserve ? ElfConstants.ShnXIndex : (ushort)layout.SectionNameTable);
    }

    private static void WriteProgramHeader(ref ElfFieldWriter w, ElfLayout layout, IReadOnlyList<ElfSegmentDescription> all, ElfSegmentDescription segment)
    {
        ulong offset = 0, address = 0, fileSize = 0, memorySize = 0;
        if (segment.Type == ElfConstants.PtPhdr && segment.CoversHeaders)
        {
            var load = all.FirstOrDefault(s => s.Type == ElfConstants.PtLoad && s.CoversHeaders && s.FirstSection > 0);
            if (load.FirstSection == 0)
            {
                throw new ArgumentException("a PT_PHDR segment needs a PT_LOAD segment that covers the headers");
            }

            offset = (ulong)layout.HeaderSize;
            address = HeaderBase(layout, load) + offset;
            fileSize = memorySize = (ulong)(layout.ProgramHeaderEntrySize * all.Count);
        }
        else if (segment.FirstSection > 0)
        {
            var first = layout.Sections[segment.FirstSection];
            offset = (ulong)first.Offset;
            address = first.Description.Address;
            for (int i = segment.FirstSection; i <= segment.LastSection; i++)
            {
                var p = layout.Sections[i];
                if (p.Description.Type != ElfConstants.ShtNoBits)
                {
                    fileSize = Math.Max(fileSize, (ulong)p.Offset + p.Size - offset);
                }

                memorySize = Math.Max(memorySize, p.Description.Address + p.Size - address);
            }

            if (segment.Type == ElfConstants.PtLoad && segment.CoversHeaders)
            {
                ulong below = offset;
                address = HeaderBase(layout, segment);
                offset = 0;
                fileSize += below;
                memorySize += below;
            }
        }

        w.Word(segment.Type);
        if (w.Is64)
        {
            w.Word(segment.Flags);
        }

        w.Native(offset);
        w.Native(address);
        w.Native(address);
        w.Native(fileSize);
        w.Native(memorySize);
        if (!w.Is64)
        {
            w.Word(segment.Flags);
        }

        w.Native(segment.Align);
    }

    /// <summary>The address the file's first byte has in a PT_LOAD segment that covers the headers.</summary>
    private static ulong HeaderBase(ElfLayout layout, ElfSegmentDescription load)
    {
        var first = layout.Sections[load.FirstSection];
        if ((ulong)first.Offset > first.Description.Address)
        {
            throw new ArgumentException($"{first.Description.Name}: at address 0x{first.Description.Address:x} it leaves no room for the headers (file offset 0x{first.Offset:x}) below it");
        }

        return first.Description.Address - (ulong)first.Offset;
    }

    private static void WriteSymbols(ref ElfFieldWriter w, ElfLayout layout, ElfLayout.PlannedSection p)
    {
        var symbols = p.Description.Symbols!;
        int entry = ElfLayout.SymbolEntrySize(w.Is64);
        w.Position += entry; // the null symbol
        for (int k = 0; k < p.Order!.Length; k++)
        {
            var s = symbols[p.Order[k]];
            if (!s.IsReservedIndex && s.SectionIndex >= layout.Sections.Count)
            {
                throw new ArgumentException($"{p.Description.Name}: symbol {s.Name} is defined in section {s.SectionIndex}, which does not exist");
            }

            ushort shndx = s.IsReservedIndex ? (ushort)s.SectionIndex
                : s.SectionIndex >= ElfConstants.ShnLoReserve ? ElfConstants.ShnXIndex : (ushort)s.SectionIndex;
            w.Word(p.SymbolNames![k]);
            if (w.Is64)
            {
                w.Byte(s.Info);
                w.Byte(s.Other);
                w.Half(shndx);
                w.XWord(s.Value);
                w.XWord(s.Size);
            }
            else
            {
                w.Native(s.Value);
                w.Native(s.Size);
                w.Byte(s.Info);
                w.Byte(s.Other);
                w.Half(shndx);
            }
        }
    }

    private static void WriteExtendedIndexes(ref ElfFieldWriter w, ElfLayout.PlannedSection table)
    {
        var symbols = table.Description.Symbols!;
        w.Word(0);
        foreach (int k in table.Order!)
        {
            var s = symbols[k];
            w.Word(!s.IsReservedIndex && s.SectionIndex >= ElfConstants.ShnLoReserve ? s.SectionIndex : 0);
        }
    }

    private static void WriteRelocations(ref ElfFieldWriter w, ElfLayout layout, ElfSectionDescription s, IReadOnlyList<ElfRelocationDescription> relocations)
    {
        bool rela = s.Type == ElfConstants.ShtRela;
        var symbolTable = layout.Sections[(int)s.Link];
        var renumber = symbolTable.Order is null ? null : symbolTable.NewSymbolIndex();
        foreach (var r in relocations)
        {
            uint symbol = r.Symbol;
            if (renumber is not null)
            {
                if (symbol >= renumber.Length)
                {
                    throw new ArgumentException($"{s.Name}: relocation at 0x{r.Offset:x} names symbol {symbol}; {symbolTable.Description.Name} has {renumber.Length}");
                }

                symbol = renumber[symbol];
            }

            w.Native(r.Offset);
            if (w.Is64)
            {
                w.XWord(((ulong)symbol << 32) | r.Type);
            }
            else
            {
                if (symbol > 0xffffff || r.Type > 0xff)
                {
                    throw new ArgumentException($"{s.Name}: symbol {symbol} or type {r.Type} does not fit an ELF32 r_info");
                }

                w.Word((symbol << 8) | r.Type);
            }

            if (rela)
            {
                w.SignedNative(r.Addend);
            }
        }
    }

    private static void WriteSectionHeader(ref ElfFieldWriter w, ElfLayout layout, int index, int segmentCount)
    {
        if (index == 0)
        {
            int count = layout.Sections.Count;
            w.Word(0);
            w.Word(ElfConstants.ShtNull);
            w.Native(0);
            w.Native(0);
            w.Native(0);
            w.Native(count >= ElfConstants.ShnLoReserve ? (ulong)count : 0);
            w.Word(layout.SectionNameTable >= ElfConstants.ShnLoReserve ? (uint)layout.SectionNameTable : 0);
            w.Word(segmentCount >= 0xffff ? (uint)segmentCount : 0);
            w.Native(0);
            w.Native(0);
            return;
        }

        var p = layout.Sections[index];
        var s = p.Description;
        uint info = s.Symbols is not null ? (uint)p.FirstGlobal : s.Info;
        ulong entrySize = s.EntrySize != 0 ? s.EntrySize
            : s.Symbols is not null ? (ulong)ElfLayout.SymbolEntrySize(w.Is64)
            : s.Relocations is not null ? (ulong)ElfLayout.RelocationEntrySize(w.Is64, s.Type == ElfConstants.ShtRela)
            : 0;
        w.Word(p.NameOffset);
        w.Word(s.Type);
        w.Native(s.Flags);
        w.Native(s.Address);
        w.Native((ulong)p.Offset);
        w.Native(p.Size);
        w.Word(s.Link);
        w.Word(info);
        w.Native(s.Alignment);
        w.Native(entrySize);
    }
}
