using System.Text.Json;
using LkmKit.Formats.Pe;

namespace LkmKit.Cli.Output;

/// <summary>The <c>"pe"</c> object of <c>lkm info --json</c>: header facts, imports by DLL, exports, version resource.</summary>
public static class PeJson
{
    /// <summary>Writes <paramref name="pe"/> as the property <c>"pe"</c>.</summary>
    public static void Write(Utf8JsonWriter w, PeImageDetails pe)
    {
        w.WriteStartObject("pe");
        w.WriteString("magic", pe.Is64 ? "PE32+" : "PE32");
        w.WriteString("characteristics", $"0x{pe.Characteristics:x4}");
        w.WriteNumber("timeDateStamp", pe.TimeDateStamp);
        w.WriteString("subsystem", pe.SubsystemName);
        w.WriteString("dllCharacteristics", $"0x{pe.DllCharacteristics:x4}");
        w.WriteString("imageBase", $"0x{pe.ImageBase:x}");
        w.WriteString("entryPoint", $"0x{pe.EntryPointRva:x}");
        w.WriteString("entrySection", pe.EntryPointSection);
        w.WriteString("sectionAlignment", $"0x{pe.SectionAlignment:x}");
        w.WriteString("fileAlignment", $"0x{pe.FileAlignment:x}");
        w.WriteString("sizeOfImage", $"0x{pe.SizeOfImage:x}");
        w.WriteString("checkSum", $"0x{pe.CheckSum:x8}");

        w.WriteStartArray("imports");
        foreach (var dll in pe.ImportedModules)
        {
            w.WriteStartObject();
            w.WriteString("module", dll.Module);
            w.WriteStartArray("functions");
            foreach (var f in dll.Functions)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                if (f.Ordinal is { } ordinal)
                {
                    w.WriteNumber("ordinal", ordinal);
                }
                else
                {
                    w.WriteNumber("hint", f.Hint);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();

        if (pe.ExportTable is { } exports)
        {
            w.WriteStartObject("exports");
            w.WriteString("module", exports.ModuleName);
            w.WriteStartArray("functions");
            foreach (var f in exports.Functions)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                w.WriteNumber("ordinal", f.Ordinal);
                w.WriteString("rva", $"0x{f.Rva:x}");
                if (f.Forwarder is not null)
                {
                    w.WriteString("forwarder", f.Forwarder);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("exports");
        }

        if (pe.VersionInfo is { } version)
        {
            w.WriteStartObject("versionInfo");
            w.WriteString("fileVersion", version.FileVersion);
            w.WriteString("productVersion", version.ProductVersion);
            w.WriteNumber("fileType", version.FileType);
            w.WriteNumber("fileSubtype", version.FileSubtype);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("versionInfo");
        }

        w.WriteEndObject();
    }
}
