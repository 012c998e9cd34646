using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Flavors.Linux;

/// <summary>
/// Recognises Linux loadable modules (ET_REL with <c>.gnu.linkonce.this_module</c>, or <c>.modinfo</c> holding
/// <c>vermagic=</c>) and fills the model from <c>.modinfo</c>, <c>__versions</c>, the export tables, struct module,
/// the ELF notes and the appended signature.
/// </summary>
internal sealed class LinuxModuleReader : IFlavorReader<ElfFile>
{
    /// <summary>The section holding the module's struct module.</summary>
    public const string ThisModuleSection = ".gnu.linkonce.this_module";

    private const uint NoteBuildSalt = 0x100;
    private const uint NoteGnuBuildId = 3;

    /// <inheritdoc />
    public ModuleFlavor Flavor => ModuleFlavor.Linux;

    /// <inheritdoc />
    public bool Recognizes(ElfFile elf)
    {
        if (elf.Header.Type != ElfConstants.TypeRel)
        {
            return false;
        }

        if (elf.FindSection(ThisModuleSection) >= 0)
        {
            return true;
        }

        int modinfo = elf.FindSection(".modinfo");
        return modinfo >= 0 && Modinfo.Parse(elf.GetSectionBytes(modinfo)).Exists(p => p.Key == "vermagic");
    }

    /// <inheritdoc />
    public void Read(ElfFile elf, KernelModule module, FlavorReadContext context)
    {
        var details = new LinuxModuleDetails { ElfLength = elf.Data.Length };
        module.Details = details;

        ReadSignature(elf, module, details);
        ReadModinfo(elf, module, details);
        ReadStructModuleName(elf, details);
        module.Name ??= details.StructModuleName ?? NameFromPath(module.Path);
        ReadNotes(elf, details);

        // Tables that `modinfo`-style views never print are read when first asked for.
        details.DeferredSymbolVersions.Defer(() => ModversionsReader.Read(elf));
        module.DeferredImports.Defer(() => ReadImports(elf, module));
        module.DeferredExports.Defer(() => ExportTableReader.Read(elf, module));
        module.DeferredEntryPoints.Defer(() => ReadEntryPoints(elf, details));
        details.LoadEntryPoints = () => _ = module.EntryPoints.Count;
    }

    /// <summary>The module name kmod derives from a file name: the base name up to the first '.', with '-' as '_'.</summary>
    public static string NameFromPath(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        int dot = name.IndexOf('.');
        return (dot >= 0 ? name[..dot] : name).Replace('-', '_');
    }

    private static void ReadSignature(ElfFile elf, KernelModule module, LinuxModuleDetails details)
    {
        if (ModuleSignatureReader.TryRead(elf.Data.Span, elf.Path, out var signature, out int elfLength))
        {
            module.Signature = signature;
            details.ElfLength = elfLength;
        }
    }

    private static void ReadModinfo(ElfFile elf, KernelModule module, LinuxModuleDetails details)
    {
        int index = elf.FindSection(".modinfo");
        if (index < 0)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, "no .modinfo section"));
            return;
        }

        var pairs = Modinfo.Parse(elf.GetSectionBytes(index));
        module.MetadataList.AddRange(pairs);
        foreach (var pair in pairs)
        {
            Apply(module, details, pair.Key, pair.Value);
        }

        module.ParametersList.AddRange(Modinfo.MergeParameters(pairs));
    }

    private static void Apply(KernelModule module, LinuxModuleDetails details, string key, string value)
    {
        switch (key)
        {
            case "name": module.Name = value; break;
            case "version": module.Version = value; break;
            case "description": module.Description = value; break;
            case "srcversion": details.SourceVersion = value; break;
            case "intree": details.InTree = value == "Y"; break;
            case "retpoline": details.Retpoline = value == "Y"; break;
            case "staging": details.Staging = value == "Y"; break;
            case "import_ns": details.ImportedNamespacesList.Add(value); break;
            case "vermagic":
                details.VersionMagic = VersionMagic.Parse(value);
                module.TargetKernel = details.VersionMagic.Release;
                break;
            case "softdep": AddSoftDependencies(module, value); break;
            case "weakdep":
                foreach (var name in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    module.DependenciesList.Add(new ModuleDependency(name, DependencyKind.Weak));
                }

                break;
            default:
                Modinfo.ApplyListKey(module, key, value);
                break;
        }
    }

    private static void AddSoftDependencies(KernelModule module, string value)
    {
        DependencyKind? kind = null;
        foreach (var token in value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (token == "pre:")
            {
                kind = DependencyKind.SoftPre;
            }
            else if (token == "post:")
            {
                kind = DependencyKind.SoftPost;
            }
            else if (kind is { } k)
            {
                module.DependenciesList.Add(new ModuleDependency(token, k));
            }
            else
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"softdep '{value}': module '{token}' before any 'pre:' or 'post:'"));
            }
        }
    }

    private static void ReadStructModuleName(ElfFile elf, LinuxModuleDetails details)
    {
        int index = elf.FindSection(ThisModuleSection);
        if (index < 0)
        {
            return;
        }

        details.StructModuleSize = elf.Sections[index].Size;
        int nameOffset = elf.Is64 ? 24 : 12;
        int nameLength = 64 - (elf.Is64 ? 8 : 4);
        var bytes = elf.GetSectionBytes(index);
        if (bytes.Length >= nameOffset + nameLength)
        {
            if (CString.TryRead(bytes.Slice(nameOffset, nameLength), out var name) && !name.IsEmpty)
            {
                details.StructModuleName = CString.Decode(name);
            }
        }
    }

    private static List<ModuleEntryPoint> ReadEntryPoints(ElfFile elf, LinuxModuleDetails details)
    {
        var entries = new List<ModuleEntryPoint>(2);
        int index = elf.FindSection(ThisModuleSection);
        if (index < 0)
        {
            return entries;
        }

        var pointers = new ElfPointerReader(elf);
        ulong size = elf.Sections[index].Size;
        for (ulong offset = 0; offset < size; offset += (ulong)(elf.Is64 ? 8 : 4))
        {
            string? symbol = pointers.RelocationSymbolName(index, offset);
            if (symbol is not ("init_module" or "cleanup_module"))
            {
                continue;
            }

            pointers.TryResolve(index, offset, ThisModuleSection, out var target);
            bool init = symbol == "init_module";
            if (init)
            {
                details.InitFieldOffset = offset;
            }
            else
            {
                details.ExitFieldOffset = offset;
            }

            entries.Add(new ModuleEntryPoint(init ? EntryPointKind.Init : EntryPointKind.Exit, symbol, target.SectionIndex >= 0 ? target.Offset : null));
        }

        return entries;
    }

    private static List<ModuleImport> ReadImports(ElfFile elf, KernelModule module)
    {
        var versions = SymbolVersionIndex.Build(elf);
        // modpost records a version for each symbol a module imports, so the count sizes the list (bounded by the file).
        var imports = new List<ModuleImport>(versions.Count);
        int tableIndex = elf.FindSectionOfType(ElfConstants.ShtSymTab);
        if (tableIndex < 0)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Error, "module has no symbols (stripped?)"));
            return imports;
        }

        var symbols = elf.GetSymbolTable(tableIndex);
        var entries = symbols.Bytes;
        var strings = symbols.StringBytes;
        var data = elf.Data.Span;
        for (int i = 1; i < symbols.Count; i++)
        {
            var symbol = symbols.Read(entries, i);
            if (!symbol.IsUndefined || symbol.NameOffset == 0)
            {
                continue;
            }

            var bytes = symbols.GetNameBytes(strings, symbol);
            if (bytes.IsEmpty || bytes.SequenceEqual("_GLOBAL_OFFSET_TABLE_"u8))
            {
                continue;
            }

            imports.Add(new ModuleImport(symbols.GetName(strings, symbol), versions.CrcOf(bytes, data), symbol.Binding == ElfConstants.StbWeak));
        }

        return imports;
    }

    private static void ReadNotes(ElfFile elf, LinuxModuleDetails details)
    {
        for (int i = 0; i < elf.Sections.Length; i++)
        {
            if (elf.Sections[i].Type != ElfConstants.ShtNote)
            {
                continue;
            }

            foreach (var note in elf.ReadNotes(i))
            {
                if (note.Owner == "Linux" && note.Type == NoteBuildSalt)
                {
                    details.BuildSalt = CString.Decode(CString.Field(note.Descriptor.Span));
                }
                else if (note.Owner == "GNU" && note.Type == NoteGnuBuildId)
                {
                    details.BuildId = Convert.ToHexString(note.Descriptor.Span).ToLowerInvariant();
                }
            }
        }
    }
}
