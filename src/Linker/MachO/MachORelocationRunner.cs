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
/// <item>A SUBTRACTOR and the UNSIGNED after it at the same address are one relocation: S = S_minuend − S_subtrahend,
/// A = stored − (original address of a section-based minuend) + (that of a section-based subtrahend).</item>
/// <item>The LC_DYSYMTAB tables of an MH_KEXT_BUNDLE (external and local relocations) address places by vm address;
/// each is mapped to its section, as kxld maps <c>r_address</c> to a segment. Chained fixups are refused (kxld
/// rejects LC_DYLD_CHAINED_FIXUPS).</item>
/// </list>
/// </summary>
internal sealed class MachORelocationRunner(
    KernelModule module, string moduleName, SectionLayout layout, byte[]?[] data, ulong[] symbolAddresses, RelocationRunner runner)
{
    private readonly bool _x86_64 = module.Machine == MachineArchitecture.X86_64;

    /// <summary>Applies every relocation table of the module.</summary>
    public void Run()
    {
        var (isSection, origins) = SectionSymbols();
        foreach (var table in module.RelocationSections)
        {
            var relocations = table.Relocations as ModuleRelocation[] ?? [.. table.Relocations];
            if (table.TargetSectionIndex >= 0)
            {
                if (layout.IsPlaced(table.TargetSectionIndex))
                {
                    Apply(table, relocations, isSection, origins, null);
                }

                continue;
            }

            if (relocations.Length > 0 && relocations[0].RawType >= MachORelocationTypes.ChainedBase)
            {
                throw new LinkException($"{moduleName}: {table.Name}: chained fixups (LC_DYLD_CHAINED_FIXUPS) are not relocations kxld applies; only MH_KEXT_BUNDLE external/local relocation tables are");
            }

            Apply(table, relocations, isSection, origins, SectionFinder.Create(module));
        }
    }

    private (bool[] IsSection, ulong[] Origins) SectionSymbols()
    {
        var symbols = module.Symbols;
        var isSection = new bool[symbols.Count];
        var origins = new ulong[symbols.Count];
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

    private void Apply(ModuleRelocationSection table, ModuleRelocation[] relocations, bool[] isSection, ulong[] origins, SectionFinder? finder)
    {
        long applied = 0;
        for (int i = 0; i < relocations.Length; i++)
        {
            var r = relocations[i];
            if (!_x86_64 && r.RawType == MachOArm64RelocationApplier.Addend)
            {
                continue;
            }

            int target = Locate(table, finder, ref r);
            if (target < 0)
            {
                continue;
            }

            if (r.SymbolIndex >= (uint)symbolAddresses.Length)
            {
                throw runner.Fail(table, target, r, "the symbol index is out of range");
            }

            byte[] bytes = data[target]!;
            ulong sectionAddress = layout.AddressOf(target);
            if (IsSubtractor(r.RawType))
            {
                var minuend = i + 1 < relocations.Length ? relocations[i + 1] : default;
                int minuendTarget = i + 1 < relocations.Length ? Locate(table, finder, ref minuend) : -1;
                if (minuendTarget != target || minuend.Offset != r.Offset || minuend.RawType != 0 || minuend.SymbolIndex >= (uint)symbolAddresses.Length)
                {
                    throw runner.Fail(table, target, r, "a SUBTRACTOR must be followed by an UNSIGNED at the same address");
                }

                long addend = minuend.Addend - (long)origins[minuend.SymbolIndex] + (long)origins[r.SymbolIndex];
                ulong s = symbolAddresses[minuend.SymbolIndex] - symbolAddresses[r.SymbolIndex];
                runner.ApplyAt(table, target, bytes, sectionAddress, minuend with { Addend = addend }, s);
                i++;
                applied++;
                continue;
            }

            long a = r.Addend;
            if (isSection[r.SymbolIndex])
            {
                ulong origin = origins[r.SymbolIndex];
                if (_x86_64 && MachOX86_64RelocationApplier.IsPcRelative32(r.RawType))
                {
                    a += (long)(module.Sections[target].Address + r.Offset - origin);
                }
                else if (!_x86_64 && r.RawType is 2 or 3 or 4)
                {
                    throw runner.Fail(table, target, r, "a section-based (r_extern 0) arm64 instruction relocation carries no target offset; compilers emit these against symbols");
                }
                else
                {
                    a -= (long)origin;
                }
            }
            else if (_x86_64 && MachOX86_64RelocationApplier.IsPcRelative32(r.RawType))
            {
                a -= 4;
            }

            runner.ApplyAt(table, target, bytes, sectionAddress, r with { Addend = a }, symbolAddresses[r.SymbolIndex]);
            applied++;
        }

        runner.AddApplied(applied);
    }

    private bool IsSubtractor(uint type) => type == (_x86_64 ? MachOX86_64RelocationApplier.Subtractor : MachOArm64RelocationApplier.Subtractor);

    /// <summary>The section <paramref name="r"/> patches (its offset made section-relative for image tables), or -1 when it is not loaded.</summary>
    private int Locate(ModuleRelocationSection table, SectionFinder? finder, ref ModuleRelocation r)
    {
        if (finder is null)
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
