using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Flavors.Kext;

/// <summary>
/// Reads property lists into plain .NET values: <see cref="Dictionary{TKey,TValue}"/> (string keys, file order kept
/// by <see cref="PlistDictionary"/>), <see cref="List{T}"/>, <see cref="string"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="bool"/>, <see cref="byte"/>[] and <see cref="DateTime"/>. XML plists are read with
/// System.Xml (UTF-8, DTD ignored); binary plists (<c>bplist00</c>) with a bounded decoder.
/// </summary>
internal static class PropertyList
{
    private const int MaxDepth = 64;

    /// <summary>Parses <paramref name="data"/>; <paramref name="format"/> is set to <c>xml</c> or <c>binary</c>.</summary>
    /// <exception cref="ModuleFormatException">The plist is malformed.</exception>
    public static object Parse(ReadOnlySpan<byte> data, string path, out string format)
    {
        if (data.StartsWith("bplist00"u8))
        {
            format = "binary";
            return new BinaryPlist(data.ToArray(), path).Read();
        }

        format = "xml";
        return ParseXml(data.ToArray(), path);
    }

    private static object ParseXml(byte[] data, string path)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(data), settings);
            var document = new XmlDocument { XmlResolver = null };
            document.Load(reader);
            var root = document.DocumentElement;
            if (root is null || root.Name != "plist")
            {
                throw new ModuleFormatException(path, 0, "Info.plist", $"root element is <{root?.Name}>, not <plist>");
            }

            var first = root.ChildNodes.OfType<XmlElement>().FirstOrDefault()
                ?? throw new ModuleFormatException(path, 0, "Info.plist", "<plist> is empty");
            return XmlValue(first, path, 0);
        }
        catch (XmlException e)
        {
            throw new ModuleFormatException(path, 0, "Info.plist", $"not a valid XML plist: line {e.LineNumber}, column {e.LinePosition}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            // XmlDocument reports a malformed XML declaration (e.g. version="2.0") as an ArgumentException.
            throw new ModuleFormatException(path, 0, "Info.plist", $"not a valid XML plist: {e.Message}");
        }
    }

    private static object XmlValue(XmlElement e, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ModuleFormatException(path, 0, "Info.plist", $"nesting deeper than {MaxDepth} levels");
        }

        string where = $"<{e.Name}>";
        switch (e.Name)
        {
            case "dict":
            {
                var dict = new PlistDictionary();
                string? key = null;
                foreach (var child in e.ChildNodes.OfType<XmlElement>())
                {
                    if (key is null)
                    {
                        if (child.Name != "key")
                        {
                            throw new ModuleFormatException(path, 0, "Info.plist", $"<dict> has <{child.Name}> where a <key> was expected");
                        }

                        key = child.InnerText;
                    }
                    else
                    {
                        dict[key] = XmlValue(child, path, depth + 1);
                        key = null;
                    }
                }

                if (key is not null)
                {
                    throw new ModuleFormatException(path, 0, "Info.plist", $"key '{key}' has no value");
                }

                return dict;
            }

            case "array":
                return e.ChildNodes.OfType<XmlElement>().Select(c => XmlValue(c, path, depth + 1)).ToList();
            case "string":
                return e.InnerText;
            case "integer":
                return long.TryParse(e.InnerText.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) ? l
                    : e.InnerText.Trim().StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                        && long.TryParse(e.InnerText.Trim()[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long h) ? h
                    : throw new ModuleFormatException(path, 0, "Info.plist", $"{where} '{e.InnerText}' is not an integer");
            case "real":
                return double.TryParse(e.InnerText.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
                    : throw new ModuleFormatException(path, 0, "Info.plist", $"{where} '{e.InnerText}' is not a number");
            case "true":
                return true;
            case "false":
                return false;
            case "data":
                try
                {
                    return Convert.FromBase64String(string.Concat(e.InnerText.Where(c => !char.IsWhiteSpace(c))));
                }
                catch (FormatException)
                {
                    throw new ModuleFormatException(path, 0, "Info.plist", $"{where} is not base64");
                }

            case "date":
                return DateTime.TryParse(e.InnerText, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var date) ? date
                    : throw new ModuleFormatException(path, 0, "Info.plist", $"{where} '{e.InnerText}' is not a date");
            default:
                throw new ModuleFormatException(path, 0, "Info.plist", $"unknown element {where}");
        }
    }

    /// <summary>Decoder of Apple's binary plist format (CFBinaryPList.c): objects, offset table, 32-byte trailer.</summary>
    private sealed class BinaryPlist(byte[] data, string path)
    {
        private long[] _offsets = [];
        private int _refSize;
        private long _budget;

        public object Read()
        {
            if (data.Length < 8 + 32)
            {
                throw Error(0, "file is shorter than the header and the 32-byte trailer");
            }

            var t = data.AsSpan(data.Length - 32);
            int offsetSize = t[6];
            _refSize = t[7];
            ulong count = BinaryPrimitives.ReadUInt64BigEndian(t[8..]);
            ulong top = BinaryPrimitives.ReadUInt64BigEndian(t[16..]);
            ulong tableOffset = BinaryPrimitives.ReadUInt64BigEndian(t[24..]);
            if (offsetSize is < 1 or > 8 || _refSize is < 1 or > 8)
            {
                throw Error(data.Length - 26, $"offset size {offsetSize} / reference size {_refSize} is not 1..8");
            }

            ulong trailerAt = (ulong)data.Length - 32;
            if (tableOffset < 8 || tableOffset > trailerAt || count > (trailerAt - tableOffset) / (ulong)offsetSize || top >= count)
            {
                throw Error(data.Length - 24, $"{count} objects with the offset table at 0x{tableOffset:x} and top object {top} do not fit the file");
            }

            // Objects may be shared (equal strings are stored once); the budget stops a DAG that expands exponentially.
            _budget = (long)count * 64 + 10_000;
            _offsets = new long[count];
            for (ulong i = 0; i < count; i++)
            {
                ulong o = ReadSized(data.AsSpan((int)(tableOffset + i * (ulong)offsetSize), offsetSize));
                if (o < 8 || o >= tableOffset)
                {
                    throw Error((long)(tableOffset + i * (ulong)offsetSize), $"object {i} offset 0x{o:x} lies outside the object area");
                }

                _offsets[i] = (long)o;
            }

            return Object(top, 0);
        }

        private ModuleFormatException Error(long offset, string reason) => new(path, offset, "binary plist", reason);

        private static ulong ReadSized(ReadOnlySpan<byte> b)
        {
            ulong v = 0;
            foreach (var x in b)
            {
                v = (v << 8) | x;
            }

            return v;
        }

        private object Object(ulong reference, int depth)
        {
            if (reference >= (ulong)_offsets.Length)
            {
                throw Error(0, $"object reference {reference} is out of range ({_offsets.Length} objects)");
            }

            if (depth > MaxDepth)
            {
                throw Error(_offsets[reference], $"nesting deeper than {MaxDepth} levels (or a reference cycle)");
            }

            if (--_budget < 0)
            {
                throw Error(_offsets[reference], "objects are referenced far more often than the file holds them (an expanding reference graph)");
            }

            long at = _offsets[reference];
            byte marker = data[at];
            int type = marker >> 4, info = marker & 0xF;
            long body = at + 1;
            switch (type)
            {
                case 0x0:
                    return info switch { 0x8 => false, 0x9 => true, _ => throw Error(at, $"unsupported simple object 0x{marker:x2}") };
                case 0x1:
                    return (long)ReadSized(Slice(body, 1 << info, at));
                case 0x2:
                    return info switch
                    {
                        2 => (double)BinaryPrimitives.ReadSingleBigEndian(Slice(body, 4, at)),
                        3 => BinaryPrimitives.ReadDoubleBigEndian(Slice(body, 8, at)),
                        _ => throw Error(at, $"real of 2^{info} bytes"),
                    };
                case 0x3:
                {
                    // Seconds from 2001-01-01; anything outside what DateTime holds (or NaN) is refused.
                    double seconds = BinaryPrimitives.ReadDoubleBigEndian(Slice(body, 8, at));
                    var epoch = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
                    if (!(seconds >= (DateTime.MinValue - epoch).TotalSeconds && seconds <= (DateTime.MaxValue - epoch).TotalSeconds - 1))
                    {
                        throw Error(at, $"date of {seconds} seconds from 2001 is out of range");
                    }

                    return epoch.AddSeconds(seconds);
                }
                case 0x4:
                {
                    long n = Count(ref body, info, at);
                    return Slice(body, n, at).ToArray();
                }

                case 0x5:
                {
                    long n = Count(ref body, info, at);
                    return Encoding.ASCII.GetString(Slice(body, n, at));
                }

                case 0x6:
                {
                    long n = Count(ref body, info, at);
                    return Encoding.BigEndianUnicode.GetString(Slice(body, n * 2, at));
                }

                case 0xA:
                {
                    long n = Count(ref body, info, at);
                    var refs = Slice(body, n * _refSize, at);
                    var list = new List<object>((int)n);
                    for (int i = 0; i < n; i++)
                    {
                        list.Add(Object(ReadSized(refs.Slice(i * _refSize, _refSize)), depth + 1));
                    }

                    return list;
                }

                case 0xD:
                {
                    long n = Count(ref body, info, at);
                    var refs = Slice(body, n * 2 * _refSize, at);
                    var dict = new PlistDictionary();
                    for (int i = 0; i < n; i++)
                    {
                        var key = Object(ReadSized(refs.Slice(i * _refSize, _refSize)), depth + 1) as string
                            ?? throw Error(at, $"dictionary key {i} is not a string");
                        dict[key] = Object(ReadSized(refs.Slice((int)(n + i) * _refSize, _refSize)), depth + 1);
                    }

                    return dict;
                }

                default:
                    throw Error(at, $"unsupported object type 0x{marker:x2}");
            }
        }

        private long Count(ref long body, int info, long at)
        {
            if (info != 0xF)
            {
                return info;
            }

            byte marker = Slice(body, 1, at)[0];
            if (marker >> 4 != 0x1)
            {
                throw Error(body, $"count object 0x{marker:x2} is not an integer");
            }

            int size = 1 << (marker & 0xF);
            ulong n = ReadSized(Slice(body + 1, size, at));
            body += 1 + size;
            if (n > (ulong)data.Length)
            {
                throw Error(at, $"count {n} is larger than the file");
            }

            return (long)n;
        }

        private ReadOnlySpan<byte> Slice(long start, long length, long at)
        {
            if (start < 0 || length < 0 || start > data.Length - 32 || length > data.Length - 32 - start)
            {
                throw Error(at, $"object data 0x{start:x}+0x{length:x} runs past the object area");
            }

            return data.AsSpan((int)start, (int)length);
        }
    }
}

/// <summary>A plist dictionary that keeps its keys in file order.</summary>
internal sealed class PlistDictionary : Dictionary<string, object>
{
    private readonly List<string> _order = [];

    /// <summary>Creates an empty dictionary with ordinal keys.</summary>
    public PlistDictionary() : base(StringComparer.Ordinal)
    {
    }

    /// <summary>The keys in file order.</summary>
    public IReadOnlyList<string> OrderedKeys => _order;

    /// <summary>Gets or sets a value; a new key is appended to <see cref="OrderedKeys"/>.</summary>
    public new object this[string key]
    {
        get => base[key];
        set
        {
            if (!ContainsKey(key))
            {
                _order.Add(key);
            }

            base[key] = value;
        }
    }

    /// <summary>The string stored under <paramref name="key"/>, or null.</summary>
    public string? GetString(string key) => TryGetValue(key, out var v) ? v as string : null;
}
