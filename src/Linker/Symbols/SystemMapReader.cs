using System.Globalization;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// Reads <c>nm</c>-format symbol lists: <c>System.map</c> (<c>ADDRESS TYPE NAME</c>) and <c>/proc/kallsyms</c>
/// (the same, with an optional <c>\t[module]</c> suffix naming the owning module).
/// </summary>
public static class SystemMapReader
{
    /// <summary>Parses <paramref name="text"/>; <paramref name="description"/> names the file in errors.</summary>
    /// <exception cref="LinkException">A line is not <c>ADDRESS TYPE NAME</c>.</exception>
    public static KernelSymbolList Parse(string text, string description)
    {
        var result = new List<KernelSymbol>();
        int lineNumber = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = raw.TrimEnd();
            if (line.IsEmpty)
            {
                continue;
            }

            result.Add(ParseLine(line, description, lineNumber));
        }

        return new KernelSymbolList(description, result);
    }

    private static KernelSymbol ParseLine(ReadOnlySpan<char> line, string description, int lineNumber)
    {
        int firstSpace = line.IndexOfAny(' ', '\t');
        if (firstSpace <= 0 || !ulong.TryParse(line[..firstSpace], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong address))
        {
            throw new LinkException($"{description}:{lineNumber}: expected 'ADDRESS TYPE NAME' (nm format), got '{line}'");
        }

        var rest = line[(firstSpace + 1)..].TrimStart();
        if (rest.Length < 3 || rest[1] is not (' ' or '\t'))
        {
            throw new LinkException($"{description}:{lineNumber}: expected a one-letter symbol type after the address, got '{line}'");
        }

        char type = rest[0];
        var nameAndOwner = rest[2..].TrimStart();
        string? owner = null;
        int tab = nameAndOwner.IndexOfAny('\t', ' ');
        if (tab >= 0)
        {
            var suffix = nameAndOwner[(tab + 1)..].Trim();
            if (suffix.Length >= 2 && suffix[0] == '[' && suffix[^1] == ']')
            {
                owner = suffix[1..^1].ToString();
            }

            nameAndOwner = nameAndOwner[..tab];
        }

        return new KernelSymbol(nameAndOwner.ToString(), address, type, Owner: owner);
    }
}
