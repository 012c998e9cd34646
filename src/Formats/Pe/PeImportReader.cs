using LkmKit.Formats.IO;

namespace LkmKit.Formats.Pe;

/// <summary>One function imported from a DLL or kernel image.</summary>
/// <param name="Name">The imported name, or null when imported by ordinal.</param>
/// <param name="Ordinal">The ordinal, when imported by ordinal.</param>
/// <param name="Hint">The hint (index into the exporter's name table) stored with a by-name import.</param>
internal sealed record PeImportedFunction(string? Name, ushort? Ordinal, ushort Hint);

/// <summary>The functions imported from one DLL or kernel image, in descriptor order.</summary>
/// <param name="Module">The DLL name as stored (case kept).</param>
/// <param name="Functions">The functions, in thunk order.</param>
internal sealed record PeImportedModule(string Module, IReadOnlyList<PeImportedFunction> Functions);

/// <summary>Reads the import directory: IMAGE_IMPORT_DESCRIPTORs (20 bytes, ending with an all-zero one) and their thunks.</summary>
internal static class PeImportReader
{
    private const int DirectoryIndex = 1;
    private const int DescriptorSize = 20;

    /// <summary>Reads every import descriptor; an image without an import directory has none.</summary>
    /// <exception cref="ModuleFormatException">A descriptor, thunk table or name lies outside the image's sections or is unterminated.</exception>
    public static IReadOnlyList<PeImportedModule> Read(PeImage image)
    {
        var directory = image.Header.ImportTableDirectory;
        if (directory.RelativeVirtualAddress == 0)
        {
            return [];
        }

        var reader = image.Reader;
        int entry = image.DirectoryEntryOffset(DirectoryIndex);
        var table = image.Rest((uint)directory.RelativeVirtualAddress, "PE import directory", entry, out int tableOffset);
        var modules = new List<PeImportedModule>();
        for (int at = 0; ; at += DescriptorSize)
        {
            if (table.Length - at < DescriptorSize)
            {
                throw new ModuleFormatException(image.Path, tableOffset + at, "PE import directory",
                    "the descriptor table has no all-zero terminator before the end of its section");
            }

            var descriptor = table.Slice(at, DescriptorSize);
            if (descriptor.IndexOfAnyExcept((byte)0) < 0)
            {
                return modules;
            }

            uint lookup = reader.U32(descriptor, 0);
            uint nameRva = reader.U32(descriptor, 12);
            uint addressTable = reader.U32(descriptor, 16);
            long descriptorOffset = tableOffset + at;
            string name = image.ReadAsciiZ(nameRva, $"PE import descriptor {modules.Count} name", descriptorOffset + 12);
            uint thunks = lookup != 0 ? lookup : addressTable;
            long thunkField = descriptorOffset + (lookup != 0 ? 0 : 16);
            modules.Add(new PeImportedModule(name, ReadThunks(image, thunks, name, thunkField)));
        }
    }

    private static List<PeImportedFunction> ReadThunks(PeImage image, uint rva, string module, long fieldOffset)
    {
        var reader = image.Reader;
        int size = image.Is64 ? 8 : 4;
        ulong ordinalFlag = image.Is64 ? 1UL << 63 : 1UL << 31;
        string structure = $"PE import thunks of {module}";
        var thunks = image.Rest(rva, structure, fieldOffset, out int thunksOffset);
        var functions = new List<PeImportedFunction>();
        for (int at = 0; ; at += size)
        {
            if (thunks.Length - at < size)
            {
                throw new ModuleFormatException(image.Path, thunksOffset + at, structure,
                    "the thunk table has no zero terminator before the end of its section");
            }

            ulong thunk = reader.Word(thunks, at, image.Is64);
            if (thunk == 0)
            {
                return functions;
            }

            if ((thunk & ordinalFlag) != 0)
            {
                functions.Add(new PeImportedFunction(null, (ushort)thunk, 0));
                continue;
            }

            if (thunk > uint.MaxValue)
            {
                throw new ModuleFormatException(image.Path, thunksOffset + at, structure, $"thunk 0x{thunk:x} is neither an ordinal nor a 32-bit RVA");
            }

            uint hintRva = (uint)thunk;
            var hint = image.Slice(hintRva, 2, structure + " hint", thunksOffset + at, out _);
            string name = image.ReadAsciiZ(hintRva + 2, structure + " name", thunksOffset + at);
            functions.Add(new PeImportedFunction(name, null, reader.U16(hint, 0)));
        }
    }
}
