using System.Globalization;
using LkmKit.Formats.Model;
using LkmKit.Formats.PropertyLists;

namespace LkmKit.Formats.Flavors.Kext;

/// <summary>
/// A kext's Info.plist, read into the model: identity, version, libraries (with the arch-specific override for
/// OS*/IO* keys), compatible version, required-at-boot, personalities and every top-level key as raw metadata.
/// </summary>
internal sealed class KextInfoPlist
{
    private readonly PlistDictionary _root;

    private KextInfoPlist(PlistDictionary root, string format)
    {
        _root = root;
        Format = format;
    }

    /// <summary><c>xml</c> or <c>binary</c>.</summary>
    public string Format { get; }
    /// <summary>CFBundleIdentifier.</summary>
    public string? Identifier => _root.GetString("CFBundleIdentifier");
    /// <summary>CFBundleVersion.</summary>
    public string? Version => _root.GetString("CFBundleVersion");
    /// <summary>CFBundleExecutable (never arch-specific).</summary>
    public string? Executable => _root.GetString("CFBundleExecutable");

    /// <summary>Reads and parses the plist file at <paramref name="path"/>.</summary>
    /// <exception cref="ModuleFormatException">The plist is malformed or its root is not a dictionary.</exception>
    public static KextInfoPlist Load(string path)
    {
        const long MaxSize = 64 << 20;
        long size = new FileInfo(path).Length;
        if (size > MaxSize)
        {
            throw new ModuleFormatException(path, 0, "Info.plist", $"file of {size} bytes is larger than the {MaxSize >> 20} MiB accepted");
        }

        var root = PropertyList.Parse(File.ReadAllBytes(path), path, "Info.plist", out string format);
        return root is PlistDictionary dict ? new KextInfoPlist(dict, format)
            : throw new ModuleFormatException(path, 0, "Info.plist", $"the top object is a {root.GetType().Name}, not a dictionary");
    }

    /// <summary>Looks <paramref name="key"/> up as the kernel does: OS*/IO* keys try <c>key_arch</c> first.</summary>
    public object? Get(string key, string? arch)
    {
        if (arch is not null && (key.StartsWith("OS", StringComparison.Ordinal) || key.StartsWith("IO", StringComparison.Ordinal))
            && key is not ("OSBundleIsInterface" or "OSKernelResource")
            && _root.TryGetValue($"{key}_{arch}", out var specific))
        {
            return specific;
        }

        return _root.TryGetValue(key, out var value) ? value : null;
    }

    /// <summary>Fills <paramref name="module"/> and <paramref name="details"/> from the plist; <paramref name="arch"/> picks arch-specific keys.</summary>
    public void Apply(KernelModule module, KextDetails details, string? arch)
    {
        details.PlistFormat = Format;
        details.BundleIdentifier = Identifier;
        details.BundleVersion = Version;
        details.ShortVersion = _root.GetString("CFBundleShortVersionString");
        details.PackageType = _root.GetString("CFBundlePackageType");
        details.Executable = Executable;
        details.IsCodeless = Executable is null;
        details.CompatibleVersion = Get("OSBundleCompatibleVersion", arch) as string;
        details.Required = Get("OSBundleRequired", arch) as string;
        module.Name = Identifier ?? module.Name;
        module.Version = Version ?? module.Version;
        module.Description = _root.GetString("CFBundleName");
        CheckVersion(module, "CFBundleVersion", Version, required: true);
        CheckVersion(module, "OSBundleCompatibleVersion", details.CompatibleVersion, required: false);
        if (details.CompatibleVersion is not null && KextVersion.Compare(details.CompatibleVersion, Version) > 0)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                $"OSBundleCompatibleVersion {details.CompatibleVersion} is greater than CFBundleVersion {Version}"));
        }

        if (Identifier is null)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Error, "Info.plist has no CFBundleIdentifier"));
        }

        if (Get("OSBundleLibraries", arch) is PlistDictionary libraries)
        {
            foreach (var id in libraries.OrderedKeys)
            {
                string? requested = libraries[id] as string;
                CheckVersion(module, $"OSBundleLibraries {id}", requested, required: true);
                module.DependenciesList.Add(new ModuleDependency(id, DependencyKind.Hard, MinimumVersion: requested));
            }
        }

        if (Get("IOKitPersonalities", arch) is PlistDictionary personalities)
        {
            foreach (var name in personalities.OrderedKeys)
            {
                if (personalities[name] is PlistDictionary p)
                {
                    var match = p.OrderedKeys.Where(k => k.EndsWith("Match", StringComparison.Ordinal) || k == "IOMatchCategory")
                        .Select(k => new KeyValuePair<string, string>(k, Text(p[k]))).ToList();
                    details.PersonalitiesList.Add(new KextPersonality(name, p.GetString("IOClass"), p.GetString("IOProviderClass"), match));
                    foreach (var m in match)
                    {
                        module.AliasesList.Add($"{m.Key}={m.Value}");
                    }
                }
            }
        }

        foreach (var key in _root.OrderedKeys)
        {
            module.MetadataList.Add(new(key, Text(_root[key])));
        }
    }

    private static void CheckVersion(KernelModule module, string what, string? version, bool required)
    {
        if (version is null)
        {
            if (required)
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Error, $"{what} is missing"));
            }

            return;
        }

        if (!KextVersion.IsValid(version))
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"{what} '{version}' is not a valid kext version"));
        }
    }

    /// <summary>A plist value as one line of text (dictionaries and arrays summarised compactly).</summary>
    public static string Text(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        PlistInteger n => n.Value.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        PlistData data => $"<{data.Bytes.Length} bytes>",
        DateTime t => t.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        PlistDictionary dict => "{" + string.Join(", ", dict.OrderedKeys.Select(k => $"{k}={Text(dict[k])}")) + "}",
        List<object> list => "[" + string.Join(", ", list.Select(Text)) + "]",
        _ => value.ToString() ?? "",
    };
}
