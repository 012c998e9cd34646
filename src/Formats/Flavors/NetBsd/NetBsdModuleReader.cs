using System.Text;
using LkmKit.Formats.Elf;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Flavors.NetBsd;

/// <summary>
/// Recognises NetBSD kernel modules (ET_REL with a <c>link_set_modules</c> section) and fills the model from the
/// <c>modinfo_t</c> its single pointer leads to (mi_version, mi_class, mi_name, mi_required, mi_modcmd, each pointer
/// resolved through its relocation), the optional <c>NAME.prop</c> file next to it and the <c>.ident</c> RCS ids.
/// </summary>
internal sealed class NetBsdModuleReader : IFlavorReader<ElfFile>
{
    /// <summary>The link set holding the pointer to the module's <c>modinfo_t</c>.</summary>
    public const string LinkSet = "link_set_modules";

    /// <summary>NetBSD's MAXMODNAME: a module name must be shorter.</summary>
    public const int MaxNameLength = 32;

    /// <inheritdoc />
    public ModuleFlavor Flavor => ModuleFlavor.NetBsd;

    /// <inheritdoc />
    public bool Recognizes(ElfFile elf) => elf.Header.Type == ElfConstants.TypeRel && elf.FindSection(LinkSet) >= 0;

    /// <inheritdoc />
    public void Read(ElfFile elf, KernelModule module, FlavorReadContext context)
    {
        var details = new NetBsdModuleDetails();
        module.Details = details;
        var reader = new ElfPointerReader(elf);
        var modinfo = FindModinfo(elf, reader);
        ReadModinfo(reader, modinfo, module, details);
        ReadRcsIds(elf, details);
        ReadProperties(module, details, context.Source);
        module.DeferredExports.Defer(() => ElfModuleSymbols.Exports(elf, IsLinkSetBound));
        module.DeferredImports.Defer(() => ElfModuleSymbols.Imports(elf, name => IsLinkSetBound(name) || name == "_GLOBAL_OFFSET_TABLE_"));
    }

    /// <summary>The path of the properties file NetBSD reads for a module: <c>.kmod</c> replaced by <c>.prop</c>, else <c>.prop</c> appended.</summary>
    public static string PropertiesPath(string modulePath) =>
        modulePath.EndsWith(".kmod", StringComparison.Ordinal) ? modulePath[..^5] + ".prop" : modulePath + ".prop";

    private static bool IsLinkSetBound(string name) =>
        name.StartsWith("__start_link_set_", StringComparison.Ordinal) || name.StartsWith("__stop_link_set_", StringComparison.Ordinal);

    private static RelocatedTarget FindModinfo(ElfFile elf, ElfPointerReader reader)
    {
        int set = elf.FindSection(LinkSet);
        var header = elf.Sections[set];
        if (header.Size != (ulong)reader.PointerSize)
        {
            throw new ModuleFormatException(elf.Path, (long)header.Offset, LinkSet,
                $"holds 0x{header.Size:x} bytes; a NetBSD module has exactly one {reader.PointerSize}-byte pointer to its modinfo_t");
        }

        return reader.ReadPointer(set, 0, LinkSet) ?? throw new ModuleFormatException(elf.Path, (long)header.Offset, LinkSet, "is a NULL pointer");
    }

    private static void ReadModinfo(ElfPointerReader reader, RelocatedTarget at, KernelModule module, NetBsdModuleDetails details)
    {
        const string structure = "modinfo_t";
        ulong pointer = (ulong)reader.PointerSize;
        var bytes = reader.Read(at, (int)(8 + 3 * pointer), structure);
        var r = reader.File.Reader;
        details.RawVersion = r.U32(bytes, 0);
        details.RawClass = r.I32(bytes, 4);
        details.ModinfoSymbol = reader.SymbolName(at);

        var name = reader.ReadPointer(at, 8 + pointer, structure + " mi_name")
            ?? throw new ModuleFormatException(reader.File.Path, reader.FileOffsetOf(at.SectionIndex, at.Offset), structure, "mi_name is a NULL pointer");
        module.Name = reader.ReadString(name, structure + " mi_name");
        if (module.Name.Length >= MaxNameLength)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"mi_name '{module.Name}' is {module.Name.Length} characters; NetBSD requires fewer than {MaxNameLength}"));
        }

        module.TargetKernel = details.OsVersion;
        module.MetadataList.Add(new("mi_version", details.RawVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        module.MetadataList.Add(new("mi_class", details.Class));
        module.MetadataList.Add(new("mi_name", module.Name));

        if (reader.ReadPointer(at, 8 + 2 * pointer, structure + " mi_required") is { } required)
        {
            details.Required = reader.ReadString(required, structure + " mi_required");
            details.RequiredEncoding = details.Required.Length == 0 ? NetBsdRequiredEncoding.Empty : NetBsdRequiredEncoding.List;
            module.MetadataList.Add(new("mi_required", details.Required));
            foreach (var dependency in SplitRequired(details.Required))
            {
                if (dependency == module.Name)
                {
                    module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"module '{module.Name}' requires itself (the kernel refuses it with EDEADLK)"));
                }

                module.DependenciesList.Add(new ModuleDependency(dependency, DependencyKind.Hard));
            }
        }

        var command = reader.ReadPointer(at, 8, structure + " mi_modcmd");
        details.ModuleCommand = command is { } c ? reader.SymbolName(c) : null;
        if (command is { } cmd)
        {
            module.MetadataList.Add(new("mi_modcmd", details.ModuleCommand ?? $"0x{reader.AddressOf(cmd):x}"));
            module.DeferredEntryPoints.Defer(() => [new ModuleEntryPoint(EntryPointKind.ModuleCommand, details.ModuleCommand, cmd.SectionIndex >= 0 ? reader.AddressOf(cmd) : null)]);
        }
        else
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, "mi_modcmd is a NULL pointer"));
        }
    }

    /// <summary>Splits mi_required as <c>module_do_load</c> does: items separated by ',', a leading ',' skipped, an empty item ends the list.</summary>
    public static List<string> SplitRequired(string required)
    {
        var names = new List<string>();
        int at = 0;
        while (at < required.Length)
        {
            if (required[at] == ',')
            {
                at++;
            }

            int end = required.IndexOf(',', at);
            if (end < 0)
            {
                end = required.Length;
            }

            if (end == at)
            {
                break;
            }

            names.Add(required[at..end]);
            at = end;
        }

        return names;
    }

    private static void ReadRcsIds(ElfFile elf, NetBsdModuleDetails details)
    {
        int index = elf.FindSection(".ident");
        if (index < 0)
        {
            return;
        }

        foreach (var piece in CString.Split(elf.GetSectionBytes(index)))
        {
            if (piece.StartsWith("$NetBSD:"u8))
            {
                details.RcsIdsList.Add(CString.Decode(piece));
            }
        }
    }

    private static void ReadProperties(KernelModule module, NetBsdModuleDetails details, ModuleSource? source)
    {
        if (source?.FindSideFile(PropertiesPath(module.Path)) is not { } file)
        {
            return;
        }

        string path = file.Path;
        details.PropertiesPath = path;
        if (file.Length >= PropertyListReader.KernelSizeLimit)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                $"{Path.GetFileName(path)} is {file.Length} bytes; the kernel ignores property files of {PropertyListReader.KernelSizeLimit} bytes or more"));
            return;
        }

        try
        {
            foreach (var property in PropertyListReader.Parse(file.Read(), path))
            {
                details.PropertiesList.Add(property);
            }
        }
        catch (ModuleFormatException e)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"{Path.GetFileName(path)}: {e.Reason}"));
        }
    }
}
