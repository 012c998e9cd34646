using System.Globalization;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>
/// The decoded <c>mod_metadata</c> records of a FreeBSD module. Internal: what they mean is in the common model — the
/// modules and interfaces in <see cref="KernelModule.Provides"/> (each with the dependencies it declares), the file's
/// dependencies in <see cref="KernelModule.Dependencies"/>, the <c>kernel</c> range in
/// <see cref="KernelModule.TargetKernel"/>, the event handlers in <see cref="KernelModule.EntryPoints"/>, every record in
/// <see cref="KernelModule.Metadata"/>, ET_REL or ET_DYN in <see cref="KernelModule.FileKind"/>.
/// </summary>
internal sealed class FreeBsdModuleDetails : FlavorDetails
{
    /// <summary>The <c>mod_metadata</c> records, in the order of the <c>modmetadata_set</c> linker set.</summary>
    internal List<FreeBsdMetadataRecord> Records { get; } = [];

    /// <summary>The module names the file declares (MDT_MODULE), in set order.</summary>
    public IEnumerable<string> ModuleNames => Records.Where(r => r.Type == FreeBsdMetadataType.Module).Select(r => r.Name);

    /// <summary>The interfaces the file provides (MDT_VERSION, <c>MODULE_VERSION(name, version)</c>) with their versions, in set order.</summary>
    public IEnumerable<KeyValuePair<string, int>> Interfaces =>
        Records.Where(r => r.Type == FreeBsdMetadataType.Version && r.Version is not null).Select(r => new KeyValuePair<string, int>(r.Name, r.Version!.Value));

    /// <summary>
    /// The <c>kernel</c> dependency: the range of <c>__FreeBSD_version</c> the module loads on (minimum, maximum and
    /// preferred, as for any other dependency), or null.
    /// </summary>
    public ModuleDependency? Kernel => KernelRange is { } range
        ? new ModuleDependency("kernel", DependencyKind.Hard, Invariant(range.Minimum), Invariant(range.Maximum), Invariant(range.Preferred))
        : null;

    /// <summary>The <c>kernel</c> dependency as numbers, or null.</summary>
    internal FreeBsdDependRange? KernelRange { get; set; }

    /// <summary>True for an ET_DYN build (i386, arm64 and the others), false for ET_REL (amd64).</summary>
    public bool IsShared { get; internal set; }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
