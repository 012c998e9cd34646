using System.Globalization;
using LkmKit.Formats.AOut;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Output;

/// <summary>The <c>lkm info</c> lines and JSON object of a legacy LKM's <see cref="LkmModuleDetails"/>.</summary>
internal static class LkmText
{
    /// <summary>The lines for <c>lkm info</c>: type, system, interface version, slot, descriptor words, a.out encoding.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Fields(KernelModule module)
    {
        if (module.Details is not LkmModuleDetails lkm || module.ContainerDetails is not AOutDetails aout)
        {
            yield break;
        }

        if (lkm.RawType is { } type)
        {
            yield return new("lkmtype", lkm.Kind == LkmModuleKind.Unknown
                ? $"unknown (lkm_type {type})"
                : $"{LkmTypes.KindName(lkm.Kind)} ({LkmTypes.ConstantName(lkm.Kind)}, lkm_type {type})");
        }

        yield return new("os", System(lkm));
        if (lkm.InterfaceVersion is { } version)
        {
            yield return new("lkmver", version.ToString(CultureInfo.InvariantCulture));
        }

        if (lkm.SystemVersion is { } sysver)
        {
            yield return new("sysver", sysver.ToString(CultureInfo.InvariantCulture));
        }

        if (lkm.EnvironmentVersion is { } envver)
        {
            yield return new("envver", envver);
        }

        if (lkm.Slot is { } slot)
        {
            yield return new("slot", slot == -1 ? "-1 (any)" : slot.ToString(CultureInfo.InvariantCulture));
        }

        if (lkm.DeviceType is { } deviceType)
        {
            yield return new("devtype", deviceType);
        }

        if (lkm.DescriptorAddress is { } address)
        {
            yield return new("descriptor", $"{lkm.DescriptorSymbol ?? "(unnamed)"} at 0x{address:x} ({Layout(lkm.Layout)} header)");
        }

        int headerWords = lkm.Layout == LkmHeaderLayout.Classic ? 16 : 24;
        foreach (var field in lkm.Fields)
        {
            if (field.Offset >= headerWords && field.Target is not null)
            {
                yield return new(field.Name, field.Target);
            }
        }

        yield return new("midmag", $"{Encoding(aout.MagicEncoding)} (machine id {aout.MachineId})");
    }

    /// <summary>What the view says about the system: the decided one, or the candidates.</summary>
    public static string System(LkmModuleDetails lkm) => lkm.OperatingSystem is { } os
        ? LkmTypes.OsName(os)
        : lkm.Candidates.Count == 0 ? "none consistent" : "one of " + string.Join(", ", lkm.Candidates.Select(LkmTypes.OsName));

    /// <summary>The word for a header layout.</summary>
    public static string Layout(LkmHeaderLayout layout) => layout == LkmHeaderLayout.Classic ? "classic" : "netbsd4";

    /// <summary>The word for a magic encoding.</summary>
    public static string Encoding(AOutMagicEncoding encoding) => encoding switch
    {
        AOutMagicEncoding.NetBsd => "netbsd",
        AOutMagicEncoding.HostOrder => "host-order",
        AOutMagicEncoding.OldStyle => "old-style",
        _ => "gnu",
    };

    /// <summary>Writes the <c>lkm</c> object of the JSON views.</summary>
    public static void WriteJson(System.Text.Json.Utf8JsonWriter w, LkmModuleDetails lkm, AOutDetails aout)
    {
        w.WriteStartObject("lkm");
        if (lkm.RawType is { } type)
        {
            w.WriteNumber("type", type);
        }
        else
        {
            w.WriteNull("type");
        }

        w.WriteString("kind", LkmTypes.KindName(lkm.Kind));
        w.WriteString("os", lkm.OperatingSystem is { } os ? LkmTypes.OsName(os) : null);
        ModuleJson.WriteStrings(w, "osCandidates", lkm.Candidates.Select(LkmTypes.OsName));
        ModuleJson.WriteStrings(w, "evidence", lkm.Evidence);
        w.WriteString("layout", Layout(lkm.Layout));
        WriteNumber(w, "interfaceVersion", lkm.InterfaceVersion);
        WriteNumber(w, "systemVersion", lkm.SystemVersion);
        w.WriteString("environmentVersion", lkm.EnvironmentVersion);
        WriteNumber(w, "slot", lkm.Slot);
        w.WriteString("deviceType", lkm.DeviceType);
        w.WriteString("entry", lkm.EntrySymbol);
        w.WriteString("descriptor", lkm.DescriptorSymbol);
        w.WriteString("descriptorAddress", lkm.DescriptorAddress is { } a ? $"0x{a:x}" : null);
        w.WriteStartArray("fields");
        foreach (var f in lkm.Fields)
        {
            w.WriteStartObject();
            w.WriteString("name", f.Name);
            w.WriteNumber("offset", f.Offset);
            w.WriteNumber("value", f.Value);
            w.WriteString("target", f.Target);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("midmag", Encoding(aout.MagicEncoding));
        w.WriteNumber("machineId", aout.MachineId);
        w.WriteEndObject();
    }

    private static void WriteNumber(System.Text.Json.Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
