using System.Xml;

namespace LkmKit.Formats.Flavors.NetBsd;

/// <summary>
/// Reads a proplib XML property list (the <c>NAME.prop</c> file NetBSD passes to a module's MODULE_CMD_INIT):
/// a <c>&lt;plist&gt;</c> holding one <c>&lt;dict&gt;</c>, flattened into key paths and values. DTDs are ignored and
/// never fetched; nesting is bounded.
/// </summary>
internal static class PropertyListReader
{
    /// <summary>The kernel refuses property files of this size or more (<c>kern_module_vfs.c</c>).</summary>
    public const int KernelSizeLimit = 8191;

    private const int MaxDepth = 32;

    /// <summary>Parses <paramref name="xml"/>, read from <paramref name="path"/>.</summary>
    /// <exception cref="ModuleFormatException">The property list is malformed; <see cref="ModuleFormatException.Reason"/> names the line.</exception>
    public static List<NetBsdProperty> Parse(string xml, string path)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true, MaxCharactersInDocument = 1 << 20 };
        var result = new List<NetBsdProperty>();
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            reader.MoveToContent();
            if (reader.Name != "plist")
            {
                throw Malformed(path, $"root element is <{reader.Name}>, expected <plist>");
            }

            reader.Read();
            reader.MoveToContent();
            if (reader.NodeType != XmlNodeType.Element || reader.Name != "dict")
            {
                throw Malformed(path, "<plist> does not start with a <dict>");
            }

            ReadValue(reader, "", result, 0, path);
        }
        catch (XmlException e)
        {
            throw Malformed(path, $"line {e.LineNumber}: {e.Message}");
        }

        return result;
    }

    /// <summary>Reads the value element the reader is on, adding its flattened properties under <paramref name="path"/>.</summary>
    private static void ReadValue(XmlReader reader, string path, List<NetBsdProperty> result, int depth, string file)
    {
        if (depth > MaxDepth)
        {
            throw Malformed(file, $"nesting deeper than {MaxDepth} levels at {path}");
        }

        string type = reader.Name;
        switch (type)
        {
            case "dict":
                ReadContainer(reader, path, result, depth, isDict: true, file);
                break;
            case "array":
                ReadContainer(reader, path, result, depth, isDict: false, file);
                break;
            case "true" or "false":
                result.Add(new NetBsdProperty(path, "bool", type));
                reader.Skip();
                break;
            case "string" or "integer" or "data":
                string value = reader.ReadElementContentAsString();
                result.Add(new NetBsdProperty(path, type, type == "string" ? value : value.Trim()));
                break;
            default:
                throw Malformed(file, $"unknown value element <{type}> at {path}");
        }
    }

    private static void ReadContainer(XmlReader reader, string path, List<NetBsdProperty> result, int depth, bool isDict, string file)
    {
        if (reader.IsEmptyElement)
        {
            result.Add(new NetBsdProperty(path, isDict ? "dict" : "array", ""));
            reader.Read();
            return;
        }

        reader.Read();
        int index = 0;
        while (reader.MoveToContent() == XmlNodeType.Element)
        {
            string child;
            if (isDict)
            {
                if (reader.Name != "key")
                {
                    throw Malformed(file, $"expected <key> in <dict> at {path}, found <{reader.Name}>");
                }

                string key = reader.ReadElementContentAsString();
                child = path.Length == 0 ? key : $"{path}.{key}";
                if (reader.MoveToContent() != XmlNodeType.Element)
                {
                    throw Malformed(file, $"key {child} has no value");
                }
            }
            else
            {
                child = $"{path}[{index++}]";
            }

            ReadValue(reader, child, result, depth + 1, file);
        }

        reader.ReadEndElement();
    }

    private static ModuleFormatException Malformed(string file, string reason) => new(file, 0, "property list", reason);
}
