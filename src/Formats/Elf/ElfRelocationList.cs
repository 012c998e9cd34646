using System.Buffers;
using System.Buffers.Binary;
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
    private const int BatchSize = 64;

    private readonly RelocationTypeInfo[]? _types = ElfRelocationTypes.TableOf(machine);

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

        if (table.IsRela)
        {
            var (kind, width) = ElfRelocationTypes.KindAndWidth(_types, entry.Type);
            return new ModuleRelocation(entry.Offset, entry.SymbolIndex, kind, width, entry.Addend, false, machine, entry.Type);
        }

        var info = ElfRelocationTypes.Describe(machine, entry.Type);
        long addend = ElfModelBuilder.ReadImplicitAddend(elf, target, entry, info, table.FileOffset + (long)index * table.EntrySize, name, index);
        return new ModuleRelocation(entry.Offset, entry.SymbolIndex, info.Kind, info.Width, addend, true, machine, entry.Type);
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
        if (table.IsRela && elf.Is64 && !elf.IsBigEndian)
        {
            return DecodeRela64(bytes, start, into[..count]);
        }

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

    /// <summary>
    /// The common case (every x86-64 and arm64 module): 64-bit little-endian RELA, decoded straight from the bytes.
    /// Same results and errors as <see cref="Decode"/>; explicit addends need no read of the place, so only a symbol
    /// index can be wrong.
    /// </summary>
    private int DecodeRela64(ReadOnlySpan<byte> bytes, int start, Span<ModuleRelocation> into)
    {
        const int EntrySize = 24;
        var entries = bytes.Slice(start * EntrySize, into.Length * EntrySize);
        var types = _types;
        for (int k = 0; k < into.Length; k++)
        {
            var entry = entries.Slice(k * EntrySize, EntrySize);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(entry);
            ulong info = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
            long addend = BinaryPrimitives.ReadInt64LittleEndian(entry[16..]);
            uint symbol = (uint)(info >> 32), type = (uint)info;
            if (symbol >= symbolCount && symbol != 0)
            {
                if (k > 0)
                {
                    return k; // thrown when the caller reaches it
                }

                ThrowSymbolOutOfRange(start, symbol);
            }

            var (kind, width) = ElfRelocationTypes.KindAndWidth(types, type);
            into[k] = new ModuleRelocation(offset, symbol, kind, width, addend, false, machine, type);
        }

        return into.Length;
    }

    /// <inheritdoc />
    public IEnumerator<ModuleRelocation> GetEnumerator() => new Enumerator(this);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Walks the table a batch at a time: one span fetch per batch instead of per entry. The batch is rented from the
    /// shared array pool and returned by <see cref="IDisposable.Dispose"/> (which <c>foreach</c> calls).
    /// </summary>
    private sealed class Enumerator(ElfRelocationList list) : IEnumerator<ModuleRelocation>
    {
        private ModuleRelocation[]? _batch = ArrayPool<ModuleRelocation>.Shared.Rent(Math.Min(BatchSize, list.Count));
        private int _next;
        private int _filled;
        private int _position = -1;

        public ModuleRelocation Current => (_batch ?? throw new ObjectDisposedException(nameof(Enumerator)))[_position];

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

            var batch = _batch ?? throw new ObjectDisposedException(nameof(Enumerator));
            _filled = list.DecodeBatch(_next, batch.AsSpan(0, Math.Min(BatchSize, batch.Length)));
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
            if (_batch is { } batch)
            {
                _batch = null;
                _filled = 0;
                ArrayPool<ModuleRelocation>.Shared.Return(batch);
            }
        }
    }
}
