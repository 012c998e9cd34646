using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf;

/// <summary>Where a relocated pointer field points: a section and an offset in it, or an undefined symbol.</summary>
/// <param name="SectionIndex">The section pointed into, or -1 when the target is not defined in a section.</param>
/// <param name="Offset">Offset in that section (S + A relative to the section start).</param>
/// <param name="SymbolIndex">The symbol the relocation names (0 when it names none, e.g. a RELATIVE relocation).</param>
/// <param name="SymbolTable">The section index of the symbol table <paramref name="SymbolIndex"/> refers to, or -1.</param>
internal readonly record struct RelocatedTarget(int SectionIndex, ulong Offset, uint SymbolIndex, int SymbolTable = -1);

/// <summary>
/// The relocations that patch one section of a relocatable object, by offset: <see cref="ElfPointerReader"/>'s index for
/// ET_REL files (flavours read pointers through the reader, not through this). The stored bytes are 0 (RELA) or a
/// partial addend (REL), so the meaning of a field is S + A of its relocation, whether it is absolute or PC-relative.
/// </summary>
internal sealed class ElfPointerResolver
{
    private readonly ElfFile _elf;
    private readonly Dictionary<ulong, (ModuleRelocation Relocation, int SymbolTable)> _byOffset;

    /// <summary>Indexes every relocation that patches section <paramref name="sectionIndex"/>.</summary>
    public ElfPointerResolver(ElfFile elf, int sectionIndex)
    {
        _elf = elf;
        SectionIndex = sectionIndex;
        var machine = ElfNames.Machine(elf.Header.Machine);
        int count = 0;
        for (int i = 0; i < elf.Sections.Length; i++)
        {
            count += PatchesSection(elf.Sections[i], sectionIndex) ? elf.GetRelocationTable(i).Count : 0;
        }

        _byOffset = new(count);
        for (int i = 0; i < elf.Sections.Length; i++)
        {
            if (PatchesSection(elf.Sections[i], sectionIndex))
            {
                var table = ElfModelBuilder.ReadRelocationSection(elf, machine, i);
                foreach (var r in table.Relocations)
                {
                    _byOffset.TryAdd(r.Offset, (r, table.SymbolTableIndex));
                }
            }
        }
    }

    private static bool PatchesSection(in ElfSectionHeader s, int sectionIndex) =>
        s.Type is (ElfConstants.ShtRel or ElfConstants.ShtRela) && s.Info == (uint)sectionIndex;

    /// <summary>The section whose fields are resolved.</summary>
    public int SectionIndex { get; }

    /// <summary>The relocation at <paramref name="offset"/>, if any.</summary>
    public bool TryGetRelocation(ulong offset, out ModuleRelocation relocation)
    {
        if (_byOffset.TryGetValue(offset, out var entry))
        {
            relocation = entry.Relocation;
            return true;
        }

        relocation = default;
        return false;
    }

    /// <summary>Resolves the field at <paramref name="offset"/> to the place it points to.</summary>
    public bool TryResolve(ulong offset, out RelocatedTarget target)
    {
        target = default;
        if (!_byOffset.TryGetValue(offset, out var entry))
        {
            return false;
        }

        var symbols = _elf.GetSymbolTable(entry.SymbolTable);
        var symbol = symbols[(int)entry.Relocation.SymbolIndex];
        var (definition, section) = ElfModelBuilder.Classify(_elf, symbol);
        if (definition != SymbolDefinition.Section)
        {
            target = new RelocatedTarget(-1, unchecked(symbol.Value + (ulong)entry.Relocation.Addend), entry.Relocation.SymbolIndex, entry.SymbolTable);
            return true;
        }

        ulong sectionBase = _elf.Header.Type == ElfConstants.TypeRel ? 0 : _elf.Sections[section].Address;
        target = new RelocatedTarget(section, unchecked(symbol.Value - sectionBase + (ulong)entry.Relocation.Addend), entry.Relocation.SymbolIndex, entry.SymbolTable);
        return true;
    }

    /// <summary>The name of the symbol the relocation at <paramref name="offset"/> names, or null.</summary>
    public string? SymbolName(ulong offset)
    {
        if (!_byOffset.TryGetValue(offset, out var entry))
        {
            return null;
        }

        return _elf.GetSymbolTable(entry.SymbolTable).GetName((int)entry.Relocation.SymbolIndex);
    }
}
