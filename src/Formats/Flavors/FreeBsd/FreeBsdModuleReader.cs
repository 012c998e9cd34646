using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>
/// Recognises FreeBSD kernel modules (ET_REL on amd64, ET_DYN elsewhere) by their <c>set_modmetadata_set</c> linker
/// set and fills the model from its <c>mod_metadata</c> records: module names, interface versions, dependencies with
/// version bounds (the <c>kernel</c> dependency becomes the target kernel range), event handlers and PnP tables.
/// </summary>
internal sealed class FreeBsdModuleReader : IFlavorReader<ElfFile>
{
    /// <summary>The pseudo-module every FreeBSD module depends on: the kernel itself.</summary>
    public const string KernelModule = "kernel";

    /// <inheritdoc />
    public ModuleFlavor Flavor => ModuleFlavor.FreeBsd;

    /// <inheritdoc />
    public bool Recognizes(ElfFile elf) =>
        elf.Header.Type is ElfConstants.TypeRel or ElfConstants.TypeDyn or ElfConstants.TypeExec
        && elf.FindSection(FreeBsdMetadataReader.SetSection) >= 0;

    /// <inheritdoc />
    public void Read(ElfFile elf, KernelModule module, FlavorReadContext context)
    {
        var details = new FreeBsdModuleDetails { IsShared = elf.Header.Type != ElfConstants.TypeRel };
        module.Details = details;
        foreach (var record in FreeBsdMetadataReader.Read(elf, new ElfPointerReader(elf), module.DiagnosticsList))
        {
            details.Records.Add(record);
        }

        Apply(module, details);
        module.DeferredExports.Defer(() => ElfModuleSymbols.Exports(elf, IsLinkerSetBound));
        module.DeferredImports.Defer(() => ElfModuleSymbols.Imports(elf, name => IsLinkerSetBound(name) || name == "_GLOBAL_OFFSET_TABLE_"));
    }

    /// <summary>True for the <c>__start_set_*</c>/<c>__stop_set_*</c> symbols the loader binds to linker-set bounds.</summary>
    public static bool IsLinkerSetBound(string name) =>
        name.StartsWith("__start_set_", StringComparison.Ordinal) || name.StartsWith("__stop_set_", StringComparison.Ordinal);

    private static void Apply(KernelModule module, FreeBsdModuleDetails details)
    {
        var records = details.Records;
        var provided = new HashSet<string>(records.Where(r => r.Type == FreeBsdMetadataType.Version).Select(r => r.Name), StringComparer.Ordinal);
        var dependencies = new HashSet<(string, FreeBsdDependRange)>();
        var entries = new List<ModuleEntryPoint>();
        foreach (var r in records)
        {
            switch (r.Type)
            {
                case FreeBsdMetadataType.Module:
                    module.Name ??= r.Name;
                    module.MetadataList.Add(new("module", r.Name));
                    if (r.Module is { } data)
                    {
                        if (data.Name is { } declared && declared != r.Name)
                        {
                            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"MDT_MODULE '{r.Name}' points to moduledata_t named '{declared}'"));
                        }

                        entries.Add(new ModuleEntryPoint(EntryPointKind.ModuleCommand, data.Handler, data.HandlerAddress));
                    }

                    break;
                case FreeBsdMetadataType.Version when r.Version is { } v:
                    module.MetadataList.Add(new("interface", $"{r.Name}.{v}"));
                    break;
                case FreeBsdMetadataType.Depend when r.Depend is { } range:
                    module.MetadataList.Add(new("depends", $"{r.Name}.{range.Preferred} ({range.Minimum},{range.Maximum})"));
                    if (r.Name == KernelModule)
                    {
                        if (details.KernelRange is null)
                        {
                            details.KernelRange = range;
                            module.TargetKernel = range.Minimum == range.Maximum ? $"{range.Minimum}" : $"{range.Minimum}..{range.Maximum}";
                        }
                        else if (details.KernelRange != range)
                        {
                            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                                $"kernel dependency [{range.Minimum}, {range.Maximum}] differs from the first one [{details.KernelRange.Minimum}, {details.KernelRange.Maximum}]"));
                        }
                    }
                    else if (!provided.Contains(r.Name) && dependencies.Add((r.Name, range)))
                    {
                        module.DependenciesList.Add(DependencyOn(r.Name, range));
                    }

                    break;
                case FreeBsdMetadataType.PnpInfo when r.Pnp is { } pnp:
                    module.MetadataList.Add(new("pnp", $"bus {pnp.Bus} format {pnp.Descriptor} {pnp.EntryCount} entries of {pnp.EntryLength} bytes"));
                    break;
            }
        }

        if (module.Name is { } name && records.FirstOrDefault(r => r.Type == FreeBsdMetadataType.Version && r.Name == name)?.Version is { } version)
        {
            module.Version = Invariant(version);
        }

        if (module.Name is null)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, "set_modmetadata_set declares no module (no MDT_MODULE record)"));
        }

        module.DeferredEntryPoints.Defer(() => entries);
        module.DeclaredProvides = Provides(records);
    }

    /// <summary>
    /// Every MDT_MODULE and MDT_VERSION record as a provision, in set order, each with the MODULE_DEPEND records declared
    /// under its name (a module before an interface of the same name); a dependency whose declarer is unknown or names
    /// nothing the file provides goes to the file's module when it declares exactly one.
    /// </summary>
    private static List<ModuleProvision> Provides(List<FreeBsdMetadataRecord> records)
    {
        var modules = records.Where(r => r.Type == FreeBsdMetadataType.Module).Select(r => r.Name).ToList();
        var interfaces = records.Where(r => r.Type == FreeBsdMetadataType.Version && r.Version is not null).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var declared = new Dictionary<(string Name, bool IsInterface), List<ModuleDependency>>();
        foreach (var r in records)
        {
            if (r.Type != FreeBsdMetadataType.Depend || r.Depend is not { } range)
            {
                continue;
            }

            (string, bool)? owner = r.DeclaredBy is { } by && modules.Contains(by) ? (by, false)
                : r.DeclaredBy is { } face && interfaces.Contains(face) ? (face, true)
                : modules.Count == 1 ? (modules[0], false)
                : null;
            if (owner is not { } key)
            {
                continue;
            }

            var dependency = DependencyOn(r.Name, range);
            var list = declared.TryGetValue(key, out var l) ? l : declared[key] = [];
            if (!list.Contains(dependency))
            {
                list.Add(dependency);
            }
        }

        var result = new List<ModuleProvision>();
        foreach (var r in records)
        {
            bool isInterface = r.Type == FreeBsdMetadataType.Version;
            if (r.Type != FreeBsdMetadataType.Module && !(isInterface && r.Version is not null))
            {
                continue;
            }

            string? version = isInterface ? Invariant(r.Version!.Value)
                : records.FirstOrDefault(v => v.Type == FreeBsdMetadataType.Version && v.Name == r.Name)?.Version is { } same ? Invariant(same) : null;
            if (result.Any(p => p.Name == r.Name && p.IsInterface == isInterface && p.Version == version))
            {
                continue;
            }

            result.Add(new ModuleProvision(r.Name, version, isInterface)
            {
                Dependencies = declared.TryGetValue((r.Name, isInterface), out var dependencies) ? dependencies : [],
            });
        }

        return result;
    }

    /// <summary>A MODULE_DEPEND record as a model dependency (versions as decimal text).</summary>
    private static ModuleDependency DependencyOn(string name, FreeBsdDependRange range) =>
        new(name, DependencyKind.Hard, Invariant(range.Minimum), Invariant(range.Maximum), Invariant(range.Preferred));

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
