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
/// The entry point for reading modules: opens a path, recognises the container by its magic and the flavour
/// by its contents, and returns the common model.
/// </summary>
public static class ModuleReader
{
    /// <summary>The ELF container with the flavours tried, in order, on every ELF file.</summary>
    internal static readonly ElfContainerReader Elf = new([new LinuxModuleReader(), new FreeBsdModuleReader(), new NetBsdModuleReader()]);

    /// <summary>The Mach-O container with its flavour (kexts).</summary>
    internal static readonly MachOContainerReader MachO = new([new KextBinaryReader()]);

    /// <summary>The container formats tried, in order, on every file, each with its flavours.</summary>
    internal static readonly IContainerReader[] Containers =
    [
        Elf,
        MachO,
        new PeContainerReader([new WindowsDriverReader()]),
        new AOutContainerReader([new LkmModuleReader()]), // last: its magic numbers are the weakest
    ];

    /// <summary>Opens and reads the file at <paramref name="path"/>, or the bundle directory (<c>.kext</c>) at it.</summary>
    /// <exception cref="ModuleFormatException">The file is malformed or in no supported format.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ModuleFile Open(string path) => Open(path, ModuleReadOptions.Default);

    /// <summary>Opens and reads the file at <paramref name="path"/> with choices the file cannot make itself.</summary>
    /// <exception cref="ModuleFormatException">The file is malformed or in no supported format.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ModuleFile Open(string path, ModuleReadOptions options)
    {
        if (ModuleSource.OpenUnlessDirectory(path, options.MapAbove) is not { } source)
        {
            return KextBundleReader.Open(path);
        }

        try
        {
            return new ModuleFile(path, Read(source, options), source);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Reads the modules in an already opened source. The modules reference the source's memory.</summary>
    public static IReadOnlyList<KernelModule> Read(ModuleSource source) => Read(source, ModuleReadOptions.Default);

    /// <summary>Reads the modules in an already opened source with <paramref name="options"/>. The modules reference the source's memory.</summary>
    public static IReadOnlyList<KernelModule> Read(ModuleSource source, ModuleReadOptions options)
    {
        var span = source.Data.Span;
        foreach (var container in Containers)
        {
            if (container.CanRead(span))
            {
                return container.Read(source, options);
            }
        }

        throw new ModuleFormatException(source.Path, 0, "file", $"not a recognised module container (first bytes {Hex(span[..Math.Min(8, span.Length)])})");
    }

    /// <summary>Builds the model of an ELF file and lets the first flavour that recognises it fill the metadata.</summary>
    internal static KernelModule ReadElf(ElfFile elf, ModuleSource? source = null) => Elf.ReadModule(elf, source, ModuleReadOptions.Default);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
