using LkmKit.Formats.IO;

namespace LkmKit.Formats.Pe;

/// <summary>One exported function.</summary>
/// <param name="Name">The exported name, or null for an ordinal-only export.</param>
/// <param name="Ordinal">The biased ordinal (ordinal base + index).</param>
/// <param name="Rva">The function's RVA (for a forwarder: the RVA of the forwarder string).</param>
/// <param name="Forwarder">The <c>DLL.Function</c> forwarder string, when the entry forwards.</param>
internal sealed record PeExportedFunction(string? Name, uint Ordinal, uint Rva, string? Forwarder);

/// <summary>The export directory: the image's own name and its exports.</summary>
/// <param name="ModuleName">The DLL name the linker recorded.</param>
/// <param name="Functions">Named exports in name-table order, then ordinal-only exports in ordinal order.</param>
internal sealed record PeExportTable(string ModuleName, IReadOnlyList<PeExportedFunction> Functions);

/// <summary>Reads the IMAGE_EXPORT_DIRECTORY (40 bytes) and its address, name and ordinal tables.</summary>
internal static class PeExportReader
{
    private const int DirectoryIndex = 0;
    private const int DirectorySize = 40;

    /// <summary>Reads the export directory, or null when the image has none.</summary>
    /// <exception cref="ModuleFormatException">A table lies outside the image's sections or an ordinal is out of range.</exception>
    public static PeExportTable? Read(PeImage image)
    {
        var directory = image.Header.ExportTableDirectory;
        if (directory.RelativeVirtualAddress == 0)
        {
            return null;
        }

        var reader = image.Reader;
        uint dirRva = (uint)directory.RelativeVirtualAddress;
        var header = image.Slice(dirRva, DirectorySize, "PE export directory", image.DirectoryEntryOffset(DirectoryIndex), out int at);
        string moduleName = image.ReadAsciiZ(reader.U32(header, 12), "PE export directory name", at + 12);
        uint ordinalBase = reader.U32(header, 16);
        uint functionCount = reader.U32(header, 20);
        uint nameCount = reader.U32(header, 24);
        var addresses = image.Slice(reader.U32(header, 28), functionCount * 4UL, "PE export address table", at + 28, out _);
        var names = image.Slice(reader.U32(header, 32), nameCount * 4UL, "PE export name table", at + 32, out int namesAt);
        var ordinals = image.Slice(reader.U32(header, 36), nameCount * 2UL, "PE export ordinal table", at + 36, out int ordinalsAt);

        var functions = new List<PeExportedFunction>((int)Math.Min(nameCount, functionCount));
        var named = new bool[functionCount];
        for (int i = 0; i < nameCount; i++)
        {
            ushort index = reader.U16(ordinals, i * 2);
            if (index >= functionCount)
            {
                throw new ModuleFormatException(image.Path, ordinalsAt + i * 2, "PE export ordinal table",
                    $"ordinal index {index} is not below the function count {functionCount}");
            }

            named[index] = true;
            string name = image.ReadAsciiZ(reader.U32(names, i * 4), $"PE export name {i}", namesAt + i * 4);
            functions.Add(Function(image, name, index, ordinalBase, addresses, dirRva, (uint)directory.Size));
        }

        for (int index = 0; index < functionCount; index++)
        {
            if (!named[index] && reader.U32(addresses, index * 4) != 0)
            {
                functions.Add(Function(image, null, index, ordinalBase, addresses, dirRva, (uint)directory.Size));
            }
        }

        return new PeExportTable(moduleName, functions);
    }

    private static PeExportedFunction Function(PeImage image, string? name, int index, uint ordinalBase,
        ReadOnlySpan<byte> addresses, uint dirRva, uint dirSize)
    {
        uint rva = image.Reader.U32(addresses, index * 4);
        bool forwards = rva >= dirRva && rva - dirRva < dirSize;
        string? forwarder = forwards ? image.ReadAsciiZ(rva, "PE export forwarder", image.DirectoryEntryOffset(DirectoryIndex)) : null;
        return new PeExportedFunction(name, unchecked(ordinalBase + (uint)index), rva, forwarder);
    }
}
