namespace LkmKit.Formats.Flavors.Kext;

/// <summary>
/// The kext version grammar of xnu's <c>OSKextVersion.c</c> (macOS 10.14 and later):
/// <c>MAJOR[.MINOR[.REVISION]][STAGE LEVEL]</c>, 1–4 digits each, stage <c>d</c> &lt; <c>a</c> &lt; <c>b</c> &lt;
/// <c>f</c>/<c>fc</c> &lt; release, level 1–3 digits ≤ 255 (0 is invalid for <c>f</c>/<c>fc</c>); parsing stops at
/// whitespace. Encoded as <c>major·10¹² + minor·10⁸ + revision·10⁴ + stage·1000 + level</c>, comparable with &lt;.
/// </summary>
internal static class KextVersion
{
    /// <summary>Encodes <paramref name="text"/>; −1 when it is not a valid version.</summary>
    public static long Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return -1;
        }

        int i = 0;
        var parts = new long[3];
        for (int part = 0; part < 3; part++)
        {
            int digits = 0;
            long value = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                if (++digits > 4)
                {
                    return -1;
                }

                value = value * 10 + (text[i] - '0');
                i++;
            }

            if (part == 0 && digits == 0)
            {
                return -1;
            }

            parts[part] = value;
            if (i >= text.Length || char.IsWhiteSpace(text[i]))
            {
                return Encode(parts, 9, 0);
            }

            if (text[i] == '.')
            {
                if (part == 2)
                {
                    return -1;
                }

                i++;
                if (i >= text.Length || char.IsWhiteSpace(text[i]))
                {
                    return Encode(parts, 9, 0);
                }

                continue;
            }

            break;
        }

        int stage;
        switch (text[i])
        {
            case 'd': stage = 1; i++; break;
            case 'a': stage = 3; i++; break;
            case 'b': stage = 5; i++; break;
            case 'f':
                stage = 7;
                i++;
                if (i < text.Length && text[i] == 'c')
                {
                    i++;
                }

                break;
            default: return -1;
        }

        int levelDigits = 0;
        long level = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            if (++levelDigits > 3)
            {
                return -1;
            }

            level = level * 10 + (text[i] - '0');
            i++;
        }

        if (levelDigits == 0 || level > 255 || (stage == 7 && level == 0))
        {
            return -1;
        }

        if (i < text.Length && !char.IsWhiteSpace(text[i]))
        {
            return -1;
        }

        return Encode(parts, stage, level);
    }

    private static long Encode(long[] parts, int stage, long level) =>
        parts[0] * 1_000_000_000_000 + parts[1] * 100_000_000 + parts[2] * 10_000 + stage * 1000 + level;

    /// <summary>True when <paramref name="text"/> is a valid kext version.</summary>
    public static bool IsValid(string? text) => Parse(text) >= 0;

    /// <summary>Compares two versions; invalid versions sort before every valid one.</summary>
    public static int Compare(string? a, string? b) => Parse(a).CompareTo(Parse(b));

    /// <summary>
    /// The userspace (IOKitUser) rule: a library with <paramref name="version"/> and <paramref name="compatibleVersion"/>
    /// satisfies a request for <paramref name="requested"/> when compatible ≤ requested ≤ version.
    /// </summary>
    public static bool IsCompatible(string version, string? compatibleVersion, string requested)
    {
        long v = Parse(version), c = Parse(compatibleVersion), r = Parse(requested);
        return c > 0 && v >= 0 && r >= 0 && c <= r && r <= v;
    }
}
