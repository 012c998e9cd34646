using System.Globalization;

namespace LkmKit.Formats.Flavors.NetBsd;

/// <summary>Decodes <c>__NetBSD_Version__</c> (MMmmrrpp00) and <c>modclass_t</c> values.</summary>
internal static class NetBsdVersion
{
    private static readonly string[] Classes = ["any", "misc", "vfs", "driver", "exec", "secmodel", "bufq"];

    /// <summary>
    /// The release a version number names: <c>M.m</c> for releases (<c>903000000</c> → <c>9.3</c>), with the patch
    /// level as <c>_PATCHp</c> when non-zero, and <c>M.99.p</c> for -current (the rrpp digits) (<c>1099001000</c> → <c>10.99.10</c>).
    /// </summary>
    public static string Format(uint version)
    {
        uint major = version / 100000000, minor = version / 1000000 % 100, release = version / 10000 % 100, patch = version / 100 % 100;
        if (minor == 99)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{major}.99.{release * 100 + patch}");
        }

        string text = release != 0
            ? string.Create(CultureInfo.InvariantCulture, $"{major}.{minor}.{release}")
            : string.Create(CultureInfo.InvariantCulture, $"{major}.{minor}");
        return patch != 0 ? string.Create(CultureInfo.InvariantCulture, $"{text}_PATCH{patch}") : text;
    }

    /// <summary>The name of a <c>modclass_t</c> value.</summary>
    public static string ClassName(int value) =>
        value >= 0 && value < Classes.Length ? Classes[value] : string.Create(CultureInfo.InvariantCulture, $"class {value}");
}
