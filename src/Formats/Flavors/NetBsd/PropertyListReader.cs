using LkmKit.Formats.PropertyLists;

namespace LkmKit.Formats.Flavors.NetBsd;

/// <summary>
/// Reads a proplib property list (the <c>NAME.prop</c> file NetBSD passes to a module's MODULE_CMD_INIT) with the
/// shared <see cref="PropertyList"/> parser: an XML <c>&lt;plist&gt;</c> holding one <c>&lt;dict&gt;</c>, flattened
/// into key paths and values. proplib has no real or date values and reads no binary plists; nesting is bounded.
/// </summary>
internal static class PropertyListReader
{
    /// <summary>The kernel refuses property files of this size or more (<c>kern_module_vfs.c</c>).</summary>
    public const int KernelSizeLimit = 8191;

    private const int MaxDepth = 32;
    private const string Structure = "property list";

    /// <summary>Parses the property file <paramref name="file"/>, read from <paramref name="path"/>.</summary>
    /// <exception cref="ModuleFormatException">The property list is malformed; <see cref="ModuleFormatException.Reason"/> says where.</exception>
    public static List<NetBsdProperty> Parse(ReadOnlySpan<byte> file, string path)
    {
        var root = PropertyList.ParseXml(file, path, Structure, MaxDepth);
        if (root is not PlistDictionary)
        {
            throw new ModuleFormatException(path, 0, Structure, "<plist> does not start with a <dict>");
        }

        var result = new List<NetBsdProperty>();
        Flatten(root, "", result, path);
        return result;
    }

    /// <summary>Adds <paramref name="value"/>'s properties under <paramref name="key"/>: one per scalar, one for an empty dictionary or array.</summary>
    private static void Flatten(object value, string key, List<NetBsdProperty> result, string path)
    {
        switch (value)
        {
            case PlistDictionary { Count: 0 }:
                result.Add(new NetBsdProperty(key, "dict", ""));
                break;
            case PlistDictionary dict:
                foreach (var name in dict.OrderedKeys)
                {
                    Flatten(dict[name], key.Length == 0 ? name : $"{key}.{name}", result, path);
                }

                break;
            case List<object> { Count: 0 }:
                result.Add(new NetBsdProperty(key, "array", ""));
                break;
            case List<object> list:
                for (int i = 0; i < list.Count; i++)
                {
                    Flatten(list[i], $"{key}[{i}]", result, path);
                }

                break;
            case bool b:
                result.Add(new NetBsdProperty(key, "bool", b ? "true" : "false"));
                break;
            case string s:
                result.Add(new NetBsdProperty(key, "string", s));
                break;
            case PlistInteger n:
                result.Add(new NetBsdProperty(key, "integer", n.Text));
                break;
            case PlistData d:
                result.Add(new NetBsdProperty(key, "data", d.Text));
                break;
            default:
                throw new ModuleFormatException(path, 0, Structure,
                    $"unknown value element <{(value is double ? "real" : "date")}> at {key} (proplib has no such type)");
        }
    }
}
