using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Elf;

/// <summary>
/// The one reader of pointer fields in ELF modules (Linux export tables and <c>struct module</c>, FreeBSD metadata,
/// NetBSD <c>modinfo_t</c>). Reads structures that are linked by pointers the way <c>kldxref</c> does, with every pointer
/// resolved through a relocation, never taken from the raw bytes: a relocatable object (ET_REL) through the REL/RELA
/// sections that patch the field's section (<see cref="ElfPointerResolver"/>), an image (ET_DYN/ET_EXEC) through its
/// dynamic relocations applied at base 0. Places and targets are (section, offset) pairs in both cases.
/// </summary>
internal sealed class ElfPointerReader
{
    private readonly ElfFile _elf;
    private readonly Dictionary<int, ElfPointerResolver> _resolvers = [];
    private ElfPointerResolver? _last;
    private Dictionary<ulong, (ModuleRelocation Relocation, int SymbolTable, long EntryOffset)>? _dynamic;

    /// <summary>Creates a reader over <paramref name="elf"/>.</summary>
    public ElfPointerReader(ElfFile elf)
    {
        _elf = elf;
        IsImage = elf.Header.Type != ElfConstants.TypeRel;
    }

    /// <summary>True for ET_DYN/ET_EXEC files (dynamic relocations, section addresses are vaddrs).</summary>
    public bool IsImage { get; }

    /// <summary>Size of a pointer in bytes: 8 or 4.</summary>
    public int PointerSize => _elf.Is64 ? 8 : 4;

    /// <summary>The file being read.</summary>
    public ElfFile File => _elf;

    /// <summary>The address of a place: the section's address plus the offset (ET_REL sections have address 0).</summary>
    public ulong AddressOf(in RelocatedTarget target) =>
        target.SectionIndex >= 0 ? _elf.Sections[target.SectionIndex].Address + target.Offset : target.Offset;

    /// <summary>The file offset of a place, for error messages.</summary>
    public long FileOffsetOf(int section, ulong offset) =>
        section >= 0 && section < _elf.Sections.Length ? (long)Math.Min(_elf.Sections[section].Offset + offset, long.MaxValue) : 0;

    /// <summary>
    /// Reads the pointer field at <paramref name="offset"/> of <paramref name="section"/>. Returns null for a NULL
    /// pointer (no relocation and the stored bytes are 0); a non-zero field with no relocation is an error.
    /// </summary>
    public RelocatedTarget? ReadPointer(int section, ulong offset, string structure)
    {
        var bytes = Read(section, offset, PointerSize, structure);
        if (TryResolve(section, offset, structure, out var target))
        {
            return target;
        }

        long fileOffset = FileOffsetOf(section, offset);
        ulong raw = _elf.Reader.Word(bytes, 0, _elf.Is64);
        return raw == 0 ? null : throw new ModuleFormatException(_elf.Path, fileOffset, structure,
            $"pointer field holds 0x{raw:x} but no relocation patches it");
    }

    /// <summary>
    /// Resolves the field at <paramref name="offset"/> of <paramref name="section"/> through the relocation that patches
    /// it; false when none does (the stored bytes are not looked at).
    /// </summary>
    public bool TryResolve(int section, ulong offset, string structure, out RelocatedTarget target)
    {
        if (!IsImage)
        {
            return Resolver(section).TryResolve(offset, out target);
        }

        if (section >= 0 && section < _elf.Sections.Length && Dynamic.TryGetValue(_elf.Sections[section].Address + offset, out var entry))
        {
            target = ResolveDynamic(entry.Relocation, entry.SymbolTable, entry.EntryOffset, structure);
            return true;
        }

        target = default;
        return false;
    }

    /// <summary>The relocation that patches the field at <paramref name="offset"/> of <paramref name="section"/>, if any.</summary>
    public bool TryGetRelocation(int section, ulong offset, out ModuleRelocation relocation)
    {
        if (!IsImage)
        {
            return Resolver(section).TryGetRelocation(offset, out relocation);
        }

        if (section >= 0 && section < _elf.Sections.Length && Dynamic.TryGetValue(_elf.Sections[section].Address + offset, out var entry))
        {
            relocation = entry.Relocation;
            return true;
        }

        relocation = default;
        return false;
    }

    /// <summary>The name of the symbol named by the relocation that patches the field at <paramref name="offset"/> of <paramref name="section"/>, or null.</summary>
    public string? RelocationSymbolName(int section, ulong offset)
    {
        if (!IsImage)
        {
            return Resolver(section).SymbolName(offset);
        }

        return section >= 0 && section < _elf.Sections.Length && Dynamic.TryGetValue(_elf.Sections[section].Address + offset, out var entry)
            ? _elf.GetSymbolTable(entry.SymbolTable).GetName((int)entry.Relocation.SymbolIndex)
            : null;
    }

    /// <summary>Reads the pointer field at <paramref name="delta"/> bytes past <paramref name="place"/>.</summary>
    public RelocatedTarget? ReadPointer(in RelocatedTarget place, ulong delta, string structure) =>
        ReadPointer(RequireSection(place, structure), Add(place, delta, structure), structure);

    /// <summary>Reads a 32-bit signed integer at <paramref name="delta"/> bytes past <paramref name="place"/>.</summary>
    public int ReadInt32(in RelocatedTarget place, ulong delta, string structure)
    {
        int section = RequireSection(place, structure);
        return _elf.Reader.I32(Read(section, Add(place, delta, structure), 4, structure), 0);
    }

    /// <summary>The offset <paramref name="delta"/> bytes past <paramref name="place"/>; an offset that wraps around is an error.</summary>
    private ulong Add(in RelocatedTarget place, ulong delta, string structure)
    {
        ulong sum = unchecked(place.Offset + delta);
        return sum >= place.Offset ? sum : throw new ModuleFormatException(_elf.Path, FileOffsetOf(place.SectionIndex, 0), structure,
            $"offset 0x{place.Offset:x} + 0x{delta:x} wraps around");
    }

    /// <summary>
    /// The <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="section"/> (zeros in a
    /// NOBITS section); the range must lie inside the section.
    /// </summary>
    public ReadOnlySpan<byte> Read(int section, ulong offset, int length, string structure)
    {
        if (section < 0 || section >= _elf.Sections.Length)
        {
            throw new ModuleFormatException(_elf.Path, 0, structure, $"section index {section} is out of range");
        }

        var header = _elf.Sections[section];
        if (length < 0 || offset > header.Size || (ulong)length > header.Size - offset)
        {
            throw new ModuleFormatException(_elf.Path, FileOffsetOf(section, Math.Min(offset, header.Size)), structure,
                $"{length} bytes at offset 0x{offset:x} run past the end of section {_elf.GetSectionName(section)} (0x{header.Size:x} bytes)");
        }

        return header.HasContents ? _elf.GetSectionBytes(section).Slice((int)offset, length) : new byte[length];
    }

    /// <summary>Reads <paramref name="length"/> bytes at a resolved place.</summary>
    public ReadOnlySpan<byte> Read(in RelocatedTarget place, int length, string structure) =>
        Read(RequireSection(place, structure), place.Offset, length, structure);

    /// <summary>Reads the NUL-terminated string at a resolved place; it must end inside its section.</summary>
    public string ReadString(in RelocatedTarget place, string structure)
    {
        int section = RequireSection(place, structure);
        var header = _elf.Sections[section];
        if (!header.HasContents)
        {
            throw new ModuleFormatException(_elf.Path, FileOffsetOf(section, 0), structure,
                $"points into section {_elf.GetSectionName(section)}, which has no contents");
        }

        return CString.At(_elf.GetSectionBytes(section), place.Offset, _elf.Path, (long)header.Offset, structure);
    }

    /// <summary>
    /// The name of the symbol a pointer points to: the named symbol its relocation uses, else a named function or
    /// object symbol of the primary symbol table defined exactly at the place; null if there is none.
    /// </summary>
    public string? SymbolName(in RelocatedTarget target)
    {
        if (target.SymbolIndex != 0 && target.SymbolTable >= 0)
        {
            var table = _elf.GetSymbolTable(target.SymbolTable);
            var symbol = table[(int)target.SymbolIndex];
            if (symbol.Type != ElfConstants.SttSection && symbol.NameOffset != 0)
            {
                return table.GetName(symbol);
            }
        }

        int tableIndex = ElfModelBuilder.PrimarySymbolTable(_elf);
        if (target.SectionIndex < 0 || tableIndex < 0)
        {
            return null;
        }

        var symbols = _elf.GetSymbolTable(tableIndex);
        ulong value = IsImage ? AddressOf(target) : target.Offset;
        var entries = symbols.Bytes;
        for (int i = 1; i < symbols.Count; i++)
        {
            var s = symbols.Read(entries, i);
            if (s.SectionIndex == (uint)target.SectionIndex && s.Value == value && s.NameOffset != 0
                && s.Type is ElfConstants.SttFunc or ElfConstants.SttObject && s.RawSectionIndex is not (ElfConstants.ShnAbs or ElfConstants.ShnCommon or ElfConstants.ShnUndef))
            {
                return symbols.GetName(s);
            }
        }

        return null;
    }

    /// <summary>Maps an image address to the allocated section holding it (a one-past-the-end address maps to its section's end).</summary>
    public bool TryMapAddress(ulong address, out RelocatedTarget target)
    {
        int end = -1;
        for (int i = 1; i < _elf.Sections.Length; i++)
        {
            var s = _elf.Sections[i];
            if (!s.IsAllocated || address < s.Address)
            {
                continue;
            }

            if (address - s.Address < s.Size)
            {
                target = new RelocatedTarget(i, address - s.Address, 0);
                return true;
            }

            if (address - s.Address == s.Size && end < 0)
            {
                end = i;
            }
        }

        target = end >= 0 ? new RelocatedTarget(end, address - _elf.Sections[end].Address, 0) : default;
        return end >= 0;
    }

    private int RequireSection(in RelocatedTarget place, string structure)
    {
        if (place.SectionIndex < 0)
        {
            throw new ModuleFormatException(_elf.Path, 0, structure, "points to a symbol that is not defined in this module");
        }

        return place.SectionIndex;
    }

    private ElfPointerResolver Resolver(int section)
    {
        // Readers walk one section's fields at a time (an export table, a metadata record): keep the last one at hand.
        if (_last is { } last && last.SectionIndex == section)
        {
            return last;
        }

        if (!_resolvers.TryGetValue(section, out var resolver))
        {
            resolver = new ElfPointerResolver(_elf, section);
            _resolvers[section] = resolver;
        }

        return _last = resolver;
    }

    /// <summary>Every dynamic relocation (REL/RELA sections with sh_info 0) by the address it patches.</summary>
    private Dictionary<ulong, (ModuleRelocation Relocation, int SymbolTable, long EntryOffset)> Dynamic
    {
        get
        {
            if (_dynamic is { } built)
            {
                return built;
            }

            var machine = ElfNames.Machine(_elf.Header.Machine);
            var result = new Dictionary<ulong, (ModuleRelocation, int, long)>();
            for (int i = 0; i < _elf.Sections.Length; i++)
            {
                var s = _elf.Sections[i];
                if (s.Type is not (ElfConstants.ShtRel or ElfConstants.ShtRela))
                {
                    continue;
                }

                var table = ElfModelBuilder.ReadRelocationSection(_elf, machine, i);
                if (table.TargetSectionIndex >= 0)
                {
                    continue;
                }

                int entrySize = (_elf.Is64 ? 8 : 4) * (table.HasExplicitAddends ? 3 : 2);
                for (int r = 0; r < table.Relocations.Count; r++)
                {
                    result.TryAdd(table.Relocations[r].Offset, (table.Relocations[r], table.SymbolTableIndex, (long)s.Offset + (long)r * entrySize));
                }
            }

            return _dynamic = result;
        }
    }

    private RelocatedTarget ResolveDynamic(in ModuleRelocation relocation, int symbolTable, long entryOffset, string structure)
    {
        ulong address;
        switch (relocation.Kind)
        {
            case RelocationKind.BaseRelative:
                address = unchecked((ulong)relocation.Addend);
                break;
            case RelocationKind.Absolute or RelocationKind.SymbolPointer:
                var table = _elf.GetSymbolTable(symbolTable);
                var symbol = table[(int)relocation.SymbolIndex];
                ulong addend = relocation.Kind == RelocationKind.Absolute ? unchecked((ulong)relocation.Addend) : 0;
                if (symbol.IsUndefined)
                {
                    return new RelocatedTarget(-1, addend, relocation.SymbolIndex, symbolTable);
                }

                address = unchecked(symbol.Value + addend);
                if (!TryMapAddress(address, out var mapped))
                {
                    break;
                }

                return mapped with { SymbolIndex = relocation.SymbolIndex, SymbolTable = symbolTable };
            default:
                throw new ModuleFormatException(_elf.Path, entryOffset, structure,
                    $"a pointer field is patched by {ElfRelocationTypes.Describe(relocation.Machine, relocation.RawType).Name}, which does not store an address");
        }

        return TryMapAddress(address, out var target) ? target : throw new ModuleFormatException(_elf.Path, entryOffset, structure,
            $"points to address 0x{address:x}, which is outside every allocated section");
    }
}
