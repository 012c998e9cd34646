using System.Globalization;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// Reads kbuild's <c>Module.symvers</c>: <c>0xCRC\tNAME\tMODULE\tEXPORT_TYPE\tNAMESPACE</c> per line. It carries
/// CRCs, export types and namespaces but no addresses.
/// </summary>
internal static class ModuleSymversReader
{
    /// <summary>True when the first non-empty line of the UTF-8 text <paramref name="utf8"/> looks like a Module.symvers line.</summary>
    public static bool Looks(ReadOnlySpan<byte> utf8)
    {
        var text = utf8.TrimStart(" \t\r\n"u8);
        int end = text.IndexOf((byte)'\n');
        var line = end < 0 ? text : text[..end];
        return line.StartsWith("0x"u8) && line.Count((byte)'\t') >= 3;
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="description"/> names the file in errors.</summary>
    /// <exception cref="LinkException">A line has fewer than four tab-separated fields or a bad CRC.</exception>
    public static KernelSymbolList Parse(string text, string description)
    {
        var result = new List<KernelSymbol>();
        int lineNumber = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            if (raw.IsWhiteSpace())
            {
                continue;
            }

            var fields = raw.ToString().Split('\t');
            if (fields.Length < 4 || !fields[0].StartsWith("0x", StringComparison.Ordinal)
                || !uint.TryParse(fields[0].AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint crc))
            {
                throw new LinkException($"{description}:{lineNumber}: expected '0xCRC<TAB>NAME<TAB>MODULE<TAB>EXPORT_TYPE[<TAB>NAMESPACE]', got '{QuotedLine.Of(raw.ToString())}'");
            }

            string? ns = fields.Length > 4 && fields[4].Length > 0 ? fields[4] : null;
            result.Add(new KernelSymbol(fields[1], null, 'T', crc, fields[3], ns, fields[2]));
        }

        return new KernelSymbolList(description, result);
    }
}
