using LkmKit.Formats;
using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Relocation;

namespace LkmKit.Linker;

/// <summary>
/// Applies every relocation section whose target section was placed (others, e.g. debug info, are ignored): the
/// module's own, or <c>tables</c> when the caller rewrote them (a.out addends made ELF-equivalent); or, through
/// <see cref="RunImageWide"/>, an image-wide table whose places are found by address.
/// </summary>
internal sealed class RelocationRunner(
    KernelModule module, string moduleName, SectionLayout layout, byte[]?[] data, ulong[] symbolAddresses,
    IRelocationApplier applier, AArch64ModulePlt? plt, ulong loadBase, IReadOnlyList<ModuleRelocationSection>? tables = null)
{
    /// <summary>How many relocations were applied.</summary>
    public long Count { get; private set; }

    /// <summary>How many branches were routed through a PLT veneer.</summary>
    public int Veneers { get; private set; }

    /// <summary>Applies all relocation sections.</summary>
    public void Run()
    {
        foreach (var table in tables ?? module.RelocationSections)
        {
            int target = table.TargetSectionIndex;
            if (target < 0)
            {
                throw new LinkException($"{moduleName}: {table.Name}: image-wide (dynamic) relocations in a relocatable module are not supported");
            }

            if (!layout.IsPlaced(target))
            {
                continue;
            }

            var relocations = table.Relocations;
            if (plt is not null && module.Sections[target].IsExecutable)
            {
                // The arm64 loader sorts these by (type, symbol, addend) before counting and applying them.
                relocations = [.. relocations.OrderBy(r => r.RawType).ThenBy(r => r.SymbolIndex).ThenBy(r => r.Addend)];
            }

            Apply(table, target, relocations);
        }
    }

    /// <summary>
    /// Applies one image-wide table (an ET_DYN module's dynamic relocations), whose offsets are addresses of the image
    /// before relocation, with S from <paramref name="tableSymbols"/> (the addresses of the table's own symbol table).
    /// </summary>
    public void RunImageWide(ModuleRelocationSection table, ulong[] tableSymbols, ImageSectionMap map)
    {
        var relocations = table.Relocations;
        int count = relocations.Count;
        for (int i = 0; i < count; i++)
        {
            var r = relocations[i];
            if (!map.TryFind(r.Offset, out int section, out ulong offset))
            {
                throw Fail(table, $"image address 0x{r.Offset:x}", r, "the place is outside every loaded section");
            }

            if (r.SymbolIndex >= (uint)tableSymbols.Length)
            {
                throw Fail(table, section, offset, r, "the symbol index is out of range");
            }

            ApplyAt(table, section, data[section]!, layout.AddressOf(section), offset, r, tableSymbols[r.SymbolIndex]);
        }

        Count += count;
    }

    private void Apply(ModuleRelocationSection table, int target, IReadOnlyList<ModuleRelocation> relocations)
    {
        byte[] bytes = data[target]!;
        ulong sectionAddress = layout.AddressOf(target);
        int count = relocations.Count;
        for (int i = 0; i < count; i++)
        {
            var r = relocations[i];
            if (r.SymbolIndex >= (uint)symbolAddresses.Length)
            {
                throw Fail(table, target, r, "the symbol index is out of range");
            }

            ApplyAt(table, target, bytes, sectionAddress, r.Offset, r, symbolAddresses[r.SymbolIndex]);
        }

        Count += count;
    }

    /// <summary>
    /// Applies <paramref name="r"/> at its own offset in placed section <paramref name="target"/> (whose relocated bytes
    /// are <paramref name="bytes"/>, at <paramref name="sectionAddress"/>) with S = <paramref name="s"/>; does not count it.
    /// </summary>
    /// <exception cref="LinkException">The offset is outside the section, or the applier refuses the relocation.</exception>
    internal void ApplyAt(ModuleRelocationSection table, int target, byte[] bytes, ulong sectionAddress, in ModuleRelocation r, ulong s) =>
        ApplyAt(table, target, bytes, sectionAddress, r.Offset, r, s);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void ApplyAt(ModuleRelocationSection table, int target, byte[] bytes, ulong sectionAddress, ulong offset, in ModuleRelocation r, ulong s)
    {
        if (offset >= (ulong)bytes.Length)
        {
            throw Fail(table, target, offset, r, "the offset is past the end of the section");
        }

        ulong place = sectionAddress + offset;
        var span = bytes.AsSpan((int)offset);
        var status = applier.Apply(span, r, s, place, loadBase);
        if (status == RelocationStatus.BranchOutOfRange)
        {
            status = Veneer(span, r, s, place, target);
        }

        if (status != RelocationStatus.Applied)
        {
            throw Fail(table, target, offset, r, Reason(status, r, s, place));
        }
    }

    /// <summary>Adds <paramref name="count"/> relocations applied through <see cref="ApplyAt(ModuleRelocationSection, int, byte[], ulong, in ModuleRelocation, ulong)"/> to <see cref="Count"/>.</summary>
    internal void AddApplied(long count) => Count += count;

    private RelocationStatus Veneer(Span<byte> span, in ModuleRelocation r, ulong s, ulong place, int target)
    {
        ulong destination = s + (ulong)r.Addend;
        var entry = plt?.Emit(destination, LinuxLayout.IsInitSection(module.Sections[target].Name), i => (data[i]!, layout.AddressOf(i)));
        if (entry is not { } address)
        {
            return RelocationStatus.Overflow;
        }

        Veneers++;
        var direct = r with { Addend = 0 };
        var status = applier.Apply(span, direct, address, place, loadBase);
        return status == RelocationStatus.BranchOutOfRange ? RelocationStatus.Overflow : status;
    }

    private string Reason(RelocationStatus status, in ModuleRelocation r, ulong s, ulong place)
    {
        ulong value = s + (ulong)r.Addend;
        return status switch
        {
            RelocationStatus.Unsupported => $"unsupported relocation type (the {RelocationAppliers.ArchitectureName(module.Machine)} loader refuses it)",
            RelocationStatus.NonZeroTarget => "Invalid relocation target, existing value is nonzero",
            RelocationStatus.OutOfBounds => "the place extends past the end of the section",
            RelocationStatus.Misaligned => $"the value 0x{(IsPcRelative(r) ? value - place : value):x} is not aligned as the instruction field requires",
            _ when module.Machine == MachineArchitecture.X86_64 && r.RawType == 11 =>
                $"overflow in relocation type {r.RawType} val {value:x} (likely not compiled with -mcmodel=kernel)",
            _ => $"overflow in relocation type {r.RawType} val {(IsPcRelative(r) ? value - place : value):x}",
        };
    }

    private static bool IsPcRelative(in ModuleRelocation r) => r.Kind is RelocationKind.PcRelative or RelocationKind.Branch or RelocationKind.PageRelative;

    /// <summary>The error for <paramref name="r"/> in <paramref name="table"/> at its offset in section <paramref name="target"/>: module, architecture, type, section, offset and <paramref name="reason"/>.</summary>
    internal LinkException Fail(ModuleRelocationSection table, int target, in ModuleRelocation r, string reason) => Fail(table, target, r.Offset, r, reason);

    private LinkException Fail(ModuleRelocationSection table, int target, ulong offset, in ModuleRelocation r, string reason)
    {
        string where = $"{module.Sections[target].Name}+0x{offset:x}";
        return Fail(table, table.TargetSectionIndex < 0 ? $"{where} (image address 0x{r.Offset:x})" : where, r, reason);
    }

    private LinkException Fail(ModuleRelocationSection table, string where, in ModuleRelocation r, string reason)
    {
        string arch = RelocationAppliers.ArchitectureName(module.Machine);
        string type = RelocationNames.Describe(module.Container, r);
        return new LinkException($"{moduleName}: {arch} relocation {type} (type {r.RawType}) in {table.Name} at {where}: {reason}");
    }
}
