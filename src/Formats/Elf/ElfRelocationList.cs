using System.Collections;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf;

/// <summary>
/// The model's relocations of one REL/RELA section, decoded from the file on access instead of copied into an array:
/// a tree of modules has millions of relocations, and a linker reads each once. An entry whose symbol index is out of
/// range, or whose implicit addend lies outside its section, throws <see cref="ModuleFormatException"/> when read.
/// </summary>
internal sealed class ElfRelocationList(ElfFile elf, ElfRelocationTable table, MachineArchitecture machine, int target, int symbolCount, string name)
    : IReadOnlyList<ModuleRelocation>
{
    /// <inheritdoc />
    public int Count => table.Count;

    /// <inheritdoc />
    public ModuleRelocation this[int index]
    {
        get
        {
            if ((uint)index >= (uint)table.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return Decode(table.Bytes, index);
        }
    }

    private ModuleRelocation Decode(ReadOnlySpan<byte> bytes, int index)
    {
        var entry = table.Read(bytes, index);
        if (entry.SymbolIndex >= symbolCount && entry.SymbolIndex != 0)
        {
            ThrowSymbolOutOfRange(index, entry.SymbolIndex);
        }

        var info = ElfRelocationTypes.Describe(machine, entry.Type);
        long addend = table.IsRela ? entry.Addend
            : ElfModelBuilder.ReadImplicitAddend(elf, target, entry, info, table.FileOffset + (long)index * table.EntrySize, name, index);
        return new ModuleRelocation(entry.Offset, entry.SymbolIndex, info.Kind, info.Width, addend, !table.IsRela, machine, entry.Type);
    }

    private void ThrowSymbolOutOfRange(int index, uint symbolIndex) =>
        throw new ModuleFormatException(elf.Path, table.FileOffset + (long)index * table.EntrySize, $"relocation {index} of {name}",
            $"symbol index {symbolIndex} is out of range (the symbol table has {symbolCount} entries)");

    /// <summary>
    /// Decodes up to <paramref name="into"/>.Length entries from <paramref name="start"/>; returns how many. A bad entry
    /// after the first ends the batch early, so that it throws when the caller reaches it, as a one-by-one read would.
    /// </summary>
    private int DecodeBatch(int start, Span<ModuleRelocation> into)
    {
        var bytes = table.Bytes;
        int count = Math.Min(into.Length, table.Count - start);
        for (int k = 0; k < count; k++)
        {
            try
            {
                into[k] = Decode(bytes, start + k);
            }
            catch (ModuleFormatException) when (k > 0)
            {
                return k;
            }
        }

        return count;
    }

    /// <inheritdoc />
    public IEnumerator<ModuleRelocation> GetEnumerator() => new Enumerator(this);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Walks the table a batch at a time: one span fetch per batch instead of per entry.</summary>
    private sealed class Enumerator(ElfRelocationList list) : IEnumerator<ModuleRelocation>
    {
        private readonly ModuleRelocation[] _batch = new ModuleRelocation[Math.Min(64, list.Count)];
        private int _next;
        private int _filled;
        private int _position = -1;

        public ModuleRelocation Current => _batch[_position];

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (++_position < _filled)
            {
                return true;
            }

            if (_next >= list.Count)
            {
                _position = _filled;
                return false;
            }

            _filled = list.DecodeBatch(_next, _batch);
            _next += _filled;
            _position = 0;
            return true;
        }

        public void Reset()
        {
            _next = 0;
            _filled = 0;
            _position = -1;
        }

        public void Dispose()
        {
        }
    }
}
