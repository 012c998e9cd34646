using System.Buffers;
using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    private readonly ushort[] _kindsAndWidths = ElfRelocationTypes.KindsAndWidthsOf(machine);
    private readonly ushort _machine = checked((ushort)machine);

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
            var (kind, width) = ElfRelocationTypes.KindAndWidth(_kindsAndWidths, entry.Type);
            return new ModuleRelocation(entry.Offset, entry.SymbolIndex, kind, width, entry.Addend, false, _machine, entry.Type);
        }

        var info = ElfRelocationTypes.Describe(machine, entry.Type);
        long addend = ElfModelBuilder.ReadImplicitAddend(elf, target, entry, info, table.FileOffset + (long)index * table.EntrySize, name, index);
        return new ModuleRelocation(entry.Offset, entry.SymbolIndex, info.Kind, info.Width, addend, true, _machine, entry.Type);
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
        if (table.IsRela && elf.Is64 && !elf.IsBigEndian && BitConverter.IsLittleEndian)
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
    /// The common case (every x86-64 and arm64 module): 64-bit little-endian RELA on a little-endian host, read as a span
    /// of entries.
    /// Same results and errors as <see cref="Decode"/>; explicit addends need no read of the place, so only a symbol
    /// index can be wrong.
    /// </summary>
    private int DecodeRela64(ReadOnlySpan<byte> bytes, int start, Span<ModuleRelocation> into)
    {
        var entries = MemoryMarshal.Cast<byte, Rela64>(bytes.Slice(start * Unsafe.SizeOf<Rela64>(), into.Length * Unsafe.SizeOf<Rela64>()));
        into = into[..entries.Length];
        var kindsAndWidths = _kindsAndWidths;
        ushort machineNumber = _machine;
        uint symbols = (uint)symbolCount;
        for (int k = 0; k < entries.Length; k++)
        {
            ref readonly var entry = ref entries[k];
            uint symbol = (uint)(entry.Info >> 32), type = (uint)entry.Info;
            if (symbol >= symbols && symbol != 0)
            {
                if (k > 0)
                {
                    return k; // thrown when the caller reaches it
                }

                ThrowSymbolOutOfRange(start, symbol);
            }

            var (kind, width) = ElfRelocationTypes.KindAndWidth(kindsAndWidths, type);
            into[k] = new ModuleRelocation(entry.Offset, symbol, kind, width, entry.Addend, false, machineNumber, type);
        }

        return into.Length;
    }

    /// <summary>An Elf64_Rela entry as a little-endian host reads it from a little-endian file.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private readonly struct Rela64
    {
        public readonly ulong Offset;
        public readonly ulong Info;
        public readonly long Addend;
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
