using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Pe;

/// <summary>
/// Reads the base-relocation directory: blocks of {PageRVA u32, BlockSize u32 (header included), u16 entries},
/// each entry = type (high 4 bits) and offset in the page (low 12 bits).
/// </summary>
internal static class PeBaseRelocationReader
{
    private const int DirectoryIndex = 5;
    private const int BlockHeaderSize = 8;

    /// <summary>
    /// Every entry as a model relocation: <see cref="ModuleRelocation.Offset"/> is the RVA patched, the kind
    /// <see cref="RelocationKind.BaseRelative"/> (<see cref="RelocationKind.None"/> for ABSOLUTE padding), the raw type the
    /// IMAGE_REL_BASED_* number. A HIGHADJ entry's parameter slot (the low 16 bits of the value) becomes its addend.
    /// </summary>
    /// <exception cref="ModuleFormatException">The directory lies outside the sections, or a block is shorter than its header or runs past the directory.</exception>
    public static IReadOnlyList<ModuleRelocation> Read(PeImage image, MachineArchitecture machine)
    {
        var directory = image.Header.BaseRelocationTableDirectory;
        if (directory.RelativeVirtualAddress == 0 || directory.Size == 0)
        {
            return [];
        }

        var reader = image.Reader;
        var data = image.Slice((uint)directory.RelativeVirtualAddress, (uint)directory.Size, "PE base relocation directory",
            image.DirectoryEntryOffset(DirectoryIndex), out int dataOffset);
        var relocations = new List<ModuleRelocation>(data.Length / 2);
        int at = 0;
        while (at < data.Length)
        {
            if (data.Length - at < BlockHeaderSize)
            {
                throw new ModuleFormatException(image.Path, dataOffset + at, "PE base relocation block",
                    $"{data.Length - at} bytes left in the directory, too few for a block header");
            }

            uint page = reader.U32(data, at);
            uint blockSize = reader.U32(data, at + 4);
            if (blockSize < BlockHeaderSize || blockSize % 2 != 0)
            {
                throw new ModuleFormatException(image.Path, dataOffset + at + 4, "PE base relocation block",
                    $"block size {blockSize} is below the 8-byte header or odd");
            }

            if (blockSize > (uint)(data.Length - at))
            {
                throw new ModuleFormatException(image.Path, dataOffset + at + 4, "PE base relocation block",
                    $"block size {blockSize} runs past the end of the directory ({data.Length - at} bytes left)");
            }

            int end = at + (int)blockSize;
            for (int e = at + BlockHeaderSize; e < end; e += 2)
            {
                ushort entry = reader.U16(data, e);
                uint type = (uint)(entry >> 12);
                uint rva = unchecked(page + (uint)(entry & 0xFFF));
                long addend = 0;
                if (type == PeBaseRelocationTypes.HighAdj)
                {
                    if (e + 2 >= end)
                    {
                        throw new ModuleFormatException(image.Path, dataOffset + e, "PE base relocation block",
                            "a HIGHADJ entry is the last in its block, with no parameter slot");
                    }

                    e += 2;
                    addend = reader.U16(data, e);
                }

                var kind = type == PeBaseRelocationTypes.Absolute ? RelocationKind.None : RelocationKind.BaseRelative;
                relocations.Add(new ModuleRelocation(rva, 0, kind, PeBaseRelocationTypes.Width(machine, type), addend,
                    AddendIsImplicit: false, machine, type));
            }

            at = end;
        }

        return relocations;
    }
}
