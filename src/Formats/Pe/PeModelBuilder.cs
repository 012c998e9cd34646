using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Pe;

/// <summary>Turns a <see cref="PeImage"/>'s sections and base relocations into the common model.</summary>
internal static class PeModelBuilder
{
    /// <summary>The name of the single, image-wide relocation table the model exposes.</summary>
    public const string RelocationTableName = ".reloc";

    private const uint ScnUninitializedData = 0x80;
    private const uint ScnMemExecute = 0x20000000;
    private const uint ScnMemWrite = 0x80000000;

    /// <summary>
    /// Creates the module shell: identity from the headers, the section table (addresses are RVAs, the index is the
    /// 0-based position in the table), no symbols (images keep none the loader uses), and the base relocations as one
    /// image-wide table (offsets are RVAs), decoded on first use.
    /// </summary>
    public static KernelModule CreateModule(PeImage image, ModuleSource? source)
    {
        ushort rawMachine = (ushort)image.Headers.CoffHeader.Machine;
        var machine = PeNames.Machine(rawMachine);
        return new KernelModule
        {
            Path = image.Path,
            Container = ContainerFormat.Pe,
            Machine = machine,
            RawMachine = rawMachine,
            Bits = image.Is64 ? 64 : 32,
            ByteOrder = ByteOrder.LittleEndian,
            FileKind = ModuleFileKind.PeImage,
            FileType = image.Is64 ? "PE32+" : "PE32",
            Compression = source?.Compression ?? CompressionKind.None,
            FileSize = image.Data.Length,
            ContainerDetails = CreateDetails(image),
            Sections = BuildSections(image),
            Symbols = [],
            RelocationSections = new LazyList<ModuleRelocationSection>(() => BuildRelocations(image, machine)),
        };
    }

    private static PeImageDetails CreateDetails(PeImage image)
    {
        var header = image.Header;
        uint entry = (uint)header.AddressOfEntryPoint;
        int entrySection = entry != 0 ? image.FindSection(entry) : -1;
        return new PeImageDetails(image)
        {
            Is64 = image.Is64,
            Characteristics = (ushort)image.Headers.CoffHeader.Characteristics,
            TimeDateStamp = unchecked((uint)image.Headers.CoffHeader.TimeDateStamp),
            Subsystem = (ushort)header.Subsystem,
            SubsystemName = PeNames.Subsystem(header.Subsystem),
            DllCharacteristics = (ushort)header.DllCharacteristics,
            ImageBase = header.ImageBase,
            EntryPointRva = entry,
            EntryPointSection = entrySection >= 0 ? image.Headers.SectionHeaders[entrySection].Name : null,
            SectionAlignment = (uint)header.SectionAlignment,
            FileAlignment = (uint)header.FileAlignment,
            SizeOfImage = (uint)header.SizeOfImage,
            CheckSum = header.CheckSum,
        };
    }

    private static ModuleSection[] BuildSections(PeImage image)
    {
        var headers = image.Headers.SectionHeaders;
        var result = new ModuleSection[headers.Length];
        for (int i = 0; i < result.Length; i++)
        {
            var s = headers[i];
            uint flags = (uint)s.SectionCharacteristics;
            uint stored = PeImage.StoredSize(s);
            bool hasContents = stored > 0 && (flags & ScnUninitializedData) == 0;
            result[i] = new ModuleSection
            {
                Index = i,
                Name = s.Name,
                RawType = flags & 0xE0,
                TypeName = PeNames.SectionType(flags),
                RawFlags = flags,
                Address = (uint)s.VirtualAddress,
                FileOffset = (uint)s.PointerToRawData,
                Size = s.VirtualSize != 0 ? (uint)s.VirtualSize : (uint)s.SizeOfRawData,
                Alignment = (uint)Math.Max(1, image.Header.SectionAlignment),
                IsAllocated = true,
                IsWritable = (flags & ScnMemWrite) != 0,
                IsExecutable = (flags & ScnMemExecute) != 0,
                HasContents = hasContents,
                Data = hasContents ? image.Data.Slice(s.PointerToRawData, (int)stored) : ReadOnlyMemory<byte>.Empty,
            };
        }

        return result;
    }

    private static ModuleRelocationSection[] BuildRelocations(PeImage image, MachineArchitecture machine)
    {
        var relocations = PeBaseRelocationReader.Read(image, machine);
        if (relocations.Count == 0)
        {
            return [];
        }

        uint rva = (uint)image.Header.BaseRelocationTableDirectory.RelativeVirtualAddress;
        return
        [
            new ModuleRelocationSection
            {
                Name = RelocationTableName,
                Index = image.FindSection(rva),
                TargetSectionIndex = -1,
                Relocations = relocations,
            },
        ];
    }
}
