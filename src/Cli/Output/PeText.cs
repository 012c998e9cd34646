using System.Globalization;
using LkmKit.Formats.Pe;

namespace LkmKit.Cli.Output;

/// <summary>The <c>lkm info</c> lines only PE images (Windows drivers and plain DLLs) have.</summary>
public static class PeText
{
    /// <summary>Appends the image header facts, version strings, imports and exports of <paramref name="pe"/>.</summary>
    public static void AddFields(PeImageDetails pe, List<KeyValuePair<string, string>> fields)
    {
        void Add(string key, string value) => fields.Add(new(key, value));

        Add("subsystem", $"{pe.SubsystemName} ({pe.Subsystem})");
        Add("image_base", Hex(pe.ImageBase));
        if (pe.EntryPointRva != 0)
        {
            Add("entry_point", Hex(pe.EntryPointRva) + (pe.EntryPointSection is { } section ? $" ({section})" : ""));
        }

        Add("dll_flags", Hex(pe.DllCharacteristics) + (pe.DllCharacteristics != 0 ? " " + PeNames.DllCharacteristics(pe.DllCharacteristics) : ""));
        Add("checksum", Hex(pe.CheckSum));
        if (pe.VersionInfo is { } version)
        {
            if (version.FileVersion is { } fileVersion)
            {
                Add("file_version", fileVersion);
            }

            if (version.ProductVersion is { } productVersion)
            {
                Add("prod_version", productVersion);
            }

            foreach (var (key, value) in version.Strings)
            {
                Add(key, value);
            }
        }

        foreach (var dll in pe.ImportedModules)
        {
            foreach (var function in dll.Functions)
            {
                Add("import", $"{dll.Module}!{function.Name ?? "#" + function.Ordinal?.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (pe.ExportTable is { } exports)
        {
            foreach (var function in exports.Functions)
            {
                Add("export", $"{function.Name ?? "#" + function.Ordinal.ToString(CultureInfo.InvariantCulture)} @{function.Ordinal} {(function.Forwarder ?? Hex(function.Rva))}");
            }
        }
    }

    private static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
