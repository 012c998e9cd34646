using System.Buffers.Binary;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.MachO;

/// <summary>One slice of a fat (universal) file.</summary>
/// <param name="Index">Position in the fat header (0-based).</param>
/// <param name="CpuType">The slice's <c>cputype</c> as the fat header states it.</param>
/// <param name="CpuSubtype">The slice's <c>cpusubtype</c> as the fat header states it.</param>
/// <param name="Offset">File offset of the slice.</param>
/// <param name="Size">Size of the slice.</param>
/// <param name="Align">Alignment as a power of two.</param>
internal readonly record struct FatSlice(int Index, uint CpuType, uint CpuSubtype, long Offset, long Size, uint Align)
{
    /// <summary>The architecture name (<c>x86_64</c>, <c>arm64e</c>, …).</summary>
    public string ArchName => MachONames.ArchName(CpuType, CpuSubtype);
}

/// <summary>
/// The fat (universal) header: always big-endian, 32-bit (<c>0xCAFEBABE</c>) or 64-bit (<c>0xCAFEBABF</c>) slice
/// records. <c>0xCAFEBABE</c> is also the Java class-file magic, so the slice count and every slice's bounds are
/// checked before a file is taken for fat.
/// </summary>
internal static class FatFile
{
    /// <summary>Most slices accepted; Java class files have a version ≥ 45 in the same word.</summary>
    public const uint MaxSlices = 32;

    /// <summary>True when <paramref name="head"/> starts like a fat file with a plausible slice count.</summary>
    public static bool IsFat(ReadOnlySpan<byte> head)
    {
        if (head.Length < 8)
        {
            return false;
        }

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(head);
        uint count = BinaryPrimitives.ReadUInt32BigEndian(head[4..]);
        return magic is MachOConstants.FatMagic or MachOConstants.FatMagic64 && count is > 0 and <= MaxSlices;
    }

    /// <summary>Reads the slice table, checking that every slice lies inside the file and that no two overlap.</summary>
    /// <exception cref="ModuleFormatException">The header or a slice is malformed.</exception>
    public static IReadOnlyList<FatSlice> ReadSlices(ReadOnlySpan<byte> data, string path)
    {
        var reader = new EndianReader(path, true);
        if (data.Length < 8)
        {
            throw new ModuleFormatException(path, 0, "fat header", "file is shorter than the 8-byte fat header");
        }

        uint magic = reader.U32(data, 0);
        uint count = reader.U32(data, 4);
        bool is64 = magic == MachOConstants.FatMagic64;
        if (count == 0 || count > MaxSlices)
        {
            throw new ModuleFormatException(path, 4, "fat header", $"nfat_arch {count} is not a plausible slice count (1..{MaxSlices})");
        }

        int entrySize = is64 ? 32 : 20;
        reader.CheckRange(data, 8, (ulong)count * (ulong)entrySize, "fat_arch table", 4);
        var slices = new List<FatSlice>((int)count);
        for (int i = 0; i < count; i++)
        {
            int at = 8 + i * entrySize;
            uint cpu = reader.U32(data, at), sub = reader.U32(data, at + 4);
            ulong offset = is64 ? reader.U64(data, at + 8) : reader.U32(data, at + 8);
            ulong size = is64 ? reader.U64(data, at + 16) : reader.U32(data, at + 12);
            uint align = reader.U32(data, at + (is64 ? 24 : 16));
            string what = $"fat_arch {i} ({MachONames.ArchName(cpu, sub)})";
            if (offset < (ulong)(8 + count * entrySize))
            {
                throw new ModuleFormatException(path, at + 8, what, $"slice offset 0x{offset:x} lies inside the fat header");
            }

            reader.CheckRange(data, offset, size, what + " slice", at + 8);
            if (align > 31)
            {
                throw new ModuleFormatException(path, at + (is64 ? 24 : 16), what, $"alignment 2^{align} is impossible");
            }

            slices.Add(new FatSlice(i, cpu, sub, (long)offset, (long)size, align));
        }

        var ordered = slices.OrderBy(s => s.Offset).ToList();
        for (int i = 1; i < ordered.Count; i++)
        {
            var a = ordered[i - 1];
            var b = ordered[i];
            if (b.Offset < a.Offset + a.Size)
            {
                throw new ModuleFormatException(path, 8 + b.Index * entrySize + 8, $"fat_arch {b.Index} ({b.ArchName})",
                    $"slice 0x{b.Offset:x}+0x{b.Size:x} overlaps slice {a.Index} ({a.ArchName}) at 0x{a.Offset:x}+0x{a.Size:x}");
            }
        }

        return slices;
    }
}
