using LkmKit.Formats.AOut;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.Flavors.Windows;
using LkmKit.Formats.IO;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Pe;

namespace LkmKit.Formats;

/// <summary>
/// Reads modules: opens a path, recognises the container by its magic and the flavour by its contents, and returns the
/// common model. An instance holds the read options and the registered containers and flavours; it is immutable and
/// may be shared between threads. <see cref="Default"/> knows every built-in container and flavour, and the static
/// <see cref="Open(string)"/> and <see cref="Read(ModuleSource)"/> are shortcuts to it.
/// </summary>
/// <example>
/// A flavour of one's own for ELF files, tried before the built-in ones:
/// <code>
/// var reader = ModuleReader.Default.WithFlavor(ContainerFormat.Elf, ModuleFlavor.Unknown,
///     module => module.Sections.Any(s => s.Name == ".mykernel.modinfo"),
///     (module, source, options) => [new("name", "…"), new("depends", "a,b")]);
/// using var file = reader.OpenFile("driver.ko");
/// </code>
/// </example>
public sealed class ModuleReader
{
    private readonly IContainerReader[] _userContainers;
    private readonly (ContainerFormat Container, ModuleFlavor Flavor, Func<KernelModule, bool> Recognizes,
        Func<KernelModule, ModuleSource?, ModuleReadOptions, IEnumerable<KeyValuePair<string, string>>> Read)[] _userFlavors;

    /// <summary>Every built-in container and flavour, with <see cref="ModuleReadOptions.Default"/>.</summary>
    public static ModuleReader Default { get; } = new();

    /// <summary>A reader with every built-in container and flavour and <see cref="ModuleReadOptions.Default"/>.</summary>
    public ModuleReader() : this(ModuleReadOptions.Default)
    {
    }

    /// <summary>A reader with every built-in container and flavour and <paramref name="options"/>.</summary>
    public ModuleReader(ModuleReadOptions options) : this(options, [], [])
    {
    }

    private ModuleReader(ModuleReadOptions options, IContainerReader[] userContainers,
        (ContainerFormat, ModuleFlavor, Func<KernelModule, bool>, Func<KernelModule, ModuleSource?, ModuleReadOptions, IEnumerable<KeyValuePair<string, string>>>)[] userFlavors)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _userContainers = userContainers;
        _userFlavors = userFlavors;
        Elf = new ElfContainerReader([.. UserFlavors<ElfFile>(ContainerFormat.Elf), new LinuxModuleReader(), new FreeBsdModuleReader(), new NetBsdModuleReader()]);
        MachO = new MachOContainerReader([.. UserFlavors<MachOFile>(ContainerFormat.MachO), new KextBinaryReader()]);
        Containers =
        [
            .. userContainers,
            Elf,
            MachO,
            new PeContainerReader([.. UserFlavors<PeImage>(ContainerFormat.Pe), new WindowsDriverReader()]),
            new AOutContainerReader([.. UserFlavors<AOutFile>(ContainerFormat.AOut), new LkmModuleReader()]), // last: its magic numbers are the weakest
        ];
    }

    /// <summary>The choices this reader makes where a file cannot (e.g. which system's <c>lkm_type</c> numbering applies).</summary>
    public ModuleReadOptions Options { get; }

    /// <summary>The ELF container with the flavours tried, in order, on every ELF file.</summary>
    internal ElfContainerReader Elf { get; }

    /// <summary>The Mach-O container with its flavours (kexts); bundles read their executables through it.</summary>
    internal MachOContainerReader MachO { get; }

    /// <summary>The containers tried, in order, on every file, each with its flavours: the user's first, a.out last.</summary>
    internal IContainerReader[] Containers { get; }

    /// <summary>This reader with <paramref name="options"/> instead of <see cref="Options"/>.</summary>
    public ModuleReader WithOptions(ModuleReadOptions options) => new(options, _userContainers, _userFlavors);

    /// <summary>
    /// This reader with one more flavour for <paramref name="container"/>, tried before the built-in flavours of that
    /// container (flavours added earlier first), and on the modules of containers added with <see cref="WithContainer"/>
    /// whose <see cref="KernelModule.Container"/> is <paramref name="container"/>. It sees the container's part of the
    /// model — sections with their bytes, symbols, relocations — and, when it recognises a module, returns its metadata.
    /// </summary>
    /// <param name="container">The container whose files the flavour looks at.</param>
    /// <param name="flavor">The flavour a recognised module gets (<see cref="ModuleFlavor.Unknown"/> for a system the enum does not name).</param>
    /// <param name="recognizes">True when the module is this flavour's; decide by content, never by file name.</param>
    /// <param name="read">Returns the module's metadata pairs in file order; gets the source (null when a caller parsed the
    /// container itself) and the options. Every pair goes to <see cref="KernelModule.Metadata"/>; the keys <c>name</c>,
    /// <c>version</c>, <c>description</c> (the first of each), <c>author</c>, <c>license</c>, <c>alias</c>, <c>firmware</c> and
    /// <c>depends</c> (comma-separated, hard dependencies) also fill the common model. Malformed input should throw
    /// <see cref="ModuleFormatException"/>.</param>
    public ModuleReader WithFlavor(ContainerFormat container, ModuleFlavor flavor, Func<KernelModule, bool> recognizes,
        Func<KernelModule, ModuleSource?, ModuleReadOptions, IEnumerable<KeyValuePair<string, string>>> read)
    {
        ArgumentNullException.ThrowIfNull(recognizes);
        ArgumentNullException.ThrowIfNull(read);
        return new(Options, _userContainers, [.. _userFlavors, (container, flavor, recognizes, read)]);
    }

    /// <summary>
    /// This reader with one more container format, tried before the built-in containers (containers added earlier first).
    /// The modules it returns then go through the flavours added for their <see cref="KernelModule.Container"/>.
    /// </summary>
    /// <param name="canRead">True when the bytes from the start of a file (decompressed; the whole file when reading, the first 4 KiB
    /// or more when <see cref="Discovery.ModuleDiscovery"/> decides) are this container's magic.</param>
    /// <param name="read">Reads the modules of the source with the options; they may reference the source's memory.
    /// Malformed input should throw <see cref="ModuleFormatException"/>.</param>
    public ModuleReader WithContainer(Func<ReadOnlySpan<byte>, bool> canRead, Func<ModuleSource, ModuleReadOptions, IReadOnlyList<KernelModule>> read)
    {
        ArgumentNullException.ThrowIfNull(canRead);
        ArgumentNullException.ThrowIfNull(read);
        return new(Options, [.. _userContainers, new DelegateContainerReader(canRead, read)], _userFlavors);
    }

    /// <summary>Opens and reads the file at <paramref name="path"/>, or the bundle directory (<c>.kext</c>) at it.</summary>
    /// <exception cref="ModuleFormatException">The file is malformed or in no supported format.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public ModuleFile OpenFile(string path) => OpenFile(path, Options);

    /// <summary>Reads the modules in an already opened source. The modules reference the source's memory.</summary>
    /// <exception cref="ModuleFormatException">The file is malformed or in no supported format.</exception>
    public IReadOnlyList<KernelModule> ReadSource(ModuleSource source) => ReadSource(source, Options);

    /// <summary>Opens and reads the file at <paramref name="path"/>, or the bundle directory (<c>.kext</c>) at it, with <see cref="Default"/>.</summary>
    /// <exception cref="ModuleFormatException">The file is malformed or in no supported format.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ModuleFile Open(string path) => Default.OpenFile(path, ModuleReadOptions.Default);

    /// <summary>Opens and reads the file at <paramref name="path"/> with <see cref="Default"/>'s formats and choices the file cannot make itself.</summary>
    /// <exception cref="ModuleFormatException">The file is malformed or in no supported format.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ModuleFile Open(string path, ModuleReadOptions options) => Default.OpenFile(path, options);

    /// <summary>Reads the modules in an already opened source with <see cref="Default"/>. The modules reference the source's memory.</summary>
    /// <exception cref="ModuleFormatException">The file is malformed or in no supported format.</exception>
    public static IReadOnlyList<KernelModule> Read(ModuleSource source) => Default.ReadSource(source, ModuleReadOptions.Default);

    /// <summary>Reads the modules in an already opened source with <see cref="Default"/>'s formats and <paramref name="options"/>. The modules reference the source's memory.</summary>
    /// <exception cref="ModuleFormatException">The file is malformed or in no supported format.</exception>
    public static IReadOnlyList<KernelModule> Read(ModuleSource source, ModuleReadOptions options) => Default.ReadSource(source, options);

    /// <summary>Builds the model of an ELF file with the default flavours.</summary>
    internal static KernelModule ReadElf(ElfFile elf, ModuleSource? source = null) => Default.Elf.ReadModule(elf, source, ModuleReadOptions.Default);

    private ModuleFile OpenFile(string path, ModuleReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ModuleSource.OpenUnlessDirectory(path, options.MapAbove) is not { } source)
        {
            return KextBundleReader.Open(path, MachO, options);
        }

        try
        {
            return new ModuleFile(path, ReadSource(source, options), source);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private IReadOnlyList<KernelModule> ReadSource(ModuleSource source, ModuleReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var span = source.Data.Span;
        foreach (var container in Containers)
        {
            if (container.CanRead(span))
            {
                var modules = container.Read(source, options);
                if (container is DelegateContainerReader)
                {
                    ApplyUserFlavors(modules, source, options);
                }

                return modules;
            }
        }

        throw new ModuleFormatException(source.Path, 0, "file", $"not a recognised module container (first bytes {Hex(span[..Math.Min(8, span.Length)])})");
    }

    /// <summary>The first flavour added for each module's container that recognises it fills it (a user's container has no built-in flavours).</summary>
    private void ApplyUserFlavors(IReadOnlyList<KernelModule> modules, ModuleSource source, ModuleReadOptions options)
    {
        foreach (var module in modules)
        {
            foreach (var (format, flavor, recognizes, read) in _userFlavors)
            {
                if (format == module.Container && recognizes(module))
                {
                    module.Flavor = flavor;
                    UserFlavorMetadata.Apply(module, read(module, source, options));
                    break;
                }
            }
        }
    }

    private IEnumerable<IFlavorReader<TContainer>> UserFlavors<TContainer>(ContainerFormat container)
    {
        foreach (var (format, flavor, recognizes, read) in _userFlavors)
        {
            if (format == container)
            {
                yield return new DelegateFlavorReader<TContainer>(flavor, recognizes, read);
            }
        }
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
