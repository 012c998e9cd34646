using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Relocation;

namespace LkmKit.Linker.MachO;

/// <summary>
/// Applies a Mach-O module's relocations through the shared <see cref="RelocationRunner"/> after turning each into
/// the ELF form the appliers compute with (S = the target's final address, A relative to S, P the final place):
/// <list type="bullet">
/// <item>Section-based records (<c>r_extern = 0</c>) name a section symbol whose S is the section's final address; the
/// stored value is an address in the object's own address space, so A = stored − the section's original address,
/// and for a pc-relative field A = stored + P_original − the section's original address (the target was
/// P_original + 4 + N + stored; the N of SIGNED_n cancels).</item>
/// <item>Symbol records keep the stored addend; an x86_64 rel32 (SIGNED, SIGNED_n, BRANCH) stores the displacement
/// from P + 4, so A = stored − 4. arm64 instruction fields take the addend of the ARM64_RELOC_ADDEND before them (the
/// reader folds it in; the ADDEND record itself is skipped).</item>
/// <item>i386 symbol rel32s store −(P_original + 4) + addend, as a.out does, so A = stored + P_original. A record
/// naming no section (R_ABS, or a scattered r_value in no section) is an absolute target that does not move.</item>
/// <item>A SUBTRACTOR and the UNSIGNED after it at the same address are one relocation: S = S_minuend − S_subtrahend,
/// A = stored − (original address of a section-based minuend) + (that of a section-based subtrahend). An i386
/// SECTDIFF / LOCAL_SECTDIFF and its PAIR likewise: the minuend is the section holding the SECTDIFF's r_value, the
/// subtrahend the section holding the PAIR's r_value.</item>
/// <item>The LC_DYSYMTAB tables of an MH_KEXT_BUNDLE (external and local relocations) address places by vm address;
/// each is mapped to its section, as kxld maps <c>r_address</c> to a segment. Chained fixups are refused (kxld
/// rejects LC_DYLD_CHAINED_FIXUPS).</item>
/// </list>
/// </summary>
internal sealed class MachORelocationRunner(
    KernelModule module, string moduleName, SectionLayout layout, byte[]?[] data, ulong[] symbolAddresses, RelocationRunner runner)
{
    private readonly MachineArchitecture _machine = module.Machine;

    /// <summary>Applies every relocation table of the module.</summary>
    public void Run()
    {
        var (isSection, origins) = SectionSymbols();
        var finder = SectionFinder.Create(module);
        foreach (var table in module.RelocationSections)
        {
            var relocations = table.Relocations as ModuleRelocation[] ?? [.. table.Relocations];
            if (table.TargetSectionIndex >= 0)
            {
                if (layout.IsPlaced(table.TargetSectionIndex))
                {
                    Apply(table, relocations, isSection, origins, finder, imageTable: false);
                }

                continue;
            }

            if (relocations.Length > 0 && relocations[0].RawType >= MachORelocationTypes.ChainedBase)
            {
                throw new LinkException($"{moduleName}: {table.Name}: chained fixups (LC_DYLD_CHAINED_FIXUPS) are not relocations kxld applies; only MH_KEXT_BUNDLE external/local relocation tables are");
            }

            Apply(table, relocations, isSection, origins, finder, imageTable: true);
        }
    }

    /// <summary>Which symbols are section symbols (plus symbol 0, an absolute target) and each one's original section address.</summary>
    private (bool[] IsSection, ulong[] Origins) SectionSymbols()
    {
        var symbols = module.Symbols;
        var isSection = new bool[symbols.Count];
        var origins = new ulong[symbols.Count];
        if (isSection.Length > 0)
        {
            isSection[0] = true;
        }

        foreach (var symbol in symbols)
        {
            if (symbol.Type == SymbolType.Section && symbol.SectionIndex >= 0 && symbol.SectionIndex < module.Sections.Count)
            {
                isSection[symbol.Index] = true;
                origins[symbol.Index] = module.Sections[symbol.SectionIndex].Address;
            }
        }

        return (isSection, origins);
    }

    private void Apply(ModuleRelocationSection table, ModuleRelocation[] relocations, bool[] isSection, ulong[] origins, SectionFinder finder, bool imageTable)
    {
        long applied = 0;
        for (int i = 0; i < relocations.Length; i++)
        {
            var r = relocations[i];
            if (_machine == MachineArchitecture.AArch64 && r.RawType == MachOArm64RelocationApplier.Addend)
            {
                continue;
            }

            int target = Locate(table, finder, imageTable, ref r);
            if (target < 0)
            {
                continue;
            }

            if (r.SymbolIndex >= (uint)symbolAddresses.Length)
            {
                throw runner.Fail(table, target, r, "the symbol index is out of range");
            }

            if (IsPairCarrier(r.RawType))
            {
                throw runner.Fail(table, target, r, "a GENERIC_RELOC_PAIR without a SECTDIFF before it");
            }

            byte[] bytes = data[target]!;
            ulong sectionAddress = layout.AddressOf(target);
            if (IsDifference(r.RawType))
            {
                var second = i + 1 < relocations.Length ? relocations[i + 1] : default;
                int secondTarget = i + 1 < relocations.Length ? Locate(table, finder, imageTable, ref second) : -1;
                var (applyRecord, s, addend) = _machine == MachineArchitecture.X86
                    ? SectionDifference(table, target, r, second, secondTarget, finder, origins)
                    : Subtractor(table, target, r, second, secondTarget, origins);
                runner.ApplyAt(table, target, bytes, sectionAddress, applyRecord with { Addend = addend }, s);
                i++;
                applied++;
                continue;
            }

            runner.ApplyAt(table, target, bytes, sectionAddress, r with { Addend = Addend(table, target, r, isSection, origins) }, symbolAddresses[r.SymbolIndex]);
            applied++;
        }

        runner.AddApplied(applied);
    }

    /// <summary>The ELF-form addend of a single record (see the class summary).</summary>
    private long Addend(ModuleRelocationSection table, int target, in ModuleRelocation r, bool[] isSection, ulong[] origins)
    {
        long a = r.Addend;
        bool pcRelative = _machine switch
        {
            MachineArchitecture.X86_64 => MachOX86_64RelocationApplier.IsPcRelative32(r.RawType),
            MachineArchitecture.X86 => r.Kind == RelocationKind.PcRelative,
            _ => false,
        };
        ulong originalPlace = module.Sections[target].Address + r.Offset;
        if (isSection[r.SymbolIndex])
        {
            if (_machine == MachineArchitecture.AArch64 && MachOArm64RelocationApplier.IsInstructionField(r.RawType))
            {
                throw runner.Fail(table, target, r, "a section-based (r_extern 0) arm64 instruction relocation carries no target offset; compilers emit these against symbols");
            }

            ulong origin = origins[r.SymbolIndex];
            return pcRelative ? a + (long)(originalPlace - origin) : a - (long)origin;
        }

        if (!pcRelative)
        {
            return a;
        }

        return _machine == MachineArchitecture.X86_64 ? a - 4 : a + (long)originalPlace;
    }

    /// <summary>An x86_64/arm64 SUBTRACTOR and the UNSIGNED after it: (record to apply, S, A).</summary>
    private (ModuleRelocation, ulong, long) Subtractor(ModuleRelocationSection table, int target, in ModuleRelocation r,
        in ModuleRelocation minuend, int minuendTarget, ulong[] origins)
    {
        if (minuendTarget != target || minuend.Offset != r.Offset || minuend.RawType != 0 || minuend.SymbolIndex >= (uint)symbolAddresses.Length)
        {
            throw runner.Fail(table, target, r, "a SUBTRACTOR must be followed by an UNSIGNED at the same address");
        }

        long addend = minuend.Addend - (long)origins[minuend.SymbolIndex] + (long)origins[r.SymbolIndex];
        return (minuend, symbolAddresses[minuend.SymbolIndex] - symbolAddresses[r.SymbolIndex], addend);
    }

    /// <summary>An i386 SECTDIFF / LOCAL_SECTDIFF and its PAIR: (record to apply, S, A).</summary>
    private (ModuleRelocation, ulong, long) SectionDifference(ModuleRelocationSection table, int target, in ModuleRelocation r,
        in ModuleRelocation pair, int pairTarget, SectionFinder finder, ulong[] origins)
    {
        if (pairTarget != target || !IsPairCarrier(pair.RawType))
        {
            throw runner.Fail(table, target, r, "a SECTDIFF must be followed by a GENERIC_RELOC_PAIR");
        }

        // The PAIR's value is the subtrahend's address in the object; it moves with the section that holds it.
        ulong subtrahend = (uint)pair.Addend;
        int section = finder.Find(subtrahend);
        ulong newAddress = section >= 0 && layout.IsPlaced(section) ? layout.AddressOf(section) : 0;
        ulong origin = section >= 0 && layout.IsPlaced(section) ? module.Sections[section].Address : 0;
        long addend = r.Addend - (long)origins[r.SymbolIndex] + (long)origin;
        return (r, symbolAddresses[r.SymbolIndex] - newAddress, addend);
    }

    private bool IsDifference(uint type) => _machine switch
    {
        MachineArchitecture.X86_64 => type == MachOX86_64RelocationApplier.Subtractor,
        MachineArchitecture.AArch64 => type == MachOArm64RelocationApplier.Subtractor,
        _ => MachOI386RelocationApplier.IsSectionDifference(type),
    };

    private bool IsPairCarrier(uint type) => _machine == MachineArchitecture.X86 && (type & 0xF) == MachOI386RelocationApplier.Pair;

    /// <summary>The section <paramref name="r"/> patches (its offset made section-relative for image tables), or -1 when it is not loaded.</summary>
    private int Locate(ModuleRelocationSection table, SectionFinder finder, bool imageTable, ref ModuleRelocation r)
    {
        if (!imageTable)
        {
            return table.TargetSectionIndex;
        }

        int section = finder.Find(r.Offset);
        if (section < 0)
        {
            throw new LinkException($"{moduleName}: {RelocationAppliers.ArchitectureName(module.Machine)} relocation in {table.Name} at address 0x{r.Offset:x}: the address is in no section");
        }

        r = r with { Offset = r.Offset - module.Sections[section].Address };
        return layout.IsPlaced(section) ? section : -1;
    }
}
