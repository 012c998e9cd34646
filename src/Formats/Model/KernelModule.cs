using LkmKit.Formats.IO;

namespace LkmKit.Formats.Model;

/// <summary>
/// The common model of one kernel module, filled by every reader: identity, flavour, architecture, metadata,
/// dependencies, exports and imports, entry points, signature, and the container's sections, symbols and
/// relocations for linking.
/// </summary>
public sealed class KernelModule
{
    /// <summary>Path the module was read from.</summary>
    public required string Path { get; init; }
    /// <summary>The container format.</summary>
    public required ContainerFormat Container { get; init; }
    /// <summary>The kernel family, or <see cref="ModuleFlavor.Unknown"/> for an unrecognised object.</summary>
    public ModuleFlavor Flavor { get; internal set; }
    /// <summary>Processor architecture.</summary>
    public required MachineArchitecture Machine { get; init; }
    /// <summary>The container's raw machine number (e.g. ELF <c>e_machine</c>).</summary>
    public required uint RawMachine { get; init; }
    /// <summary>Word size in bits: 32 or 64.</summary>
    public required int Bits { get; init; }
    /// <summary>Byte order.</summary>
    public required ByteOrder ByteOrder { get; init; }
    /// <summary>What kind of file this is (relocatable, executable, shared, kext bundle, PE image…), in the same words for every container.</summary>
    public ModuleFileKind FileKind { get; init; }
    /// <summary>The container's own name for its file type, as tools print it (e.g. <c>REL</c>, <c>DYN</c>, <c>OMAGIC</c>, <c>KEXT_BUNDLE</c>, <c>PE32+</c>).</summary>
    public string FileType { get; init; } = "";
    /// <summary>How the file was compressed on disk.</summary>
    public CompressionKind Compression { get; init; }
    /// <summary>Size of the (decompressed) file in bytes.</summary>
    public long FileSize { get; init; }

    /// <summary>Module name.</summary>
    public string? Name { get; internal set; }
    /// <summary>Module version as the format states it.</summary>
    public string? Version { get; internal set; }
    /// <summary>Human description.</summary>
    public string? Description { get; internal set; }
    /// <summary>The kernel release or version range the module was built for.</summary>
    public string? TargetKernel { get; internal set; }
    /// <summary>Authors, in file order.</summary>
    public IReadOnlyList<string> Authors => AuthorsList;

    /// <summary>The list behind <see cref="Authors"/>, which the reader fills.</summary>
    internal List<string> AuthorsList { get; } = [];
    /// <summary>Licences, in file order (repeats kept).</summary>
    public IReadOnlyList<string> Licenses => LicensesList;

    /// <summary>The list behind <see cref="Licenses"/>, which the reader fills.</summary>
    internal List<string> LicensesList { get; } = [];
    /// <summary>Modules this module needs.</summary>
    public IReadOnlyList<ModuleDependency> Dependencies => DependenciesList;

    /// <summary>The list behind <see cref="Dependencies"/>, which the reader fills.</summary>
    internal List<ModuleDependency> DependenciesList { get; } = [];
    /// <summary>
    /// What the file offers others, each module with the dependencies it declares: the module <see cref="Name"/> and
    /// <see cref="Version"/> with <see cref="Dependencies"/>, except where the format says more (a FreeBSD file lists
    /// every module it declares and every interface with its version, in <c>modmetadata_set</c> order).
    /// </summary>
    public IReadOnlyList<ModuleProvision> Provides => DeclaredProvides
        ?? (Name is { } name ? [new ModuleProvision(name, Version) { Dependencies = Dependencies }] : []);

    /// <summary>The list behind <see cref="Provides"/> when the flavour declares it; null to derive it from the name.</summary>
    internal IReadOnlyList<ModuleProvision>? DeclaredProvides { get; set; }
    /// <summary>Device-matching aliases.</summary>
    public IReadOnlyList<string> Aliases => AliasesList;

    /// <summary>The list behind <see cref="Aliases"/>, which the reader fills.</summary>
    internal List<string> AliasesList { get; } = [];
    /// <summary>Load-time parameters.</summary>
    public IReadOnlyList<ModuleParameter> Parameters => ParametersList;

    /// <summary>The list behind <see cref="Parameters"/>, which the reader fills.</summary>
    internal List<ModuleParameter> ParametersList { get; } = [];
    /// <summary>Symbols offered to others (read on first use; malformed tables throw then).</summary>
    public IReadOnlyList<ModuleExport> Exports => DeferredExports;

    /// <summary>The list behind <see cref="Exports"/>, which the reader fills or defers.</summary>
    internal LazyList<ModuleExport> DeferredExports { get; } = new();
    /// <summary>Symbols needed from others (read on first use; malformed tables throw then).</summary>
    public IReadOnlyList<ModuleImport> Imports => DeferredImports;

    /// <summary>The list behind <see cref="Imports"/>, which the reader fills or defers.</summary>
    internal LazyList<ModuleImport> DeferredImports { get; } = new();
    /// <summary>Entry points (read on first use; malformed tables throw then).</summary>
    public IReadOnlyList<ModuleEntryPoint> EntryPoints => DeferredEntryPoints;

    /// <summary>The list behind <see cref="EntryPoints"/>, which the reader fills or defers.</summary>
    internal LazyList<ModuleEntryPoint> DeferredEntryPoints { get; } = new();
    /// <summary>Firmware files the module may request.</summary>
    public IReadOnlyList<string> Firmware => FirmwareList;

    /// <summary>The list behind <see cref="Firmware"/>, which the reader fills.</summary>
    internal List<string> FirmwareList { get; } = [];
    /// <summary>The attached signature, or null if unsigned.</summary>
    public ModuleSignature? Signature { get; internal set; }
    /// <summary>The format's raw metadata pairs, in file order (e.g. every <c>.modinfo</c> string).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata => MetadataList;

    /// <summary>The list behind <see cref="Metadata"/>, which the reader fills.</summary>
    internal List<KeyValuePair<string, string>> MetadataList { get; } = [];
    /// <summary>Facts only this module's flavour (operating system) has, or null (e.g. <c>LinuxModuleDetails</c>).</summary>
    public FlavorDetails? Details { get; internal set; }
    /// <summary>
    /// Facts of the container file the common model has no field for (<c>ElfDetails</c>, <c>AOutDetails</c>,
    /// <c>MachODetails</c>, <c>PeImageDetails</c>), or null for a module with no container file (a codeless kext).
    /// </summary>
    public ContainerDetails? ContainerDetails { get; internal set; }
    /// <summary>Problems and observations found while reading.</summary>
    public IReadOnlyList<ModuleDiagnostic> Diagnostics => DiagnosticsList;

    /// <summary>The list behind <see cref="Diagnostics"/>, which the reader fills.</summary>
    internal List<ModuleDiagnostic> DiagnosticsList { get; } = [];

    /// <summary>The container's sections, in table order.</summary>
    public required IReadOnlyList<ModuleSection> Sections { get; init; }
    /// <summary>The container's symbol table, in table order (index 0 is the null symbol in ELF).</summary>
    public required IReadOnlyList<ModuleSymbol> Symbols { get; init; }
    /// <summary>The relocation tables, each patching one section.</summary>
    public required IReadOnlyList<ModuleRelocationSection> RelocationSections { get; init; }

    /// <summary>
    /// The offset of <paramref name="symbol"/> from the start of the section that defines it, in the same meaning for
    /// every container (see <see cref="ModuleSymbol.Value"/>), or null when it is not defined in a section.
    /// </summary>
    public ulong? SectionOffsetOf(ModuleSymbol symbol) =>
        symbol.Definition != SymbolDefinition.Section || symbol.SectionIndex < 0 || symbol.SectionIndex >= Sections.Count ? null
        : SymbolValuesAreSectionOffsets ? symbol.Value
        : symbol.Value - Sections[symbol.SectionIndex].Address;

    /// <summary>
    /// True where a defined symbol's stored value is its section offset (ELF and Mach-O relocatable objects), false where
    /// it is an address in the file's own address space (linked images, a.out objects).
    /// </summary>
    internal bool SymbolValuesAreSectionOffsets { get; init; }

    /// <summary>Returns the metadata values stored under <paramref name="key"/>, in file order.</summary>
    public IEnumerable<string> GetMetadata(string key)
    {
        foreach (var pair in Metadata)
        {
            if (pair.Key == key)
            {
                yield return pair.Value;
            }
        }
    }
}
