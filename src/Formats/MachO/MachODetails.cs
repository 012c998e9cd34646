using LkmKit.Formats.Model;

namespace LkmKit.Formats.MachO;

/// <summary>Facts of a Mach-O image that the common model has no place for: slice, CPU, load commands, UUID, versions.</summary>
public sealed class MachODetails : ContainerDetails
{
    internal MachODetails()
    {
    }

    /// <summary>The parsed image (internal: the parsers are not public).</summary>
    internal MachOFile? File { get; init; }
    /// <summary>Architecture name as Apple's tools print it (<c>x86_64</c>, <c>arm64e</c>, <c>i386</c>).</summary>
    public required string ArchName { get; init; }
    /// <summary>The <c>cputype</c>.</summary>
    public uint CpuType { get; init; }
    /// <summary>The <c>cpusubtype</c> including feature bits.</summary>
    public uint CpuSubtype { get; init; }
    /// <summary>The raw <c>filetype</c>.</summary>
    public uint RawFileType { get; init; }
    /// <summary>The header <c>flags</c>.</summary>
    public uint Flags { get; init; }
    /// <summary>The slice of a fat file this image is, or null for a thin file.</summary>
    internal FatSlice? Slice { get; init; }
    /// <summary>Number of slices in the fat file (1 for a thin file).</summary>
    public int SliceCount { get; init; } = 1;
    /// <summary>The load command names, in order.</summary>
    public IReadOnlyList<string> LoadCommands { get; init; } = [];
    /// <summary>The segment names, in order.</summary>
    public IReadOnlyList<string> Segments { get; init; } = [];
    /// <summary>The LC_UUID value (canonical upper-case form), or null.</summary>
    public string? Uuid { get; init; }
    /// <summary>Platform and versions, or null when the image has no build-version or version-min command (real kexts have none).</summary>
    internal MachOBuildVersion? BuildVersion { get; init; }
    /// <summary>The LC_SOURCE_VERSION, or null.</summary>
    public string? SourceVersion { get; init; }
    /// <summary>The code signature's location (image offset and size), or null.</summary>
    internal MachOLinkeditData? CodeSignature { get; init; }
    /// <summary>The chained-fixups pointer formats (names), empty when the image has none.</summary>
    public IReadOnlyList<string> ChainedFixupFormats { get; init; } = [];
}
