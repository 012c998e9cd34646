namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>One record of a FreeBSD <c>linker.hints</c> file.</summary>
/// <param name="Offset">Offset of the record's length word in the file.</param>
/// <param name="Type">MDT_MODULE (2), MDT_VERSION (3) or MDT_PNP_INFO (4).</param>
/// <param name="Name">Module or interface name (MDT_MODULE/MDT_VERSION), or the bus (MDT_PNP_INFO).</param>
/// <param name="KldName">The file providing it (MDT_MODULE/MDT_VERSION), else null.</param>
/// <param name="Version">The interface version (MDT_VERSION), else null.</param>
/// <param name="PnpDescriptor">The converted PnP descriptor (MDT_PNP_INFO), else null.</param>
/// <param name="PnpEntries">The PnP table values (MDT_PNP_INFO), one list per entry.</param>
internal sealed record LinkerHintsRecord(
    long Offset,
    int Type,
    string Name,
    string? KldName,
    int? Version,
    string? PnpDescriptor,
    IReadOnlyList<IReadOnlyList<FreeBsdPnpValue>> PnpEntries);
