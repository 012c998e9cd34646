using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.MachO;

/// <summary>
/// Decodes <c>relocation_info</c> and <c>scattered_relocation_info</c> records into model relocations. Symbol
/// indices follow the model's Mach-O symbol numbering (<see cref="MachOModelBuilder"/>): nlist entry <c>i</c> is
/// <c>i + 1</c>, section ordinal <c>n</c> is the section symbol <c>nsyms + n</c>, 0 is "absolute".
/// </summary>
internal sealed class MachORelocationReader
{
    private readonly MachOFile _file;
    private readonly MachineArchitecture _machine;
    private readonly int _symbolCount;
    private readonly bool _mayScatter;

    /// <summary>Creates a reader for <paramref name="file"/>'s relocations.</summary>
    public MachORelocationReader(MachOFile file, MachineArchitecture machine)
    {
        _file = file;
        _machine = machine;
        _symbolCount = (int)(file.Symtab?.SymbolCount ?? 0);
        _mayScatter = machine is not (MachineArchitecture.X86_64 or MachineArchitecture.AArch64);
    }

    /// <summary>
    /// Reads <paramref name="count"/> records at image offset <paramref name="offset"/>. For section tables
    /// (<paramref name="section"/> ≥ 0) <c>r_address</c> is relative to the section; for the LC_DYSYMTAB tables it is
    /// relative to <paramref name="addressBase"/> and the model offset is the vm address.
    /// </summary>
    public ModuleRelocation[] Read(uint offset, uint count, int section, ulong addressBase, string tableName)
    {
        var s = _file.Bounded;
        var r = _file.Reader;
        var result = new ModuleRelocation[count];
        long? pendingAddend = null;
        for (int i = 0; i < count; i++)
        {
            int at = (int)(_file.SliceOffset + offset) + i * 8;
            string what = $"relocation {i} of {tableName}";
            uint w0 = r.U32(s, at), w1 = r.U32(s, at + 4);
            if (_mayScatter && (w0 & MachOConstants.RScattered) != 0)
            {
                result[i] = Scattered(w0, w1, section, addressBase, at, what);
                continue;
            }

            uint symbolnum, type;
            bool pcrel, external;
            int length;
            if (_file.IsBigEndian)
            {
                symbolnum = w1 >> 8; pcrel = ((w1 >> 7) & 1) != 0; length = (int)((w1 >> 5) & 3); external = ((w1 >> 4) & 1) != 0; type = w1 & 0xF;
            }
            else
            {
                symbolnum = w1 & 0xFFFFFF; pcrel = ((w1 >> 24) & 1) != 0; length = (int)((w1 >> 25) & 3); external = ((w1 >> 27) & 1) != 0; type = w1 >> 28;
            }

            var info = MachORelocationTypes.Describe(_machine, type);
            byte width = (byte)(8 << length);
            if (_machine == MachineArchitecture.AArch64 && type == MachORelocationTypes.Arm64Addend)
            {
                long value = ((int)(symbolnum << 8)) >> 8;
                pendingAddend = value;
                result[i] = new ModuleRelocation(Place(w0, section, addressBase), 0, RelocationKind.None, width, value, false, _machine, type);
                continue;
            }

            uint symbol = external ? SymbolIndex(symbolnum, at, what) : SectionSymbol(symbolnum, at, what);
            var kind = info.Kind == RelocationKind.Absolute && pcrel ? RelocationKind.PcRelative : info.Kind;
            ulong place = Place(w0, section, addressBase);
            long addend;
            bool implicitAddend = true;
            if (pendingAddend is { } explicitAddend)
            {
                addend = explicitAddend;
                implicitAddend = false;
                pendingAddend = null;
            }
            else if (MachORelocationTypes.IsInstructionField(_machine, type) || IsSubtractor(type))
            {
                // Instruction fields hold no addend in objects; a SUBTRACTOR's place value belongs to the UNSIGNED after it.
                addend = 0;
                implicitAddend = !IsSubtractor(type);
            }
            else
            {
                addend = ReadPlace(place, length, section, at, what);
            }

            result[i] = new ModuleRelocation(place, symbol, kind, width, addend, implicitAddend, _machine, type);
        }

        return result;
    }

    private ModuleRelocation Scattered(uint w0, uint value, int section, ulong addressBase, int at, string what)
    {
        uint address = w0 & 0xFFFFFF;
        uint type = (w0 >> 24) & 0xF;
        int length = (int)((w0 >> 28) & 3);
        bool pcrel = ((w0 >> 30) & 1) != 0;
        var info = MachORelocationTypes.Describe(_machine, type);
        uint raw = type | MachORelocationTypes.ScatteredFlag;
        byte width = (byte)(8 << length);
        if (type == MachORelocationTypes.GenericPair)
        {
            return new ModuleRelocation(address, 0, RelocationKind.None, width, (int)value, false, _machine, raw);
        }

        ulong place = section >= 0 ? address : addressBase + address;
        int target = _file.FindSectionByAddress(value);
        uint symbol = target < 0 ? 0 : (uint)(_symbolCount + 1 + target);
        var kind = info.Kind == RelocationKind.Absolute && pcrel ? RelocationKind.PcRelative : info.Kind;
        return new ModuleRelocation(place, symbol, kind, width, ReadPlace(place, length, section, at, what), true, _machine, raw);
    }

    private bool IsSubtractor(uint type) =>
        (_machine == MachineArchitecture.X86_64 && type == 5) || (_machine == MachineArchitecture.AArch64 && type == 1);

    private ulong Place(uint rAddress, int section, ulong addressBase) =>
        section >= 0 ? rAddress : addressBase + (ulong)(long)(int)rAddress;

    private uint SymbolIndex(uint symbolnum, int at, string what)
    {
        if (symbolnum >= _symbolCount)
        {
            throw new ModuleFormatException(_file.Path, at + 4, what, $"symbol index {symbolnum} is out of range (the symbol table has {_symbolCount} entries)");
        }

        return symbolnum + 1;
    }

    private uint SectionSymbol(uint ordinal, int at, string what)
    {
        if (ordinal == MachOConstants.RAbs)
        {
            return 0;
        }

        if (ordinal > _file.Sections.Count)
        {
            throw new ModuleFormatException(_file.Path, at + 4, what, $"section ordinal {ordinal} is out of range (the image has {_file.Sections.Count} sections)");
        }

        return (uint)(_symbolCount + ordinal);
    }

    private long ReadPlace(ulong place, int length, int section, int at, string what)
    {
        int size = 1 << length;
        long fileOffset;
        if (section >= 0)
        {
            var sec = _file.Sections[section];
            if (place > sec.Size || (ulong)size > sec.Size - place)
            {
                throw new ModuleFormatException(_file.Path, at, what, $"place 0x{place:x} (+{size} bytes) is outside section {sec.FullName} (0x{sec.Size:x} bytes)");
            }

            if (sec.IsZeroFill)
            {
                return 0;
            }

            fileOffset = _file.SliceOffset + sec.Offset + (long)place;
        }
        else
        {
            fileOffset = _file.MapAddress(place, (ulong)size);
            if (fileOffset < 0)
            {
                throw new ModuleFormatException(_file.Path, at, what, $"address 0x{place:x} (+{size} bytes) is not inside any segment's file contents");
            }
        }

        ulong raw = _file.Reader.Unsigned(_file.Bounded, (int)fileOffset, size);
        return size switch
        {
            1 => (sbyte)raw,
            2 => (short)raw,
            4 => (int)raw,
            _ => (long)raw,
        };
    }
}
