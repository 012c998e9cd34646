namespace LkmKit.Formats.Flavors.Kext;

/// <summary>The <c>kmod_info</c> structure compiled into a kext's executable.</summary>
/// <param name="Name">The compiled name (the kernel overwrites it with CFBundleIdentifier at load).</param>
/// <param name="Version">The compiled version (overwritten with CFBundleVersion at load).</param>
/// <param name="InfoVersion">The <c>info_version</c> field (1).</param>
/// <param name="Start">Address of the start routine, when it could be resolved.</param>
/// <param name="StartSymbol">Name of the start routine, when known.</param>
/// <param name="Stop">Address of the stop routine, when it could be resolved.</param>
/// <param name="StopSymbol">Name of the stop routine, when known.</param>
/// <param name="Address">Vm address of the structure.</param>
internal sealed record KmodInfo(string Name, string Version, int InfoVersion, ulong? Start, string? StartSymbol, ulong? Stop, string? StopSymbol, ulong Address);
