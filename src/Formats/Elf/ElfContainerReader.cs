using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf;

/// <summary>The ELF container: one module per file, its flavour decided by the first of <paramref name="flavors"/> that recognises it.</summary>
internal sealed class ElfContainerReader(IReadOnlyList<IFlavorReader<ElfFile>> flavors) : IContainerReader
{
    /// <inheritdoc />
    public bool CanRead(ReadOnlySpan<byte> head) => ElfFile.IsElf(head);

    /// <inheritdoc />
    public IReadOnlyList<KernelModule> Read(ModuleSource source, ModuleReadOptions options) =>
        [ReadModule(ElfFile.Parse(source.Data, source.Path), source, options)];

    /// <summary>Builds the model of a parsed ELF file and lets its flavour fill the metadata.</summary>
    public KernelModule ReadModule(ElfFile elf, ModuleSource? source, ModuleReadOptions options)
    {
        var module = ElfModelBuilder.CreateModule(elf, source);
        FlavorReaders.Apply(flavors, elf, module, new FlavorReadContext(source, options),
            "not a recognised kernel module: no Linux, FreeBSD or NetBSD module markers; read as a plain ELF object");
        return module;
    }
}
