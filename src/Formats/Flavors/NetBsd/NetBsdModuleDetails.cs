using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.NetBsd;

/// <summary>How <c>mi_required</c> was encoded: NetBSD treats a NULL pointer and an empty string alike.</summary>
internal enum NetBsdRequiredEncoding
{
    /// <summary>A NULL pointer: no dependencies.</summary>
    Null,
    /// <summary>A pointer to <c>""</c>: no dependencies.</summary>
    Empty,
    /// <summary>A comma-separated list of module names.</summary>
    List,
}

/// <summary>One property of a module's <c>.prop</c> file (proplib XML), flattened to a path and a value.</summary>
/// <param name="Key">The key path (nested dictionaries joined with '.', array items as <c>[i]</c>).</param>
/// <param name="Type">The proplib type: string, integer, bool, data, array or dict.</param>
/// <param name="Value">The value as text (integers as written, booleans as true/false, data as base64).</param>
public sealed record NetBsdProperty(string Key, string Type, string Value);

/// <summary>Facts only NetBSD modules have: the decoded <c>modinfo_t</c>, the properties file and RCS ids.</summary>
public sealed class NetBsdModuleDetails : FlavorDetails
{
    internal NetBsdModuleDetails()
    {
    }

    /// <summary>mi_version: the <c>__NetBSD_Version__</c> the module was built for.</summary>
    public uint RawVersion { get; internal set; }
    /// <summary>mi_version decoded (e.g. <c>10.0</c>, <c>9.3</c>, <c>10.99.10</c>).</summary>
    public string OsVersion => NetBsdVersion.Format(RawVersion);
    /// <summary>mi_class as stored.</summary>
    public int RawClass { get; internal set; }
    /// <summary>mi_class by name (any, misc, vfs, driver, exec, secmodel, bufq), or <c>class N</c>.</summary>
    public string Class => NetBsdVersion.ClassName(RawClass);
    /// <summary>The symbol of mi_modcmd, when known.</summary>
    public string? ModuleCommand { get; internal set; }
    /// <summary>mi_required as stored (null for a NULL pointer).</summary>
    public string? Required { get; internal set; }
    /// <summary>How mi_required was encoded.</summary>
    internal NetBsdRequiredEncoding RequiredEncoding { get; set; }
    /// <summary>The symbol naming the <c>modinfo_t</c> (usually local <c>NAME_modinfo</c>), when one is defined there.</summary>
    public string? ModinfoSymbol { get; internal set; }
    /// <summary>The <c>NAME.prop</c> file next to the module, if one was found.</summary>
    public string? PropertiesPath { get; internal set; }
    /// <summary>The properties of the <c>.prop</c> file, in file order.</summary>
    public IReadOnlyList<NetBsdProperty> Properties => PropertiesList;

    /// <summary>The list behind <see cref="Properties"/>, which the reader fills.</summary>
    internal List<NetBsdProperty> PropertiesList { get; } = [];
    /// <summary>The <c>$NetBSD: …$</c> RCS ids found in <c>.ident</c> (secondary evidence).</summary>
    public IReadOnlyList<string> RcsIds => RcsIdsList;

    /// <summary>The list behind <see cref="RcsIds"/>, which the reader fills.</summary>
    internal List<string> RcsIdsList { get; } = [];
}
