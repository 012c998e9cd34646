using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.Lkm;

/// <summary>Which <c>struct lkm_any</c> header the descriptor uses.</summary>
internal enum LkmHeaderLayout
{
    /// <summary>16 bytes: lkm_type, lkm_ver, lkm_name, lkm_offset (NetBSD ≤ 1.x, OpenBSD, FreeBSD 2.x).</summary>
    Classic,
    /// <summary>24 bytes: lkm_type, lkm_name, lkm_offset, lkm_modver, lkm_sysver, lkm_envver (NetBSD 4.x).</summary>
    NetBsd4,
}

/// <summary>One word of the module descriptor.</summary>
/// <param name="Name">The field name in <c>lkm.h</c> (e.g. <c>lkm_sysent</c>).</param>
/// <param name="Offset">Offset in the descriptor.</param>
/// <param name="Value">The word stored in the file (for a relocated field: the in-place addend).</param>
/// <param name="Target">For a relocated (pointer) field: the symbol or <c>segment+offset</c> it points to; otherwise null.</param>
internal sealed record LkmField(string Name, int Offset, long Value, string? Target);

/// <summary>Facts only legacy LKMs have: the decoded module descriptor and the systems it may have been built for (the a.out header is the module's <see cref="KernelModule.ContainerDetails"/>).</summary>
public sealed class LkmModuleDetails : FlavorDetails
{
    internal LkmModuleDetails()
    {
    }

    /// <summary>The entry symbol (<c>*_lkmentry</c>, <c>_xxxinit</c> or FreeBSD <c>*_mod</c>), or null.</summary>
    public string? EntrySymbol { get; internal set; }
    /// <summary>The descriptor's symbol (<c>__module</c> or FreeBSD <c>*_mod_struct</c>), or null when found through a relocation.</summary>
    public string? DescriptorSymbol { get; internal set; }
    /// <summary>The descriptor's address in the object (data segment addresses include a_text), or null if not found.</summary>
    public ulong? DescriptorAddress { get; internal set; }
    /// <summary>The header layout, recognised by which word carries the name pointer's relocation.</summary>
    internal LkmHeaderLayout Layout { get; set; }
    /// <summary>lkm_type as stored.</summary>
    public long? RawType { get; internal set; }
    /// <summary>What the type number means, or <see cref="LkmModuleKind.Unknown"/> when it is undecided or invalid.</summary>
    public LkmModuleKind Kind { get; internal set; }
    /// <summary>The system whose numbering was applied: chosen explicitly, or the only one the file allows; null otherwise.</summary>
    public LkmOperatingSystem? OperatingSystem { get; internal set; }
    /// <summary>The systems the file is consistent with.</summary>
    public IReadOnlyList<LkmOperatingSystem> Candidates => CandidatesList;

    /// <summary>The list behind <see cref="Candidates"/>, which the reader fills.</summary>
    internal List<LkmOperatingSystem> CandidatesList { get; } = [];
    /// <summary>Why the candidates were narrowed (e.g. "FreeBSD host-order a_midmag").</summary>
    public IReadOnlyList<string> Evidence => EvidenceList;

    /// <summary>The list behind <see cref="Evidence"/>, which the reader fills.</summary>
    internal List<string> EvidenceList { get; } = [];
    /// <summary>lkm_ver (classic header) or lkm_modver (NetBSD 4): the LKM interface version compiled in.</summary>
    public long? InterfaceVersion { get; internal set; }
    /// <summary>lkm_sysver: the <c>__NetBSD_Version__</c> compiled in (NetBSD 4 only).</summary>
    public long? SystemVersion { get; internal set; }
    /// <summary>lkm_envver: the kernel option string compiled in (NetBSD 4 only).</summary>
    public string? EnvironmentVersion { get; internal set; }
    /// <summary>lkm_offset: the requested slot (syscall number, major, …); -1 asks the kernel to choose.</summary>
    public long? Slot { get; internal set; }
    /// <summary>For a classic LM_DEV descriptor: <c>block</c> or <c>char</c> (lkm_devtype).</summary>
    public string? DeviceType { get; internal set; }
    /// <summary>Every decoded descriptor word, header first, in offset order.</summary>
    internal IList<LkmField> Fields { get; } = new List<LkmField>();
}
