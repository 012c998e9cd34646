using System.Buffers.Binary;
using System.Text;

namespace LkmKit.Formats.IO;

/// <summary>
/// One string per frequent name for the whole process: every Linux module has its <c>.text</c>, <c>.rela.text</c>,
/// <c>__ksymtab_strings</c>… sections, so a tree of modules decodes the same few hundred names over and over.
/// </summary>
/// <remarks>
/// Bounded and lock-free: a fixed table of slots, each holding the last name whose hash chose it. A name is compared in
/// full before it is reused, so a collision (or two threads writing one slot) costs a decode, never a wrong string; what
/// <see cref="Get"/> returns is always the UTF-8 decoding of the bytes, whatever was read before. Use a pool only for
/// a small set of names that repeat across modules: names seen once would only evict the others, and a table too big for
/// the processor's caches costs a memory access per lookup, about what the decode it saves costs (measured: a pool of
/// imported symbol names, 16 K slots, saved 2 KB/module of allocation and no time).
/// </remarks>
internal sealed class NamePool(int slotBits, int maxLength)
{
    /// <summary>Section names: a few hundred in a kernel tree.</summary>
    public static readonly NamePool SectionNames = new(10, 48);

    /// <summary><c>.modinfo</c> keys: a handful (license, alias, depends, parm, vermagic…) in every module.</summary>
    public static readonly NamePool ModinfoKeys = new(6, 32);

    private readonly string?[] _slots = slotBits is >= 1 and <= 24 ? new string?[1 << slotBits] : throw new ArgumentOutOfRangeException(nameof(slotBits));

    /// <summary>The UTF-8 decoding of <paramref name="utf8"/>, shared when the pool already holds it.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > maxLength || utf8.IsEmpty)
        {
            return Text.CString.Decode(utf8);
        }

        ref string? slot = ref _slots[(int)(Hash(utf8) >> (64 - slotBits))];
        if (Volatile.Read(ref slot) is { } known && Ascii.Equals(utf8, known))
        {
            return known;
        }

        string name = Text.CString.Decode(utf8);
        Volatile.Write(ref slot, name);
        return name;
    }

    /// <summary>A multiplicative hash of one or more bytes, eight at a time (the last word overlaps the one before it).</summary>
    internal static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        ulong hash = (ulong)bytes.Length;
        if (bytes.Length < 8)
        {
            ulong head = bytes.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : bytes[0] | (ulong)bytes[^1] << 8 | (ulong)bytes[bytes.Length / 2] << 16;
            ulong tail = bytes.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]) : 0;
            hash = (hash ^ head ^ tail << 32) * Multiplier;
        }
        else
        {
            for (int at = 0; at + 8 < bytes.Length; at += 8)
            {
                hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..])) * Multiplier;
            }

            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[^8..])) * Multiplier;
        }

        return (hash ^ hash >> 29) * Multiplier;
    }
}
