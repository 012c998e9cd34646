using LkmKit.Formats.Elf;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Flavors.Linux;

/// <summary>
/// A module's symbol versions by name, looked up by the name's bytes: reading the imports needs each import's CRC, and
/// hashing the stored bytes spares a string and a <see cref="SymbolVersion"/> per version. The first record of a name
/// wins, as in <see cref="LinuxModuleDetails.SymbolVersions"/> order.
/// </summary>
internal sealed class SymbolVersionIndex
{
    private readonly ModversionsReader.Record[] _records;
    private readonly int[] _slots; // record index + 1, or 0 for an empty slot
    private readonly int _mask;

    private SymbolVersionIndex(ModversionsReader.Record[] records, ReadOnlySpan<byte> data)
    {
        _records = records;
        int size = (int)Math.Max(4, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)records.Length * 2));
        _slots = new int[size];
        _mask = size - 1;
        for (int i = 0; i < records.Length; i++)
        {
            var name = NameOf(records[i], data);
            if (!name.IsEmpty)
            {
                ref int slot = ref _slots[SlotOf(name, data)];
                if (slot == 0)
                {
                    slot = i + 1; // the first record of a name wins
                }
            }
        }
    }

    /// <summary>Indexes <paramref name="elf"/>'s symbol versions (none when it has no table).</summary>
    /// <exception cref="ModuleFormatException">The table is malformed.</exception>
    public static SymbolVersionIndex Build(ElfFile elf) => new(ModversionsReader.ReadRecords(elf), elf.Data.Span);

    /// <summary>How many version records the module has: about how many symbols it imports.</summary>
    public int Count => _records.Length;

    /// <summary>The CRC recorded for <paramref name="name"/>, or null; <paramref name="data"/> is the file's bytes.</summary>
    public uint? CrcOf(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        int record = name.IsEmpty ? 0 : _slots[SlotOf(name, data)];
        return record == 0 ? null : _records[record - 1].Crc;
    }

    /// <summary>The slot that holds <paramref name="name"/>'s record, or the empty slot where it would go (the table is
    /// at least twice the record count, so there is always one).</summary>
    private int SlotOf(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        int slot = (int)NamePool.Hash(name) & _mask;
        while (_slots[slot] != 0 && !NameOf(_records[_slots[slot] - 1], data).SequenceEqual(name))
        {
            slot = (slot + 1) & _mask;
        }

        return slot;
    }

    private static ReadOnlySpan<byte> NameOf(in ModversionsReader.Record record, ReadOnlySpan<byte> data) =>
        data.Slice(record.NameOffset, record.NameLength);
}
