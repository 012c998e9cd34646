using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.MachO;

/// <summary>
/// Turns a <see cref="MachOFile"/> into the common model. Sections are numbered 0-based in load-command order
/// (Mach-O ordinal − 1). Symbols: index 0 is a null symbol as in ELF, nlist entry <c>i</c> is <c>i + 1</c>, and one
/// section symbol per section follows (section ordinal <c>n</c> is <c>nsyms + n</c>) so that section-based
/// relocations have a symbol to name. In MH_OBJECT files symbol values are section offsets; in linked images
/// they are addresses.
/// </summary>
internal static class MachOModelBuilder
{
    /// <summary>Creates the module of one image; sections, symbols and relocations are built on first use.</summary>
    public static KernelModule CreateModule(MachOFile file, ModuleSource? source, FatSlice? slice, int sliceCount)
    {
        var machine = MachONames.Machine(file.Header.CpuType);
        var module = new KernelModule
        {
            Path = file.Path,
            Container = ContainerFormat.MachO,
            Machine = machine,
            RawMachine = file.Header.CpuType,
            Bits = file.Is64 ? 64 : 32,
            ByteOrder = file.IsBigEndian ? ByteOrder.BigEndian : ByteOrder.LittleEndian,
            FileKind = MachONames.FileKind(file.Header.FileType),
            FileType = MachONames.FileType(file.Header.FileType),
            Compression = source?.Compression ?? CompressionKind.None,
            FileSize = file.SliceSize,
            SymbolValuesAreSectionOffsets = file.Header.FileType == MachOConstants.MhObject,
            Sections = new LazyList<ModuleSection>(() => BuildSections(file)),
            Symbols = new LazyList<ModuleSymbol>(() => BuildSymbols(file)),
            RelocationSections = new LazyList<ModuleRelocationSection>(() => BuildRelocations(file, machine)),
        };
        foreach (var d in file.Diagnostics)
        {
            module.DiagnosticsList.Add(d);
        }

        if (file.LoadCommands.Any(c => c.Command is MachOConstants.LcDyldInfo or MachOConstants.LcDyldInfoOnly))
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Info,
                "rebases and binds in LC_DYLD_INFO opcodes are not decoded into relocations (stored pointers are read as link-time addresses)"));
        }

        var fixups = ChainedFixups.Read(file);
        if (fixups is not null)
        {
            foreach (var p in fixups.Problems)
            {
                module.DiagnosticsList.Add(p);
            }
        }

        module.ContainerDetails = new MachODetails
        {
            File = file,
            ArchName = MachONames.ArchName(file.Header.CpuType, file.Header.CpuSubtype),
            CpuType = file.Header.CpuType,
            CpuSubtype = file.Header.CpuSubtype,
            RawFileType = file.Header.FileType,
            Flags = file.Header.Flags,
            Slice = slice,
            SliceCount = sliceCount,
            LoadCommands = file.LoadCommands.Select(c => MachONames.LoadCommand(c.Command)).ToArray(),
            Segments = file.Segments.Select(s => s.Name).ToArray(),
            Uuid = file.Uuid?.ToString().ToUpperInvariant(),
            BuildVersion = file.BuildVersion,
            SourceVersion = file.SourceVersion is { } v ? MachONames.SourceVersion(v) : null,
            CodeSignature = file.CodeSignature,
            ChainedFixupFormats = fixups?.PointerFormats.Distinct().Select(ChainedFixups.FormatName).ToArray() ?? [],
        };
        module.DeferredImports.Defer(() => ReadImports(file));
        return module;
    }

    private static IEnumerable<ModuleImport> ReadImports(MachOFile file)
    {
        var table = new MachOSymbolTable(file);
        for (int i = 0; i < table.Count; i++)
        {
            var sym = table[i];
            if (sym.IsUndefined && sym.IsExternal && sym.StringIndex != 0)
            {
                yield return new ModuleImport(table.GetName(sym), IsWeak: (sym.Description & MachOConstants.NWeakRef) != 0);
            }
        }
    }

    private static ModuleSection[] BuildSections(MachOFile file)
    {
        var result = new ModuleSection[file.Sections.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var s = file.Sections[i];
            var seg = file.Segments[s.SegmentIndex];
            bool objectFile = file.Header.FileType == MachOConstants.MhObject;
            result[i] = new ModuleSection
            {
                Index = i,
                Name = s.FullName,
                RawType = s.Type,
                TypeName = MachONames.SectionType(s.Flags),
                RawFlags = s.Flags,
                Address = s.Address,
                FileOffset = s.IsZeroFill ? 0 : s.Offset,
                Size = s.Size,
                Alignment = 1UL << (int)s.Align,
                Link = s.RelocationCount,
                Info = s.Reserved1,
                IsAllocated = true,
                IsWritable = objectFile ? s.SegmentName is "__DATA" or "__DATA_CONST" or "__OBJC" : (seg.InitialProtection & MachOConstants.VmProtWrite) != 0,
                IsExecutable = (s.Flags & (MachOConstants.SAttrPureInstructions | MachOConstants.SAttrSomeInstructions)) != 0,
                HasContents = !s.IsZeroFill,
                Data = file.SectionMemory(i),
            };
        }

        return result;
    }

    private static IReadOnlyList<ModuleSymbol> BuildSymbols(MachOFile file)
    {
        var table = new MachOSymbolTable(file);
        var result = ChunkedList<ModuleSymbol>.Create(1 + table.Count + file.Sections.Count);
        ChunkedList<ModuleSymbol>.Slot(result, 0) = new ModuleSymbol { Index = 0, Name = "", Definition = SymbolDefinition.Undefined };
        bool objectFile = file.Header.FileType == MachOConstants.MhObject;
        for (int i = 0; i < table.Count; i++)
        {
            var sym = table[i];
            var (definition, section) = Classify(file, table, sym);
            ulong value = sym.Value;
            if (definition == SymbolDefinition.Section && objectFile)
            {
                value -= file.Sections[section].Address;
            }

            ChunkedList<ModuleSymbol>.Slot(result, i + 1) = new ModuleSymbol
            {
                Index = i + 1,
                Name = table.GetName(sym),
                Value = value,
                Binding = sym.IsStab || !sym.IsExternal ? SymbolBinding.Local
                    : (sym.Description & (MachOConstants.NWeakDef | MachOConstants.NWeakRef)) != 0 ? SymbolBinding.Weak : SymbolBinding.Global,
                Type = TypeOf(file, sym, section),
                Definition = definition,
                SectionIndex = section,
                RawSectionIndex = sym.Section,
                RawInfo = sym.Type,
                RawOther = sym.Description,
            };
        }

        for (int s = 0; s < file.Sections.Count; s++)
        {
            int index = 1 + table.Count + s;
            ChunkedList<ModuleSymbol>.Slot(result, index) = new ModuleSymbol
            {
                Index = index,
                Name = "",
                Value = objectFile ? 0 : file.Sections[s].Address,
                Binding = SymbolBinding.Local,
                Type = SymbolType.Section,
                Definition = SymbolDefinition.Section,
                SectionIndex = s,
                RawSectionIndex = (uint)(s + 1),
            };
        }

        return result;
    }

    private static (SymbolDefinition, int) Classify(MachOFile file, MachOSymbolTable table, in MachOSymbol sym)
    {
        if (sym.IsStab)
        {
            return (SymbolDefinition.Special, -1);
        }

        switch (sym.Kind)
        {
            case MachOConstants.NUndf:
                return (sym.IsCommon ? SymbolDefinition.Common : SymbolDefinition.Undefined, -1);
            case MachOConstants.NAbs:
                return (SymbolDefinition.Absolute, -1);
            case MachOConstants.NSect:
                if (sym.Section == 0 || sym.Section > file.Sections.Count)
                {
                    throw new ModuleFormatException(file.Path, table.EntryOffset(sym.Index), $"symbol {sym.Index}",
                        $"n_sect {sym.Section} is out of range (the image has {file.Sections.Count} sections)");
                }

                return (SymbolDefinition.Section, sym.Section - 1);
            default:
                return (SymbolDefinition.Special, -1);
        }
    }

    private static SymbolType TypeOf(MachOFile file, in MachOSymbol sym, int section)
    {
        if (sym.IsStab)
        {
            return SymbolType.Debug;
        }

        if (sym.IsCommon)
        {
            return SymbolType.Common;
        }

        if (section >= 0)
        {
            return (file.Sections[section].Flags & (MachOConstants.SAttrPureInstructions | MachOConstants.SAttrSomeInstructions)) != 0
                ? SymbolType.Function : SymbolType.Object;
        }

        return SymbolType.NoType;
    }

    private static ModuleRelocationSection[] BuildRelocations(MachOFile file, MachineArchitecture machine)
    {
        var reader = new MachORelocationReader(file, machine);
        int symtabCommand = file.Symtab?.CommandIndex ?? 0;
        var result = new List<ModuleRelocationSection>();
        for (int i = 0; i < file.Sections.Count; i++)
        {
            var s = file.Sections[i];
            if (s.RelocationCount == 0)
            {
                continue;
            }

            string name = $"{s.FullName} relocations";
            result.Add(new ModuleRelocationSection
            {
                Name = name,
                Index = i,
                TargetSectionIndex = i,
                SymbolTableIndex = symtabCommand,
                Relocations = reader.Read(s.RelocationOffset, s.RelocationCount, i, 0, name),
            });
        }

        if (file.Dysymtab is { } dy)
        {
            ulong addressBase = RelocationBase(file);
            if (dy.ExternalRelocationCount > 0)
            {
                result.Add(new ModuleRelocationSection
                {
                    Name = "external relocations",
                    Index = -1,
                    TargetSectionIndex = -1,
                    SymbolTableIndex = symtabCommand,
                    Relocations = reader.Read(dy.ExternalRelocationOffset, dy.ExternalRelocationCount, -1, addressBase, "external relocations"),
                });
            }

            if (dy.LocalRelocationCount > 0)
            {
                result.Add(new ModuleRelocationSection
                {
                    Name = "local relocations",
                    Index = -1,
                    TargetSectionIndex = -1,
                    SymbolTableIndex = symtabCommand,
                    Relocations = reader.Read(dy.LocalRelocationOffset, dy.LocalRelocationCount, -1, addressBase, "local relocations"),
                });
            }
        }

        if (ChainedFixups.Read(file) is { Fixups.Count: > 0 } chained)
        {
            result.Add(new ModuleRelocationSection
            {
                Name = "chained fixups",
                Index = -1,
                TargetSectionIndex = -1,
                SymbolTableIndex = symtabCommand,
                Relocations = ChainedRelocations(file, machine, chained),
            });
        }

        return [.. result];
    }

    /// <summary>The address LC_DYSYMTAB <c>r_address</c> values are relative to: the first segment, or the first writable one with MH_SPLIT_SEGS.</summary>
    public static ulong RelocationBase(MachOFile file)
    {
        const uint MhSplitSegs = 0x20;
        if ((file.Header.Flags & MhSplitSegs) != 0)
        {
            foreach (var seg in file.Segments)
            {
                if ((seg.InitialProtection & MachOConstants.VmProtWrite) != 0)
                {
                    return seg.VmAddress;
                }
            }
        }

        return file.Segments.Count > 0 ? file.Segments[0].VmAddress : 0;
    }

    private static ModuleRelocation[] ChainedRelocations(MachOFile file, MachineArchitecture machine, ChainedFixupTable table)
    {
        var symbols = new MachOSymbolTable(file);
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < symbols.Count; i++)
        {
            var sym = symbols[i];
            if (!sym.IsStab && sym.IsExternal)
            {
                byName.TryAdd(symbols.GetName(sym), i + 1);
            }
        }

        var result = new ModuleRelocation[table.Fixups.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var f = table.Fixups[i];
            uint raw = MachORelocationTypes.ChainedBase + (f.IsBind ? 1u : 0u) + (f.IsAuthenticated ? 2u : 0u);
            if (f.IsBind)
            {
                uint symbol = 0;
                long addend = f.Addend;
                if (f.Target < (ulong)table.Imports.Count)
                {
                    var import = table.Imports[(int)f.Target];
                    symbol = byName.TryGetValue(import.Name, out int index) ? (uint)index : 0;
                    addend += import.Addend;
                }

                result[i] = new ModuleRelocation(f.Address, symbol, RelocationKind.Absolute, 64, addend, false, machine, raw);
            }
            else
            {
                result[i] = new ModuleRelocation(f.Address, 0, RelocationKind.BaseRelative, 64, (long)f.Target, true, machine, raw);
            }
        }

        return result;
    }
}
