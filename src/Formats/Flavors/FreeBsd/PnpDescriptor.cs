using System.Text;

namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>
/// Parses a MODULE_PNP_INFO descriptor (<c>TYPE:key;…</c>) into field offsets and the converted descriptor, with
/// the rules of <c>kldxref</c>'s <c>parse_pnp_list</c> (<c>usr.sbin/kldxref/kldxref.c</c>).
/// </summary>
internal static class PnpDescriptor
{
    private const int IntFlag = 0x20, Flagged = 0x10, Paired = 0x40, LessEqual = 0x80, GreaterEqual = 0x100, Mask = 0x200;

    /// <summary>The kind code of each integer type: size in the low nibble, plus flags.</summary>
    private static readonly Dictionary<string, int> IntegerKinds = new()
    {
        ["U8"] = 1 | IntFlag, ["V8"] = 1 | IntFlag | Flagged, ["G16"] = 2 | IntFlag | GreaterEqual,
        ["L16"] = 2 | IntFlag | LessEqual, ["M16"] = 2 | IntFlag | Mask, ["U16"] = 2 | IntFlag,
        ["V16"] = 2 | IntFlag | Flagged, ["U32"] = 4 | IntFlag, ["V32"] = 4 | IntFlag | Flagged,
        ["W32"] = 4 | IntFlag | Paired,
    };

    /// <summary>Parses <paramref name="descriptor"/>; returns false with a reason when kldxref would reject it.</summary>
    public static bool TryParse(string descriptor, int pointerSize, out List<FreeBsdPnpField> fields, out string converted, out string? error)
    {
        fields = [];
        var text = new StringBuilder();
        converted = "";
        error = null;
        int off = 0, walker = 0;
        while (walker < descriptor.Length)
        {
            int colon = descriptor.IndexOf(':', walker);
            int semi = descriptor.IndexOf(';', walker);
            if (colon < 0 || (semi >= 0 && semi < colon) || colon - walker > 8)
            {
                error = $"malformed field at position {walker}";
                return false;
            }

            string type = descriptor[walker..colon];
            string key;
            if (semi >= 0)
            {
                key = descriptor[(colon + 1)..semi];
                walker = semi + 1;
                while (walker < descriptor.Length && char.IsWhiteSpace(descriptor[walker]))
                {
                    walker++;
                }
            }
            else
            {
                key = descriptor[(colon + 1)..];
                walker = descriptor.Length;
            }

            if (key.Length >= 32)
            {
                error = $"key '{key}' is longer than 31 characters";
                return false;
            }

            if (type == "P")
            {
                off += pointerSize;
                continue;
            }

            if (IntegerKinds.TryGetValue(type, out int kind))
            {
                int size = kind & 0xf;
                int at = Align(off, size);
                off = at + size;
                if ((kind & Paired) != 0)
                {
                    int part = 0;
                    foreach (var word in key.Split('/', StringSplitOptions.RemoveEmptyEntries))
                    {
                        char letter = (kind & Flagged) != 0 ? 'J' : 'I';
                        fields.Add(new FreeBsdPnpField(letter, word, type, at, part++));
                        text.Append(letter).Append(':').Append(word).Append(';');
                    }

                    continue;
                }

                char newType = (kind & Flagged) != 0 ? 'J' : (kind & GreaterEqual) != 0 ? 'G' : (kind & LessEqual) != 0 ? 'L' : (kind & Mask) != 0 ? 'M' : 'I';
                fields.Add(new FreeBsdPnpField(newType, key, type, at));
                text.Append(newType).Append(':').Append(key).Append(';');
                continue;
            }

            int offset;
            char letterOut;
            switch (type)
            {
                case "E":
                    offset = Align(off, 4);
                    off = offset + 4;
                    letterOut = 'Z';
                    break;
                case "T":
                    offset = off;
                    letterOut = 'T';
                    break;
                case "D" or "Z":
                    offset = Align(off, pointerSize);
                    off = offset + pointerSize;
                    letterOut = type[0];
                    break;
                default:
                    error = $"unknown field type '{type}'";
                    return false;
            }

            fields.Add(new FreeBsdPnpField(letterOut, key, type, offset));
            text.Append(letterOut).Append(':').Append(key).Append(';');
        }

        converted = text.ToString();
        return true;
    }

    /// <summary>Formats a 32-bit EISA id as kldxref's <c>pnp_eisaformat</c> does (3 letters, 4 hex digits).</summary>
    public static string EisaId(uint id)
    {
        const string hex = "0123456789abcdef";
        byte d0 = (byte)id, d1 = (byte)(id >> 8), d2 = (byte)(id >> 16), d3 = (byte)(id >> 24);
        return string.Concat(
            (char)('@' + ((d0 & 0x7c) >> 2)), (char)('@' + (((d0 & 0x3) << 3) + ((d1 & 0xe0) >> 5))), (char)('@' + (d1 & 0x1f)),
            hex[d2 >> 4], hex[d2 & 0xf], hex[d3 >> 4], hex[d3 & 0xf]);
    }

    /// <summary>True when the field's source type is a flagged (V) integer, whose all-ones value means "any" (−1).</summary>
    public static bool IsFlagged(string sourceType) => sourceType.StartsWith('V');

    /// <summary>Size in bytes of an integer source type (1, 2 or 4).</summary>
    public static int IntegerSize(string sourceType) => IntegerKinds.TryGetValue(sourceType, out int kind) ? kind & 0xf : 4;

    private static int Align(int value, int to) => (value + to - 1) & ~(to - 1);
}
