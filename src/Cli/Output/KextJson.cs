using System.Text.Json;
using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Output;

/// <summary>The <c>macho</c> and <c>kext</c> objects of a module's JSON line.</summary>
public static class KextJson
{
    /// <summary>Writes the Mach-O and kext details, if <paramref name="module"/> has any.</summary>
    public static void Write(Utf8JsonWriter w, KernelModule module)
    {
        var kext = module.Details as KextDetails;
        var macho = module.ContainerDetails as MachODetails;
        if (macho is not null)
        {
            w.WriteStartObject("macho");
            w.WriteString("arch", macho.ArchName);
            w.WriteString("cputype", $"0x{macho.CpuType:x}");
            w.WriteString("cpusubtype", $"0x{macho.CpuSubtype:x}");
            w.WriteString("flags", $"0x{macho.Flags:x}");
            if (macho.Slice is { } slice)
            {
                w.WriteStartObject("slice");
                w.WriteNumber("index", slice.Index);
                w.WriteNumber("count", macho.SliceCount);
                w.WriteNumber("offset", slice.Offset);
                w.WriteNumber("size", slice.Size);
                w.WriteNumber("align", slice.Align);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("slice");
            }

            w.WriteString("uuid", macho.Uuid);
            if (macho.BuildVersion is { } b)
            {
                w.WriteStartObject("buildVersion");
                w.WriteString("command", b.Command);
                w.WriteString("platform", b.Platform);
                w.WriteString("minos", b.MinimumOs);
                w.WriteString("sdk", b.Sdk);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("buildVersion");
            }

            w.WriteString("sourceVersion", macho.SourceVersion);
            if (macho.CodeSignature is { } cs)
            {
                w.WriteStartObject("codeSignature");
                w.WriteNumber("offset", cs.DataOffset);
                w.WriteNumber("size", cs.DataSize);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("codeSignature");
            }

            ModuleJson.WriteStrings(w, "chainedFixupFormats", macho.ChainedFixupFormats);
            ModuleJson.WriteStrings(w, "segments", macho.Segments);
            ModuleJson.WriteStrings(w, "loadCommands", macho.LoadCommands);
            w.WriteEndObject();
        }

        if (kext is null)
        {
            return;
        }

        w.WriteStartObject("kext");
        w.WriteString("bundle", kext.BundlePath);
        w.WriteString("parentBundle", kext.ParentBundle);
        w.WriteString("identifier", kext.BundleIdentifier);
        w.WriteString("bundleVersion", kext.BundleVersion);
        w.WriteString("shortVersion", kext.ShortVersion);
        w.WriteString("packageType", kext.PackageType);
        w.WriteString("executable", kext.Executable);
        w.WriteBoolean("codeless", kext.IsCodeless);
        w.WriteString("compatibleVersion", kext.CompatibleVersion);
        w.WriteString("required", kext.Required);
        w.WriteString("plistFormat", kext.PlistFormat);
        if (kext.KmodInfo is { } k)
        {
            w.WriteStartObject("kmodInfo");
            w.WriteString("name", k.Name);
            w.WriteString("version", k.Version);
            w.WriteNumber("infoVersion", k.InfoVersion);
            w.WriteString("address", $"0x{k.Address:x}");
            w.WriteString("start", k.Start is { } s ? $"0x{s:x}" : null);
            w.WriteString("startSymbol", k.StartSymbol);
            w.WriteString("stop", k.Stop is { } t ? $"0x{t:x}" : null);
            w.WriteString("stopSymbol", k.StopSymbol);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("kmodInfo");
        }

        w.WriteStartArray("personalities");
        foreach (var p in kext.Personalities)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("ioClass", p.IOClass);
            w.WriteString("providerClass", p.ProviderClass);
            w.WriteStartObject("match");
            foreach (var (key, value) in p.Match)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        ModuleJson.WriteStrings(w, "plugIns", kext.PlugIns);
        w.WriteEndObject();
    }

}
