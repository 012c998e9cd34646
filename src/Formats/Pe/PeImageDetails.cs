using LkmKit.Formats.Model;

namespace LkmKit.Formats.Pe;

/// <summary>Facts of a PE image (driver or not) that the common model has no field for: COFF and optional header words, the version resource.</summary>
public sealed class PeImageDetails : ContainerDetails
{
    private readonly Lazy<IReadOnlyList<PeImportedModule>> _imports;
    private readonly Lazy<PeExportTable?> _exports;
    private readonly Lazy<PeVersionInfo?> _version;

    /// <summary>Creates the details of <paramref name="image"/>; its import, export and version tables are decoded on first use.</summary>
    internal PeImageDetails(PeImage image)
    {
        Image = image;
        _imports = new(() => PeImportReader.Read(image));
        _exports = new(() => PeExportReader.Read(image));
        _version = new(() => PeVersionResourceReader.Read(image));
    }

    /// <summary>The parsed image (internal: the parsers are not public).</summary>
    internal PeImage Image { get; }

    /// <summary>True for PE32+.</summary>
    public required bool Is64 { get; init; }
    /// <summary>COFF header Characteristics.</summary>
    public required ushort Characteristics { get; init; }
    /// <summary>COFF header TimeDateStamp.</summary>
    public required uint TimeDateStamp { get; init; }
    /// <summary>Optional header Subsystem (1 = native).</summary>
    public required ushort Subsystem { get; init; }
    /// <summary>Short name of <see cref="Subsystem"/>.</summary>
    public required string SubsystemName { get; init; }
    /// <summary>Optional header DllCharacteristics.</summary>
    public required ushort DllCharacteristics { get; init; }
    /// <summary>Preferred load address.</summary>
    public required ulong ImageBase { get; init; }
    /// <summary>AddressOfEntryPoint (an RVA; 0 when the image has no entry).</summary>
    public required uint EntryPointRva { get; init; }
    /// <summary>Name of the section holding the entry point, or null.</summary>
    public string? EntryPointSection { get; init; }
    /// <summary>SectionAlignment.</summary>
    public required uint SectionAlignment { get; init; }
    /// <summary>FileAlignment.</summary>
    public required uint FileAlignment { get; init; }
    /// <summary>SizeOfImage.</summary>
    public required uint SizeOfImage { get; init; }
    /// <summary>The stored CheckSum (not recomputed).</summary>
    public required uint CheckSum { get; init; }
    /// <summary>Imports grouped by DLL, in descriptor order (decoded on first use; a malformed table throws then).</summary>
    internal IReadOnlyList<PeImportedModule> ImportedModules => _imports.Value;
    /// <summary>The export directory, or null (decoded on first use; a malformed table throws then).</summary>
    internal PeExportTable? ExportTable => _exports.Value;
    /// <summary>The version resource, or null (decoded on first use; a malformed resource throws then).</summary>
    internal PeVersionInfo? VersionInfo => _version.Value;
    /// <summary>The version resource's fixed file version (<c>a.b.c.d</c>), or null; its strings are the module's <see cref="KernelModule.Metadata"/>.</summary>
    public string? FileVersion => VersionInfo?.FileVersion;
    /// <summary>The version resource's fixed product version (<c>a.b.c.d</c>), or null.</summary>
    public string? ProductVersion => VersionInfo?.ProductVersion;
}
