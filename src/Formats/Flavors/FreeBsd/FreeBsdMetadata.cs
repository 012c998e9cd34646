namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>The <c>md_type</c> of a FreeBSD <c>mod_metadata</c> record (<c>sys/sys/module.h</c>).</summary>
internal enum FreeBsdMetadataType
{
    /// <summary>MDT_DEPEND (1): a dependency with version bounds.</summary>
    Depend = 1,
    /// <summary>MDT_MODULE (2): a module the file declares (<c>moduledata_t</c>).</summary>
    Module = 2,
    /// <summary>MDT_VERSION (3): the version of an interface the file provides.</summary>
    Version = 3,
    /// <summary>MDT_PNP_INFO (4): a device-matching table.</summary>
    PnpInfo = 4,
}

/// <summary>A <c>mod_depend</c> payload: the acceptable versions of a dependency.</summary>
/// <param name="Minimum">md_ver_minimum.</param>
/// <param name="Preferred">md_ver_preferred.</param>
/// <param name="Maximum">md_ver_maximum.</param>
internal sealed record FreeBsdDependRange(int Minimum, int Preferred, int Maximum);

/// <summary>A <c>moduledata_t</c> payload of an MDT_MODULE record.</summary>
/// <param name="Name">The <c>name</c> field, or null when it is a NULL pointer.</param>
/// <param name="Handler">The event handler's symbol name, when known.</param>
/// <param name="HandlerAddress">The handler's address (section offset in ET_REL files), or null when the pointer is NULL or external.</param>
internal sealed record FreeBsdModuleData(string? Name, string? Handler, ulong? HandlerAddress);

/// <summary>One decoded <c>mod_metadata</c> record of the <c>modmetadata_set</c> linker set.</summary>
internal sealed class FreeBsdMetadataRecord
{
    /// <summary>Position in the linker set.</summary>
    public required int Index { get; init; }
    /// <summary>md_version (MDT_STRUCT_VERSION, 1).</summary>
    public required int StructVersion { get; init; }
    /// <summary>md_type as stored.</summary>
    public required int RawType { get; init; }
    /// <summary>md_type, when it is one of the known types.</summary>
    public FreeBsdMetadataType? Type => Enum.IsDefined(typeof(FreeBsdMetadataType), RawType) ? (FreeBsdMetadataType)RawType : null;
    /// <summary>md_cval: the module, interface, dependency or bus name.</summary>
    public required string Name { get; init; }
    /// <summary>Address of the record (section offset in ET_REL files).</summary>
    public ulong Address { get; init; }
    /// <summary>
    /// For an MDT_DEPEND record: the symbol naming it, <c>_mod_metadata_md_MODULE_on_DEPENDENCY</c> as
    /// <c>MODULE_DEPEND(MODULE, DEPENDENCY, …)</c> names it, which says the module that declares it; null when unknown.
    /// </summary>
    public string? Symbol { get; init; }
    /// <summary>The declaring module read from <see cref="Symbol"/>, or null.</summary>
    public string? DeclaredBy =>
        Symbol is { } s && s.StartsWith(DependPrefix, StringComparison.Ordinal) && s.EndsWith("_on_" + Name, StringComparison.Ordinal)
        && s.Length > DependPrefix.Length + 4 + Name.Length
            ? s[DependPrefix.Length..^(4 + Name.Length)]
            : null;

    private const string DependPrefix = "_mod_metadata_md_";
    /// <summary>The MDT_DEPEND payload.</summary>
    public FreeBsdDependRange? Depend { get; init; }
    /// <summary>The MDT_VERSION payload (mv_version).</summary>
    public int? Version { get; init; }
    /// <summary>The MDT_MODULE payload.</summary>
    public FreeBsdModuleData? Module { get; init; }
    /// <summary>The MDT_PNP_INFO payload.</summary>
    internal FreeBsdPnpInfo? Pnp { get; init; }
}
