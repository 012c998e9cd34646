using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.Model;

namespace LkmKit.Formats;

/// <summary>
/// Fills a module from the metadata pairs a user's flavour (<see cref="ModuleReader.WithFlavor"/>) returns: every pair is
/// kept in <see cref="KernelModule.Metadata"/> in order, and the conventional keys (modinfo's words) fill the common
/// model: <c>name</c>, <c>version</c>, <c>description</c> (the first of each), <c>author</c>, <c>license</c>,
/// <c>alias</c>, <c>firmware</c> (each one an entry) and <c>depends</c> (comma-separated names, hard dependencies).
/// </summary>
internal static class UserFlavorMetadata
{
    /// <summary>Applies <paramref name="pairs"/> to <paramref name="module"/>.</summary>
    public static void Apply(KernelModule module, IEnumerable<KeyValuePair<string, string>>? pairs)
    {
        foreach (var (key, value) in pairs ?? [])
        {
            module.MetadataList.Add(new(key, value));
            switch (key)
            {
                case "name":
                    module.Name ??= value;
                    break;
                case "version":
                    module.Version ??= value;
                    break;
                case "description":
                    module.Description ??= value;
                    break;
                default:
                    Modinfo.ApplyListKey(module, key, value);
                    break;
            }
        }
    }
}
