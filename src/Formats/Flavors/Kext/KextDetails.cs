using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.Kext;

/// <summary>An IOKit personality of a kext, summarised.</summary>
/// <param name="Name">The personality's key in IOKitPersonalities.</param>
/// <param name="IOClass">The driver class (<c>IOClass</c>), if given.</param>
/// <param name="ProviderClass">The provider class (<c>IOProviderClass</c>), if given.</param>
/// <param name="Match">The matching keys it uses (<c>IONameMatch</c>, <c>IOPCIMatch</c>, …), with their values as text.</param>
public sealed record KextPersonality(string Name, string? IOClass, string? ProviderClass, IReadOnlyList<KeyValuePair<string, string>> Match);

/// <summary>Facts of a macOS kernel extension: its bundle's Info.plist and its executable's kmod_info (the Mach-O facts are the module's <see cref="KernelModule.ContainerDetails"/>).</summary>
public sealed class KextDetails : FlavorDetails
{
    /// <summary>The compiled <c>kmod_info</c>, or null (codeless or interface kext).</summary>
    internal KmodInfo? KmodInfo { get; set; }
    /// <summary>The bundle directory, or null when a bare executable was read.</summary>
    public string? BundlePath { get; set; }
    /// <summary>CFBundleIdentifier of the bundle this one is a plug-in of, or null.</summary>
    public string? ParentBundle { get; set; }
    /// <summary>CFBundleIdentifier.</summary>
    public string? BundleIdentifier { get; set; }
    /// <summary>CFBundleVersion.</summary>
    public string? BundleVersion { get; set; }
    /// <summary>CFBundleShortVersionString.</summary>
    public string? ShortVersion { get; set; }
    /// <summary>CFBundlePackageType (<c>KEXT</c>).</summary>
    public string? PackageType { get; set; }
    /// <summary>CFBundleExecutable, or null for a codeless kext.</summary>
    public string? Executable { get; set; }
    /// <summary>OSBundleCompatibleVersion: present when the kext is a library.</summary>
    public string? CompatibleVersion { get; set; }
    /// <summary>OSBundleRequired.</summary>
    public string? Required { get; set; }
    /// <summary>Info.plist format: <c>xml</c> or <c>binary</c>.</summary>
    public string? PlistFormat { get; set; }
    /// <summary>True when the bundle declares no executable.</summary>
    public bool IsCodeless { get; set; }
    /// <summary>The IOKit personalities, in plist order.</summary>
    public IList<KextPersonality> Personalities { get; } = new List<KextPersonality>();
    /// <summary>Bundle paths of the kexts in <c>Contents/PlugIns</c>, in name order.</summary>
    public IList<string> PlugIns { get; } = new List<string>();
}
