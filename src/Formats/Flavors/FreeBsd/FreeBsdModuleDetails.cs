using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>Facts only FreeBSD modules have: every metadata record of the file, in linker-set order.</summary>
public sealed class FreeBsdModuleDetails : FlavorDetails
{
    /// <summary>The <c>mod_metadata</c> records, in the order of the <c>modmetadata_set</c> linker set.</summary>
    public IList<FreeBsdMetadataRecord> Records { get; } = new List<FreeBsdMetadataRecord>();
    /// <summary>The module names the file declares (MDT_MODULE), in set order.</summary>
    public IEnumerable<string> ModuleNames => Records.Where(r => r.Type == FreeBsdMetadataType.Module).Select(r => r.Name);
    /// <summary>The <c>kernel</c> dependency: the range of <c>__FreeBSD_version</c> the module loads on, or null.</summary>
    public FreeBsdDependRange? Kernel { get; set; }
    /// <summary>True for an ET_DYN build (i386, arm64 and the others), false for ET_REL (amd64).</summary>
    public bool IsShared { get; set; }
}
