using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.PropertyLists;

/// <summary>
/// The one property-list parser (a kext's Info.plist, a NetBSD module's proplib <c>NAME.prop</c>): reads a plist into
/// plain .NET values: <see cref="PlistDictionary"/> (string keys in file order), <see cref="List{T}"/> of values,
/// <see cref="string"/>, <see cref="PlistInteger"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="PlistData"/> and
/// <see cref="DateTime"/>. XML plists are read with System.Xml (encoding from the byte-order mark or declaration, DTD
/// ignored and never fetched); binary plists (<c>bplist00</c>) with a bounded decoder. Every error is a
/// <see cref="ModuleFormatException"/>.
/// </summary>
internal static class PropertyList
{
    /// <summary>The nesting accepted unless the caller asks for less.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Parses <paramref name="data"/>; <paramref name="format"/> is set to <c>xml</c> or <c>binary</c>.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="path">The file, for errors.</param>
    /// <param name="structure">What the file is, for errors in XML plists (e.g. <c>Info.plist</c>); binary ones say <c>binary plist</c>.</param>
    /// <param name="format">Set to <c>xml</c> or <c>binary</c>.</param>
    /// <param name="maxDepth">The deepest nesting of dictionaries and arrays accepted.</param>
    /// <exception cref="ModuleFormatException">The plist is malformed.</exception>
    public static object Parse(ReadOnlySpan<byte> data, string path, string structure, out string format, int maxDepth = DefaultMaxDepth)
    {
        if (data.StartsWith("bplist00"u8))
        {
            format = "binary";
            return new BinaryPlist(data.ToArray(), path, maxDepth).Read();
        }

        format = "xml";
        return ParseXml(data, path, structure, maxDepth);
    }

    /// <summary>Parses <paramref name="data"/> as an XML plist only (proplib, which reads no binary plists).</summary>
    /// <exception cref="ModuleFormatException">The plist is malformed.</exception>
    public static object ParseXml(ReadOnlySpan<byte> data, string path, string structure, int maxDepth = DefaultMaxDepth) =>
        new XmlPlist(path, structure, maxDepth).Parse(data.ToArray());

    /// <summary>The XML form: a <c>&lt;plist&gt;</c> element holding one value element.</summary>
    private sealed class XmlPlist(string path, string structure, int maxDepth)
    {
        public object Parse(byte[] data)
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true };
            try
            {
                RefuseDeepNesting(data, settings);
                using var reader = XmlReader.Create(new MemoryStream(data), settings);
                var document = new XmlDocument { XmlResolver = null };
                document.Load(reader);
                var root = document.DocumentElement;
                if (root is null || root.Name != "plist")
                {
                    throw Error($"root element is <{root?.Name}>, not <plist>");
                }

                var first = root.ChildNodes.OfType<XmlElement>().FirstOrDefault()
                    ?? throw Error("<plist> is empty");
                return XmlValue(first, 0);
            }
            catch (XmlException e)
            {
                throw Error($"not a valid XML plist: line {e.LineNumber}, column {e.LinePosition}: {e.Message}");
            }
            catch (ArgumentException e)
            {
                // XmlDocument reports a malformed XML declaration (e.g. version="2.0") as an ArgumentException.
                throw Error($"not a valid XML plist: {e.Message}");
            }
        }

        private ModuleFormatException Error(string reason) => new(path, 0, structure, reason);

        /// <summary>
        /// A streaming pass that stops at elements nested far deeper than <c>maxDepth</c> before the document is built
        /// (a value at depth d is XML depth d + 1, a dictionary's keys one more); the exact limit is checked per value.
        /// </summary>
        private void RefuseDeepNesting(byte[] data, XmlReaderSettings settings)
        {
            using var scan = XmlReader.Create(new MemoryStream(data), settings);
            while (scan.Read())
            {
                if (scan.NodeType == XmlNodeType.Element && scan.Depth > maxDepth + 2)
                {
                    throw Error($"nesting deeper than {maxDepth} levels");
                }
            }
        }

        private object XmlValue(XmlElement e, int depth)
        {
            if (depth > maxDepth)
            {
                throw Error($"nesting deeper than {maxDepth} levels");
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
                                throw Error($"<dict> has <{child.Name}> where a <key> was expected");
                            }

                            key = child.InnerText;
                        }
                        else
                        {
                            dict[key] = XmlValue(child, depth + 1);
                            key = null;
                        }
                    }

                    if (key is not null)
                    {
                        throw Error($"key '{key}' has no value");
                    }

                    return dict;
                }

                case "array":
                    return e.ChildNodes.OfType<XmlElement>().Select(c => XmlValue(c, depth + 1)).ToList();
                case "string":
                    return e.InnerText;
                case "integer":
                {
                    string text = e.InnerText.Trim();
                    return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) ? new PlistInteger(l, text)
                        : text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                            && long.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long h) ? new PlistInteger(h, text)
                        : throw Error($"{where} '{e.InnerText}' is not an integer");
                }
                case "real":
                    return double.TryParse(e.InnerText.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
                        : throw Error($"{where} '{e.InnerText}' is not a number");
                case "true":
                    return true;
                case "false":
                    return false;
                case "data":
                    try
                    {
                        return new PlistData(Convert.FromBase64String(string.Concat(e.InnerText.Where(c => !char.IsWhiteSpace(c)))), e.InnerText.Trim());
                    }
                    catch (FormatException)
                    {
                        throw Error($"{where} is not base64");
                    }

                case "date":
                    return DateTime.TryParse(e.InnerText, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var date) ? date
                        : throw Error($"{where} '{e.InnerText}' is not a date");
                default:
                    throw Error($"unknown element {where}");
            }
        }
    }

    /// <summary>Decoder of Apple's binary plist format (CFBinaryPList.c): objects, offset table, 32-byte trailer.</summary>
    private sealed class BinaryPlist(byte[] data, string path, int maxDepth)
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

            if (depth > maxDepth)
            {
                throw Error(_offsets[reference], $"nesting deeper than {maxDepth} levels (or a reference cycle)");
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
                {
                    long value = (long)ReadSized(Slice(body, 1 << info, at));
                    return new PlistInteger(value, value.ToString(CultureInfo.InvariantCulture));
                }

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
                    var bytes = Slice(body, n, at).ToArray();
                    return new PlistData(bytes, Convert.ToBase64String(bytes));
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
