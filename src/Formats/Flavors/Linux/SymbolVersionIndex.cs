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
            if (!name.IsEmpty && Find(name, data) < 0)
            {
                int slot = (int)NamePool.Hash(name) & _mask;
                while (_slots[slot] != 0)
                {
                    slot = (slot + 1) & _mask;
                }

                _slots[slot] = i + 1;
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
        int record = name.IsEmpty ? -1 : Find(name, data);
        return record < 0 ? null : _records[record].Crc;
    }

    private int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        for (int slot = (int)NamePool.Hash(name) & _mask; _slots[slot] != 0; slot = (slot + 1) & _mask)
        {
            int record = _slots[slot] - 1;
            if (NameOf(_records[record], data).SequenceEqual(name))
            {
                return record;
            }
        }

        return -1;
    }

    private static ReadOnlySpan<byte> NameOf(in ModversionsReader.Record record, ReadOnlySpan<byte> data) =>
        data.Slice(record.NameOffset, record.NameLength);
}
