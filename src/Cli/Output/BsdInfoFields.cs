using System.Globalization;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Output;

/// <summary>
/// The lines <c>lkm info</c> adds for FreeBSD and NetBSD modules, what <c>kldstat -v</c> / <c>modstat</c> users look
/// for: every declared module and interface version, PnP tables, the NetBSD class, properties and RCS ids.
/// </summary>
public static class BsdInfoFields
{
    /// <summary>Adds the flavour-specific lines of <paramref name="module"/> to <paramref name="fields"/>.</summary>
    public static void Add(KernelModule module, List<KeyValuePair<string, string>> fields)
    {
        switch (module.Details)
        {
            case FreeBsdModuleDetails freeBsd:
                AddFreeBsd(freeBsd, fields);
                break;
            case NetBsdModuleDetails netBsd:
                AddNetBsd(netBsd, fields);
                break;
        }
    }

    private static void AddFreeBsd(FreeBsdModuleDetails details, List<KeyValuePair<string, string>> fields)
    {
        fields.Add(new("kld", details.IsShared ? "shared object (ET_DYN)" : "relocatable object (ET_REL)"));
        foreach (var record in details.Records)
        {
            switch (record.Type)
            {
                case FreeBsdMetadataType.Module:
                    fields.Add(new("module", record.Name));
                    break;
                case FreeBsdMetadataType.Version when record.Version is { } v:
                    fields.Add(new("interface", string.Create(CultureInfo.InvariantCulture, $"{record.Name}.{v}")));
                    break;
            }
        }

        if (details.KernelRange is { } k)
        {
            fields.Add(new("kernel_range", string.Create(CultureInfo.InvariantCulture,
                $"[{k.Minimum}, {k.Maximum}] preferred {k.Preferred} (built for FreeBSD {k.Minimum / 100000}.{k.Minimum / 1000 % 100})")));
        }

        foreach (var record in details.Records)
        {
            if (record.Pnp is not { } pnp)
            {
                continue;
            }

            fields.Add(new("pnp", string.Create(CultureInfo.InvariantCulture, $"{pnp.Bus} {pnp.Descriptor} ({pnp.EntryCount} entries of {pnp.EntryLength} bytes)")));
            var named = pnp.Fields.Where(f => f.Type != 'T').ToList();
            foreach (var entry in pnp.Entries)
            {
                var parts = new List<string>(entry.Count);
                for (int i = 0; i < entry.Count && i < named.Count; i++)
                {
                    parts.Add(entry[i].Number is { } n && named[i].Type == 'J' && n == -1 ? $"{named[i].Key}=any" : $"{named[i].Key}={entry[i]}");
                }

                fields.Add(new("pnp_entry", $"{pnp.Bus} {string.Join(' ', parts)}"));
            }
        }
    }

    private static void AddNetBsd(NetBsdModuleDetails details, List<KeyValuePair<string, string>> fields)
    {
        fields.Add(new("class", details.Class));
        fields.Add(new("built_for", string.Create(CultureInfo.InvariantCulture, $"NetBSD {details.OsVersion} ({details.RawVersion})")));
        fields.Add(new("required", details.RequiredEncoding switch
        {
            NetBsdRequiredEncoding.Null => "(none: NULL)",
            NetBsdRequiredEncoding.Empty => "(none: \"\")",
            _ => details.Required ?? "",
        }));
        if (details.ModinfoSymbol is { } symbol)
        {
            fields.Add(new("modinfo", symbol));
        }

        if (details.PropertiesPath is { } path)
        {
            fields.Add(new("props", Path.GetFileName(path)));
        }

        foreach (var property in details.Properties)
        {
            fields.Add(new("prop", $"{property.Key} ({property.Type}) = {property.Value}"));
        }

        foreach (var id in details.RcsIds)
        {
            fields.Add(new("rcsid", id));
        }
    }
}
