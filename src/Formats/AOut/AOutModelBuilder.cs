using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.AOut;

/// <summary>
/// Turns an <see cref="AOutFile"/> into the common model.
/// <para>Sections: a.out has no section table, so the model lists fixed pseudo-sections: [0] <c>.text</c>,
/// [1] <c>.data</c>, [2] <c>.bss</c> (raw type = their n_type code N_TEXT 4 / N_DATA 6 / N_BSS 8; address = the
/// segment's address in the object, i.e. 0, a_text, a_text + a_data), [3] <c>.rel.text</c>, [4] <c>.rel.data</c>,
/// [5] <c>.symtab</c>, [6] <c>.strtab</c> (raw type 0).</para>
/// <para>Symbols: [0] a null symbol, [1..3] section symbols of text, data and bss (value = segment address), then
/// nlist entry <c>i</c> at index <see cref="FirstFileSymbol"/> + i. Values are kept as stored: addresses in the
/// object's address space (an N_DATA value includes a_text).</para>
/// <para>Relocations: offset = r_address (from the start of the patched segment); an r_extern record names its
/// nlist entry, a segment-relative one the segment's section symbol (N_ABS: symbol 0); the addend is the value at
/// the place, as the a.out linker adds it (so a pc-relative addend is relative to the segment start, not the
/// place: the ELF-style addend is Addend + the place's object address); raw type = <see cref="AOutRelocation.Flags"/>.</para>
/// </summary>
internal static class AOutModelBuilder
{
    /// <summary>Model symbol index of nlist entry 0.</summary>
    public const int FirstFileSymbol = 4;
    /// <summary>Model section index of the text relocation table.</summary>
    public const int TextRelocationSection = 3;
    /// <summary>Model section index of the data relocation table.</summary>
    public const int DataRelocationSection = 4;
    /// <summary>Model section index of the symbol table.</summary>
    public const int SymbolTableSection = 5;
    /// <summary>Model section index of the string table.</summary>
    public const int StringTableSection = 6;

    /// <summary>The architecture a machine id stands for.</summary>
    public static MachineArchitecture Machine(uint mid) => mid switch
    {
        AOutConstants.MidI386 or AOutConstants.MidPc386 => MachineArchitecture.X86,
        AOutConstants.MidX86_64 => MachineArchitecture.X86_64,
        AOutConstants.MidSparc or AOutConstants.MidSparc64 => MachineArchitecture.Sparc,
        AOutConstants.MidPmax or AOutConstants.MidMips => MachineArchitecture.Mips,
        AOutConstants.MidArm6 => MachineArchitecture.Arm,
        AOutConstants.MidPowerPc => MachineArchitecture.PowerPC,
        _ => MachineArchitecture.Unknown,
    };

    /// <summary>Creates the module with its identity, header diagnostics and lazily built sections, symbols and relocations.</summary>
    public static KernelModule CreateModule(AOutFile aout, ModuleSource? source)
    {
        var machine = Machine(aout.Header.MachineId);
        var module = new KernelModule
        {
            Path = aout.Path,
            Container = ContainerFormat.AOut,
            Machine = machine,
            RawMachine = aout.Header.MachineId,
            Bits = 32,
            ByteOrder = aout.Header.BigEndian ? ByteOrder.BigEndian : ByteOrder.LittleEndian,
            FileKind = aout.Header.Magic == AOutConstants.OMagic ? ModuleFileKind.Relocatable : ModuleFileKind.Executable,
            FileType = aout.Header.MagicName,
            Compression = source?.Compression ?? CompressionKind.None,
            FileSize = aout.Data.Length,
            ContainerDetails = new AOutDetails(aout),
            Sections = new LazyList<ModuleSection>(() => BuildSections(aout)),
            Symbols = new LazyList<ModuleSymbol>(() => BuildSymbols(aout)),
            RelocationSections = new LazyList<ModuleRelocationSection>(() => BuildRelocationSections(aout, machine)),
        };
        AddHeaderDiagnostics(aout, module);
        return module;
    }

    private static void AddHeaderDiagnostics(AOutFile aout, KernelModule module)
    {
        var h = aout.Header;
        if (h.Encoding != AOutMagicEncoding.Gnu && (h.Flags & (AOutConstants.ExPic | AOutConstants.ExDynamic)) != 0)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                $"a.out header flags 0x{h.Flags:x} mark position-independent or dynamically linked code (EX_PIC 0x10, EX_DYNAMIC 0x20)", 0));
        }

        if (!h.IsObject)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Info,
                $"{h.MagicName} executable: segment addresses follow the {h.Encoding} header macros (N_TXTADDR/N_DATADDR)", 0));
        }

        if (!aout.HasStandardRelocations)
        {
            if (h.TextRelocSize + (ulong)h.DataRelocSize > 0)
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                    $"machine id {h.MachineId} uses 12-byte extended (SPARC) relocation records, which this reader does not decode",
                    (long)aout.Layout.TextRelocOffset));
            }

            return;
        }

        foreach (bool data in new[] { false, true })
        {
            int shared = 0, wide = 0;
            for (int i = 0; i < aout.RelocationCount(data); i++)
            {
                var r = aout.GetRelocation(data, i);
                shared += r.IsSharedLibraryRelocation ? 1 : 0;
                wide += r.Length == 3 ? 1 : 0;
            }

            string table = data ? ".rel.data" : ".rel.text";
            if (shared > 0)
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                    $"{table}: {shared} relocation record(s) use SunOS shared-library bits (r_baserel, r_jmptable, r_relative, r_copy): decoded, but not supported for linking"));
            }

            if (wide > 0)
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                    $"{table}: {wide} relocation record(s) have r_length 3 (64-bit), which 32-bit a.out linkers do not support"));
            }
        }
    }

    private static ModuleSection[] BuildSections(AOutFile aout)
    {
        var h = aout.Header;
        var l = aout.Layout;
        ModuleSection Table(int index, string name, string type, ulong offset, ulong size, ulong entrySize, uint link, uint info) => new()
        {
            Index = index, Name = name, RawType = 0, TypeName = type, RawFlags = 0, FileOffset = offset, Size = size,
            EntrySize = entrySize, Link = link, Info = info, HasContents = true, Data = aout.Data.Slice((int)offset, (int)size),
        };

        return
        [
            new ModuleSection
            {
                Index = 0, Name = ".text", RawType = AOutConstants.NText, TypeName = "TEXT", RawFlags = 0, Address = l.TextAddress,
                FileOffset = l.TextOffset, Size = h.Text, IsAllocated = true, IsExecutable = true, HasContents = true, Data = aout.Text,
            },
            new ModuleSection
            {
                Index = 1, Name = ".data", RawType = AOutConstants.NData, TypeName = "DATA", RawFlags = 0, Address = l.DataAddress,
                FileOffset = l.DataOffset, Size = h.Data, IsAllocated = true, IsWritable = true, HasContents = true, Data = aout.DataSegment,
            },
            new ModuleSection
            {
                Index = 2, Name = ".bss", RawType = AOutConstants.NBss, TypeName = "BSS", RawFlags = 0, Address = l.BssAddress,
                Size = h.Bss, IsAllocated = true, IsWritable = true,
            },
            Table(TextRelocationSection, ".rel.text", "TRELOC", l.TextRelocOffset, h.TextRelocSize, (ulong)l.RelocationSize, SymbolTableSection, 0),
            Table(DataRelocationSection, ".rel.data", "DRELOC", l.DataRelocOffset, h.DataRelocSize, (ulong)l.RelocationSize, SymbolTableSection, 1),
            Table(SymbolTableSection, ".symtab", "SYMTAB", l.SymbolOffset, h.Syms, AOutConstants.SymbolSize, StringTableSection, 0),
            Table(StringTableSection, ".strtab", "STRTAB", l.StringOffset, l.StringTableSize, 0, 0, 0),
        ];
    }

    private static IReadOnlyList<ModuleSymbol> BuildSymbols(AOutFile aout)
    {
        var l = aout.Layout;
        var result = ChunkedList<ModuleSymbol>.Create(FirstFileSymbol + aout.SymbolCount);
        ChunkedList<ModuleSymbol>.Slot(result, 0) = new ModuleSymbol { Index = 0, Name = "", Definition = SymbolDefinition.Undefined };
        ulong[] bases = [l.TextAddress, l.DataAddress, l.BssAddress];
        byte[] codes = [AOutConstants.NText, AOutConstants.NData, AOutConstants.NBss];
        for (int s = 0; s < 3; s++)
        {
            ChunkedList<ModuleSymbol>.Slot(result, 1 + s) = new ModuleSymbol
            {
                Index = 1 + s, Name = "", Value = bases[s], Type = SymbolType.Section, Binding = SymbolBinding.Local,
                Definition = SymbolDefinition.Section, SectionIndex = s, RawSectionIndex = codes[s], RawInfo = codes[s],
            };
        }

        for (int i = 0; i < aout.SymbolCount; i++)
        {
            var sym = aout.GetSymbol(i);
            var c = AOutSymbolClassifier.Classify(sym);
            ChunkedList<ModuleSymbol>.Slot(result, FirstFileSymbol + i) = new ModuleSymbol
            {
                Index = FirstFileSymbol + i,
                Name = aout.GetName(sym),
                Value = sym.Value,
                Size = sym.IsCommon ? sym.Value : 0,
                Binding = c.Binding,
                Type = c.Type,
                Definition = c.Definition,
                SectionIndex = c.SectionIndex,
                RawSectionIndex = sym.IsStab ? 0u : sym.SegmentType,
                RawInfo = sym.Type,
                RawOther = (uint)(sym.Other | sym.Desc << 8),
            };
        }

        return result;
    }

    private static ModuleRelocationSection[] BuildRelocationSections(AOutFile aout, MachineArchitecture machine)
    {
        if (!aout.HasStandardRelocations)
        {
            return [];
        }

        var result = new List<ModuleRelocationSection>(2);
        foreach (bool data in new[] { false, true })
        {
            int count = aout.RelocationCount(data);
            if (count == 0)
            {
                continue;
            }

            var relocations = new ModuleRelocation[count];
            for (int i = 0; i < count; i++)
            {
                relocations[i] = Convert(aout, data, aout.GetRelocation(data, i), machine);
            }

            result.Add(new ModuleRelocationSection
            {
                Name = data ? ".rel.data" : ".rel.text",
                Index = data ? DataRelocationSection : TextRelocationSection,
                TargetSectionIndex = data ? AOutSymbolClassifier.DataSection : AOutSymbolClassifier.TextSection,
                SymbolTableIndex = SymbolTableSection,
                HasExplicitAddends = false,
                Relocations = relocations,
            });
        }

        return [.. result];
    }

    /// <summary>Converts one record: checks its place and symbol, reads the in-place addend.</summary>
    /// <exception cref="ModuleFormatException">The place lies outside its segment or the symbol number is out of range.</exception>
    public static ModuleRelocation Convert(AOutFile aout, bool data, in AOutRelocation r, MachineArchitecture machine)
    {
        string structure = $"a.out {(data ? "data" : "text")} relocation {r.Index}";
        int size = 1 << r.Length;
        var segment = data ? aout.DataSegment : aout.Text;
        if (r.Address < 0 || r.Address > segment.Length - size)
        {
            throw new ModuleFormatException(aout.Path, r.FileOffset, structure,
                $"r_address 0x{r.Address:x} (+{size} bytes) is outside the {(data ? "data" : "text")} segment (0x{segment.Length:x} bytes)");
        }

        uint symbolIndex;
        if (r.IsExtern || (r.Flags & AOutRelocationTypes.BaseRel) != 0)
        {
            if (r.SymbolNumber >= (uint)aout.SymbolCount)
            {
                throw new ModuleFormatException(aout.Path, r.FileOffset, structure,
                    $"r_symbolnum {r.SymbolNumber} is out of range (the symbol table has {aout.SymbolCount} entries)");
            }

            symbolIndex = FirstFileSymbol + r.SymbolNumber;
        }
        else
        {
            symbolIndex = (r.SymbolNumber & ~(uint)AOutConstants.NExt) switch
            {
                AOutConstants.NAbs => 0,
                AOutConstants.NText => 1,
                AOutConstants.NData => 2,
                AOutConstants.NBss => 3,
                _ => throw new ModuleFormatException(aout.Path, r.FileOffset, structure,
                    $"segment-relative record names segment type {r.SymbolNumber}, not N_TEXT (4), N_DATA (6), N_BSS (8) or N_ABS (2)"),
            };
        }

        ulong raw = aout.Reader.Unsigned(segment.Span, r.Address, size);
        long addend = size switch
        {
            1 => (sbyte)raw,
            2 => (short)raw,
            4 => (int)raw,
            _ => (long)raw,
        };
        return new ModuleRelocation((ulong)r.Address, symbolIndex, AOutRelocationTypes.Kind(r.Flags), AOutRelocationTypes.Width(r.Flags),
            addend, true, machine, r.Flags);
    }
}
