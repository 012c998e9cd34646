using LkmKit.Formats.Model;

namespace LkmKit.Formats.Pe;

/// <summary>Facts of a PE image (driver or not) that the common model has no field for.</summary>
public sealed class PeImageDetails : FlavorDetails
{
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
    /// <summary>Imports grouped by DLL, in descriptor order.</summary>
    internal IReadOnlyList<PeImportedModule> ImportedModules { get; init; } = [];
    /// <summary>The export directory, or null.</summary>
    internal PeExportTable? ExportTable { get; init; }
    /// <summary>The version resource, or null.</summary>
    public PeVersionInfo? VersionInfo { get; init; }
}
