using System.Text;
using LkmKit.Formats.IO;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.MachO;

/// <summary>One <c>nlist</c>/<c>nlist_64</c> entry.</summary>
/// <param name="Index">Index in the symbol table.</param>
/// <param name="StringIndex">The <c>n_strx</c>.</param>
/// <param name="Type">The <c>n_type</c>.</param>
/// <param name="Section">The <c>n_sect</c> (1-based ordinal, 0 = none).</param>
/// <param name="Description">The <c>n_desc</c>.</param>
/// <param name="Value">The <c>n_value</c>.</param>
internal readonly record struct MachOSymbol(int Index, uint StringIndex, byte Type, byte Section, ushort Description, ulong Value)
{
    /// <summary>True for a debugging (stab) entry.</summary>
    public bool IsStab => (Type & MachOConstants.NStab) != 0;
    /// <summary>The <c>N_TYPE</c> bits.</summary>
    public byte Kind => (byte)(Type & MachOConstants.NType);
    /// <summary>True when <c>N_EXT</c> is set.</summary>
    public bool IsExternal => (Type & MachOConstants.NExt) != 0;
    /// <summary>True when <c>N_PEXT</c> is set.</summary>
    public bool IsPrivateExternal => (Type & MachOConstants.NPext) != 0;
    /// <summary>True for an undefined reference (not a common block).</summary>
    public bool IsUndefined => !IsStab && Kind == MachOConstants.NUndf && !(IsExternal && Value != 0);
    /// <summary>True for a common block (undefined external with a size).</summary>
    public bool IsCommon => !IsStab && Kind == MachOConstants.NUndf && IsExternal && Value != 0;
    /// <summary>True for an external symbol defined in a section.</summary>
    public bool IsDefinedExternal => !IsStab && Kind == MachOConstants.NSect && IsExternal && !IsPrivateExternal;
}

/// <summary>The <c>LC_SYMTAB</c> symbol and string tables of one image, decoded on access.</summary>
internal sealed class MachOSymbolTable
{
    private readonly MachOFile _file;
    private readonly MachOSymtab _symtab;

    /// <summary>Creates the view; the table bounds were checked when the load command was parsed.</summary>
    public MachOSymbolTable(MachOFile file)
    {
        _file = file;
        _symtab = file.Symtab ?? new MachOSymtab(0, 0, 0, 0, -1);
    }

    /// <summary>Number of entries.</summary>
    public int Count => (int)_symtab.SymbolCount;

    /// <summary>Decodes entry <paramref name="index"/>.</summary>
    public MachOSymbol this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            var s = _file.Bounded;
            int at = (int)(_file.SliceOffset + _symtab.SymbolOffset) + index * _file.NlistSize;
            var r = _file.Reader;
            return new MachOSymbol(index, r.U32(s, at), s[at + 4], s[at + 5], r.U16(s, at + 6), _file.Is64 ? r.U64(s, at + 8) : r.U32(s, at + 8));
        }
    }

    /// <summary>The absolute file offset of entry <paramref name="index"/>.</summary>
    public long EntryOffset(int index) => _file.SliceOffset + _symtab.SymbolOffset + (long)index * _file.NlistSize;

    /// <summary>The name of <paramref name="symbol"/>; a string index past the table is an error.</summary>
    public string GetName(in MachOSymbol symbol) => GetString(symbol.StringIndex, $"symbol {symbol.Index}", EntryOffset(symbol.Index));

    /// <summary>The NUL-terminated string at <paramref name="stringIndex"/> of the string table.</summary>
    public string GetString(uint stringIndex, string owner, long reportAt)
    {
        if (stringIndex == 0)
        {
            return "";
        }

        if (stringIndex >= _symtab.StringSize)
        {
            throw new ModuleFormatException(_file.Path, reportAt, owner, $"string index 0x{stringIndex:x} is past the string table (0x{_symtab.StringSize:x} bytes)");
        }

        var table = _file.Bounded.Slice((int)(_file.SliceOffset + _symtab.StringOffset), (int)_symtab.StringSize);
        return CString.Decode(CString.Field(table[(int)stringIndex..]));
    }

    /// <summary>Index of the first non-stab entry named <paramref name="name"/> whose type is N_SECT; -1 if none.</summary>
    public int FindDefined(string name)
    {
        for (int i = 0; i < Count; i++)
        {
            var sym = this[i];
            if (!sym.IsStab && sym.Kind == MachOConstants.NSect && GetName(sym) == name)
            {
                return i;
            }
        }

        return -1;
    }
}
