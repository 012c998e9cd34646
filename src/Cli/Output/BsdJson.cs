using System.Text.Json;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Output;

/// <summary>The <c>freebsd</c> / <c>netbsd</c> objects of <c>lkm info --json</c>: the flavour's own records.</summary>
public static class BsdJson
{
    /// <summary>Writes the details object when <paramref name="details"/> is a BSD flavour's; returns false otherwise.</summary>
    public static bool TryWrite(Utf8JsonWriter w, FlavorDetails? details)
    {
        switch (details)
        {
            case FreeBsdModuleDetails freeBsd:
                WriteFreeBsd(w, freeBsd);
                return true;
            case NetBsdModuleDetails netBsd:
                WriteNetBsd(w, netBsd);
                return true;
            default:
                return false;
        }
    }

    private static void WriteFreeBsd(Utf8JsonWriter w, FreeBsdModuleDetails d)
    {
        w.WriteStartObject("freebsd");
        w.WriteBoolean("shared", d.IsShared);
        ModuleJson.WriteStrings(w, "modules", d.ModuleNames);
        if (d.KernelRange is { } k)
        {
            w.WriteStartObject("kernel");
            w.WriteNumber("min", k.Minimum);
            w.WriteNumber("preferred", k.Preferred);
            w.WriteNumber("max", k.Maximum);
            w.WriteEndObject();
        }

        w.WriteStartArray("records");
        foreach (var r in d.Records)
        {
            WriteRecord(w, r);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRecord(Utf8JsonWriter w, FreeBsdMetadataRecord r)
    {
        w.WriteStartObject();
        w.WriteString("type", r.Type switch
        {
            FreeBsdMetadataType.Depend => "MDT_DEPEND",
            FreeBsdMetadataType.Module => "MDT_MODULE",
            FreeBsdMetadataType.Version => "MDT_VERSION",
            FreeBsdMetadataType.PnpInfo => "MDT_PNP_INFO",
            _ => $"type {r.RawType}",
        });
        w.WriteString("name", r.Name);
        w.WriteNumber("structVersion", r.StructVersion);
        w.WriteString("address", $"0x{r.Address:x}");
        if (r.Depend is { } dep)
        {
            w.WriteNumber("min", dep.Minimum);
            w.WriteNumber("preferred", dep.Preferred);
            w.WriteNumber("max", dep.Maximum);
        }

        if (r.Version is { } v)
        {
            w.WriteNumber("version", v);
        }

        if (r.Module is { } m)
        {
            w.WriteString("moduleName", m.Name);
            w.WriteString("handler", m.Handler);
            if (m.HandlerAddress is { } a)
            {
                w.WriteString("handlerAddress", $"0x{a:x}");
            }
        }

        if (r.Pnp is { } pnp)
        {
            WritePnp(w, pnp);
        }

        w.WriteEndObject();
    }

    private static void WritePnp(Utf8JsonWriter w, FreeBsdPnpInfo pnp)
    {
        w.WriteStartObject("pnp");
        w.WriteString("bus", pnp.Bus);
        w.WriteString("descriptor", pnp.Descriptor);
        w.WriteString("converted", pnp.ConvertedDescriptor);
        w.WriteNumber("entryLength", pnp.EntryLength);
        w.WriteNumber("entryCount", pnp.EntryCount);
        var named = pnp.Fields.Where(f => f.Type != 'T').ToList();
        w.WriteStartArray("entries");
        foreach (var entry in pnp.Entries)
        {
            w.WriteStartObject();
            for (int i = 0; i < entry.Count && i < named.Count; i++)
            {
                if (entry[i].Number is { } n)
                {
                    w.WriteNumber(named[i].Key, n);
                }
                else
                {
                    w.WriteString(named[i].Key, entry[i].Text);
                }
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteNetBsd(Utf8JsonWriter w, NetBsdModuleDetails d)
    {
        w.WriteStartObject("netbsd");
        w.WriteNumber("miVersion", d.RawVersion);
        w.WriteString("osVersion", d.OsVersion);
        w.WriteNumber("miClass", d.RawClass);
        w.WriteString("class", d.Class);
        w.WriteString("modcmd", d.ModuleCommand);
        w.WriteString("required", d.Required);
        w.WriteString("requiredEncoding", d.RequiredEncoding.ToString().ToLowerInvariant());
        w.WriteString("modinfoSymbol", d.ModinfoSymbol);
        w.WriteString("propertiesFile", d.PropertiesPath is { } p ? Path.GetFileName(p) : null);
        w.WriteStartArray("properties");
        foreach (var property in d.Properties)
        {
            w.WriteStartObject();
            w.WriteString("key", property.Key);
            w.WriteString("type", property.Type);
            w.WriteString("value", property.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        ModuleJson.WriteStrings(w, "rcsIds", d.RcsIds);
        w.WriteEndObject();
    }
}
