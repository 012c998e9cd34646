using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.Kext;

/// <summary>An IOKit personality of a kext, summarised.</summary>
/// <param name="Name">The personality's key in IOKitPersonalities.</param>
/// <param name="IOClass">The driver class (<c>IOClass</c>), if given.</param>
/// <param name="ProviderClass">The provider class (<c>IOProviderClass</c>), if given.</param>
/// <param name="Match">The matching keys it uses (<c>IONameMatch</c>, <c>IOPCIMatch</c>, …), with their values as text.</param>
public sealed record KextPersonality(string Name, string? IOClass, string? ProviderClass, IReadOnlyList<KeyValuePair<string, string>> Match);

/// <summary>
/// Facts of a macOS kernel extension from its bundle's Info.plist. The executable's <c>kmod_info</c> start and stop routines are the
/// module's <see cref="KernelModule.EntryPoints"/>; its Mach-O facts are the module's <see cref="KernelModule.ContainerDetails"/>.
/// </summary>
public sealed class KextDetails : FlavorDetails
{
    internal KextDetails()
    {
    }

    /// <summary>The compiled <c>kmod_info</c>, or null (codeless or interface kext).</summary>
    internal KmodInfo? KmodInfo { get; set; }
    /// <summary>The bundle directory, or null when a bare executable was read.</summary>
    public string? BundlePath { get; internal set; }
    /// <summary>CFBundleIdentifier of the bundle this one is a plug-in of, or null.</summary>
    public string? ParentBundle { get; internal set; }
    /// <summary>CFBundleIdentifier.</summary>
    public string? BundleIdentifier { get; internal set; }
    /// <summary>CFBundleVersion.</summary>
    public string? BundleVersion { get; internal set; }
    /// <summary>CFBundleShortVersionString.</summary>
    public string? ShortVersion { get; internal set; }
    /// <summary>CFBundlePackageType (<c>KEXT</c>).</summary>
    public string? PackageType { get; internal set; }
    /// <summary>CFBundleExecutable, or null for a codeless kext.</summary>
    public string? Executable { get; internal set; }
    /// <summary>OSBundleCompatibleVersion: present when the kext is a library.</summary>
    public string? CompatibleVersion { get; internal set; }
    /// <summary>OSBundleRequired.</summary>
    public string? Required { get; internal set; }
    /// <summary>Info.plist format: <c>xml</c> or <c>binary</c>.</summary>
    public string? PlistFormat { get; internal set; }
    /// <summary>True when the bundle declares no executable.</summary>
    public bool IsCodeless { get; internal set; }
    /// <summary>The IOKit personalities, in plist order.</summary>
    public IReadOnlyList<KextPersonality> Personalities => PersonalitiesList;

    /// <summary>The list behind <see cref="Personalities"/>, which the reader fills.</summary>
    internal List<KextPersonality> PersonalitiesList { get; } = [];
    /// <summary>Bundle paths of the kexts in <c>Contents/PlugIns</c>, in name order.</summary>
    public IReadOnlyList<string> PlugIns => PlugInsList;

    /// <summary>The list behind <see cref="PlugIns"/>, which the reader fills.</summary>
    internal List<string> PlugInsList { get; } = [];
}
