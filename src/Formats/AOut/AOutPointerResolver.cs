using LkmKit.Formats.IO;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.AOut;

/// <summary>What a relocated word of the data segment points to.</summary>
/// <param name="Relocation">The relocation record at the word.</param>
/// <param name="Symbol">For an r_extern record, the nlist entry it names.</param>
/// <param name="Address">For a segment-relative record, the object address stored at the place (the target).</param>
/// <param name="Label">A readable target: the symbol name, a symbol defined at the address, or <c>.data+0x10</c>.</param>
internal readonly record struct AOutPointer(AOutRelocation Relocation, AOutSymbol? Symbol, ulong? Address, string Label);

/// <summary>
/// Reads pointer fields of structures in the data segment through the data relocation table, like
/// <c>ElfPointerReader</c> does for ELF: a field is a pointer exactly when a relocation patches it.
/// </summary>
internal sealed class AOutPointerResolver
{
    private readonly AOutFile _aout;
    private readonly Dictionary<int, AOutRelocation> _byAddress = [];

    /// <summary>Indexes the data relocations of <paramref name="aout"/> by the data-segment offset they patch.</summary>
    public AOutPointerResolver(AOutFile aout)
    {
        _aout = aout;
        if (!aout.HasStandardRelocations)
        {
            return;
        }

        for (int i = 0; i < aout.RelocationCount(true); i++)
        {
            var r = aout.GetRelocation(true, i);
            _byAddress.TryAdd(r.Address, r);
        }
    }

    /// <summary>Reads a 32-bit word at data-segment offset <paramref name="offset"/>, or null past the end of the segment.</summary>
    public long? Word(long offset)
    {
        var data = _aout.DataSegment.Span;
        return offset >= 0 && offset <= data.Length - 4 ? _aout.Reader.I32(data, (int)offset) : null;
    }

    /// <summary>The pointer stored at data-segment offset <paramref name="offset"/>, or null when no relocation patches it.</summary>
    /// <exception cref="ModuleFormatException">The relocation names a symbol out of range.</exception>
    public AOutPointer? Pointer(long offset)
    {
        if (offset < 0 || offset > int.MaxValue || !_byAddress.TryGetValue((int)offset, out var r) || Word(offset) is not { } stored)
        {
            return null;
        }

        if (r.IsExtern)
        {
            if (r.SymbolNumber >= (uint)_aout.SymbolCount)
            {
                throw new ModuleFormatException(_aout.Path, r.FileOffset, $"a.out data relocation {r.Index}",
                    $"r_symbolnum {r.SymbolNumber} is out of range (the symbol table has {_aout.SymbolCount} entries)");
            }

            var symbol = _aout.GetSymbol((int)r.SymbolNumber);
            string name = _aout.GetName(symbol);
            string label = stored switch
            {
                0 => name,
                > 0 => $"{name}+0x{stored:x}",
                _ => $"{name}-0x{-stored:x}",
            };
            return new AOutPointer(r, symbol, null, label);
        }

        ulong address = unchecked((uint)stored);
        return new AOutPointer(r, null, address, Label(r.SymbolNumber & ~1u, address));
    }

    /// <summary>Reads the NUL-terminated string at object address <paramref name="address"/> in the text or data segment.</summary>
    /// <returns>The string, or null when the address lies in neither segment or the string has no terminator there.</returns>
    public string? String(ulong address)
    {
        var l = _aout.Layout;
        ReadOnlySpan<byte> segment;
        ulong start;
        if (address >= l.TextAddress && address - l.TextAddress < _aout.Header.Text)
        {
            segment = _aout.Text.Span;
            start = address - l.TextAddress;
        }
        else if (address >= l.DataAddress && address - l.DataAddress < _aout.Header.Data)
        {
            segment = _aout.DataSegment.Span;
            start = address - l.DataAddress;
        }
        else
        {
            return null;
        }

        return CString.TryRead(segment[(int)start..], out var value) ? CString.Decode(value) : null;
    }

    private string Label(uint segmentType, ulong address)
    {
        var l = _aout.Layout;
        (string name, ulong start) = segmentType switch
        {
            AOutConstants.NText => (".text", l.TextAddress),
            AOutConstants.NData => (".data", l.DataAddress),
            AOutConstants.NBss => (".bss", l.BssAddress),
            _ => ("*ABS*", 0UL),
        };
        for (int i = 0; i < _aout.SymbolCount && segmentType != AOutConstants.NAbs; i++)
        {
            var s = _aout.GetSymbol(i);
            if (!s.IsStab && s.SegmentType == segmentType && s.Value == address && s.StringIndex != 0)
            {
                return _aout.GetName(s);
            }
        }

        return address >= start ? $"{name}+0x{address - start:x}" : $"{name}-0x{start - address:x}";
    }
}
