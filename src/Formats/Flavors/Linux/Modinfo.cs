using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Flavors.Linux;

/// <summary>Splits the <c>.modinfo</c> section into key/value pairs and merges parameter descriptions, as kmod does.</summary>
internal static class Modinfo
{
    /// <summary>
    /// Splits NUL-separated <c>key=value</c> strings in file order: leading NULs and runs of NULs are skipped, the
    /// key ends at the first <c>=</c>, and a last string without its NUL is accepted.
    /// </summary>
    public static List<KeyValuePair<string, string>> Parse(ReadOnlySpan<byte> section)
    {
        var pairs = new List<KeyValuePair<string, string>>(section.Count((byte)0) + 1);
        foreach (var entry in CString.Split(section))
        {
            int equals = entry.IndexOf((byte)'=');
            string key = NamePool.ModinfoKeys.Get(equals < 0 ? entry : entry[..equals]);
            string value = equals < 0 ? "" : CString.Decode(entry[(equals + 1)..]);
            pairs.Add(new(key, value));
        }

        return pairs;
    }

    /// <summary>
    /// Merges <c>parm=name:description</c> and <c>parmtype=name:type</c> entries into parameters in order of each
    /// name's first appearance; a repeated description overwrites the earlier one. Entries without a colon are skipped.
    /// </summary>
    public static List<ModuleParameter> MergeParameters(List<KeyValuePair<string, string>> pairs)
    {
        List<string>? order = null;
        Dictionary<string, string>? descriptions = null, types = null;
        foreach (var (key, value) in pairs)
        {
            bool isDescription = key == "parm";
            if (!isDescription && key != "parmtype")
            {
                continue;
            }

            int colon = value.IndexOf(':');
            if (colon < 0)
            {
                continue;
            }

            // Most modules have no parameters: the lists are made for the first one.
            order ??= [];
            descriptions ??= [];
            types ??= [];
            string name = value[..colon];
            if (!descriptions.ContainsKey(name) && !types.ContainsKey(name))
            {
                order.Add(name);
            }

            (isDescription ? descriptions : types)[name] = value[(colon + 1)..];
        }

        if (order is null)
        {
            return [];
        }

        var parameters = new List<ModuleParameter>(order.Count);
        foreach (var name in order)
        {
            parameters.Add(new ModuleParameter(name, types!.GetValueOrDefault(name), descriptions!.GetValueOrDefault(name)));
        }

        return parameters;
    }

    /// <summary>
    /// Applies one of the list keys every modinfo-style source shares to <paramref name="module"/>: <c>author</c>,
    /// <c>license</c>, <c>alias</c>, <c>firmware</c> (one entry each) and <c>depends</c> (comma-separated hard
    /// dependencies). False for any other key, which the caller handles.
    /// </summary>
    public static bool ApplyListKey(KernelModule module, string key, string value)
    {
        switch (key)
        {
            case "author": module.AuthorsList.Add(value); return true;
            case "license": module.LicensesList.Add(value); return true;
            case "alias": module.AliasesList.Add(value); return true;
            case "firmware": module.FirmwareList.Add(value); return true;
            case "depends":
                foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    module.DependenciesList.Add(new ModuleDependency(name, DependencyKind.Hard));
                }

                return true;
            default:
                return false;
        }
    }
}
