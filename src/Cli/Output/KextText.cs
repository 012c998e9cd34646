using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Output;

/// <summary>The text lines <c>lkm info</c> adds for Mach-O images and kext bundles.</summary>
public static class KextText
{
    /// <summary>Appends the Mach-O and kext fields of <paramref name="module"/> to <paramref name="fields"/>.</summary>
    public static void AddFields(KernelModule module, List<KeyValuePair<string, string>> fields)
    {
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                fields.Add(new(key, value));
            }
        }

        var kext = module.Details as KextDetails;
        var macho = module.ContainerDetails as MachODetails;
        if (kext is not null)
        {
            Add("bundle", kext.BundlePath);
            Add("plugin-of", kext.ParentBundle);
            Add("executable", kext.BundlePath is null ? null : kext.Executable ?? "(codeless)");
            Add("compatible", kext.CompatibleVersion);
            Add("required", kext.Required);
            if (kext.KmodInfo is { } info)
            {
                Add("kmod_info", $"{info.Name} {info.Version}");
            }
        }

        if (macho is not null)
        {
            Add("slice", macho.Slice is { } slice ? $"{macho.ArchName} ({slice.Index + 1} of {macho.SliceCount}, offset 0x{slice.Offset:x})" : macho.ArchName);
            Add("uuid", macho.Uuid);
            if (macho.BuildVersion is { } build)
            {
                Add("platform", $"{build.Platform} {build.MinimumOs} (sdk {build.Sdk})");
            }

            Add("source_version", macho.SourceVersion);
            if (macho.CodeSignature is { } signature)
            {
                Add("code_signature", $"0x{signature.DataOffset:x}+0x{signature.DataSize:x}");
            }

            Add("chained_fixups", string.Join(", ", macho.ChainedFixupFormats));
        }

        if (kext is not null)
        {
            foreach (var p in kext.Personalities)
            {
                string match = string.Join(" ", p.Match.Select(m => $"{m.Key}={m.Value}"));
                Add("personality", $"{p.Name}: {p.IOClass ?? "?"} on {p.ProviderClass ?? "?"}{(match.Length > 0 ? " " + match : "")}");
            }

            foreach (var plugIn in kext.PlugIns)
            {
                Add("plugin", plugIn);
            }
        }
    }
}
