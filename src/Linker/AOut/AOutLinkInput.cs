using LkmKit.Formats;
using LkmKit.Formats.AOut;
using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Relocation;

namespace LkmKit.Linker.AOut;

/// <summary>
/// What linking a legacy a.out object (a BSD LKM <c>.o</c>) takes beyond the ELF path, after BSD <c>ld</c>
/// (gnu/usr.bin/ld/ld.c <c>perform_relocation</c>, <c>relocate_file_addresses</c>, <c>digest_pass2</c>), which
/// modload ran as <c>ld -A KERNEL -e _ENTRY -T ADDRESS OBJECT</c>:
/// <list type="bullet">
/// <item>only OMAGIC objects with the standard (i386) relocation records; N_SETx linker-set elements and N_INDR
/// aliases, which need ld's set vectors or alias resolution, are refused by name;</item>
/// <item>symbol values and in-place addends are object addresses (text at 0, data at a_text, bss at a_text + a_data),
/// so a defined symbol's final address is its value − its segment's object address + the segment's address;</item>
/// <item>the in-place addend becomes the ELF-equivalent one: segment-relative records subtract their segment's object
/// address, pc-relative records add the place's object address (so S + A − P equals ld's
/// A + S − pc_relocation for any placement);</item>
/// <item>commons are allocated as ld does on i386: size rounded up to 4, 4-byte aligned (MAX_ALIGNMENT = sizeof(long)).</item>
/// </list>
/// Names are matched verbatim: an a.out C symbol carries its leading underscore (<c>_printf</c>), and so does the
/// a.out kernel's own symbol table that <c>ld -A</c> resolved against (<c>nm /netbsd</c>), so nothing is added or stripped.
/// </summary>
internal sealed class AOutLinkInput : LinkInput
{
    private const uint CommonAlignment = 4;

    private AOutLinkInput()
    {
    }

    /// <summary>Checks that <paramref name="module"/> can be linked and returns its input.</summary>
    /// <exception cref="LinkException">Not an OMAGIC i386 object, or it holds linker-set or indirect symbols.</exception>
    public static AOutLinkInput For(KernelModule module, string name)
    {
        Prepare(module, name);
        return new AOutLinkInput();
    }

    /// <inheritdoc />
    public override IRelocationApplier? Applier(KernelModule module) => new AOutI386RelocationApplier();

    /// <inheritdoc />
    public override IReadOnlyList<ModuleRelocationSection> RelocationTables(KernelModule module) => Relocations(module);

    /// <summary>Checks that <paramref name="module"/> can be linked and returns the applier for its relocations.</summary>
    /// <exception cref="LinkException">Not an OMAGIC i386 object, or it holds linker-set or indirect symbols.</exception>
    public static IRelocationApplier Prepare(KernelModule module, string name)
    {
        if (module.FileKind != ModuleFileKind.Relocatable)
        {
            throw new LinkException($"{name}: only relocatable a.out objects (OMAGIC) can be linked; this one is a {module.FileType} executable");
        }

        if (module.Machine != MachineArchitecture.X86)
        {
            throw new LinkException($"{name}: no relocation support for a.out {RelocationAppliers.ArchitectureName(module.Machine)} objects (machine id {module.RawMachine}); only i386 is supported");
        }

        foreach (var symbol in module.Symbols)
        {
            byte type = (byte)symbol.RawInfo;
            if (symbol.Index < AOutModelBuilder.FirstFileSymbol || (type & AOutConstants.NStabMask) != 0)
            {
                continue;
            }

            int kind = type & AOutConstants.NTypeMask;
            if (kind == AOutConstants.NIndr || kind is >= AOutConstants.NSetA and <= AOutConstants.NSetV)
            {
                throw new LinkException($"{name}: symbol {symbol.Name} (nlist entry {symbol.Index - AOutModelBuilder.FirstFileSymbol}) is "
                    + $"{AOutSymbolClassifier.TypeName(type)}: a.out linker sets and indirect symbols are not supported by this linker");
            }
        }

        return new AOutI386RelocationApplier();
    }

    /// <summary>Refuses a layout that leaves a non-empty segment out (e.g. the ELF-only <c>bsd</c> or <c>linux</c> policy).</summary>
    /// <exception cref="LinkException">A non-empty segment was not placed.</exception>
    public override void CheckLayout(KernelModule module, string name, SectionLayout layout, ILayoutPolicy policy)
    {
        foreach (var section in module.Sections)
        {
            if (section.IsAllocated && section.Size > 0 && !layout.IsPlaced(section.Index))
            {
                throw new LinkException($"{name}: the {policy.Name} layout does not place a.out segment {section.Name}; "
                    + "use the sequential layout (the default for a.out objects) or a layout file");
            }
        }
    }

    private static ulong SegmentOrigin(KernelModule module, int sectionIndex) =>
        sectionIndex >= 0 && sectionIndex < module.Sections.Count ? module.Sections[sectionIndex].Address : 0;

    /// <summary>The alignment and size BSD ld gives a common symbol on i386 (n_value = size).</summary>
    /// <exception cref="LinkException">The rounded size overflows.</exception>
    public override (ulong Alignment, ulong Size) CommonShape(ModuleSymbol symbol) => (CommonAlignment, Align.Up(symbol.Size, CommonAlignment));

    /// <summary>The module's relocation tables with ELF-equivalent addends (one new array per table).</summary>
    /// <exception cref="LkmKit.Formats.ModuleFormatException">A record's place or symbol number is out of range (checked by the reader).</exception>
    public static IReadOnlyList<ModuleRelocationSection> Relocations(KernelModule module)
    {
        var symbols = module.Symbols;
        var result = new List<ModuleRelocationSection>(module.RelocationSections.Count);
        foreach (var table in module.RelocationSections)
        {
            ulong placeOrigin = SegmentOrigin(module, table.TargetSectionIndex);
            var source = table.Relocations;
            var converted = new ModuleRelocation[source.Count];
            for (int i = 0; i < converted.Length; i++)
            {
                var r = source[i];
                long addend = r.Addend;
                if ((r.RawType & AOutRelocationTypes.PcRel) != 0)
                {
                    addend += (long)(placeOrigin + r.Offset);
                }

                bool segmentRelative = (r.RawType & (AOutRelocationTypes.Extern | AOutRelocationTypes.BaseRel)) == 0;
                if (segmentRelative && r.SymbolIndex < (uint)symbols.Count && symbols[(int)r.SymbolIndex].Type == SymbolType.Section)
                {
                    addend -= (long)symbols[(int)r.SymbolIndex].Value;
                }

                converted[i] = r with { Addend = addend };
            }

            result.Add(new ModuleRelocationSection
            {
                Name = table.Name,
                Index = table.Index,
                TargetSectionIndex = table.TargetSectionIndex,
                SymbolTableIndex = table.SymbolTableIndex,
                HasExplicitAddends = true,
                Relocations = converted,
            });
        }

        return result;
    }
}
