using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf;

/// <summary>The ELF container: one module per file, its flavour decided by <see cref="ModuleReader.ElfFlavors"/>.</summary>
internal sealed class ElfContainerReader : IContainerReader
{
    /// <inheritdoc />
    public bool CanRead(ReadOnlySpan<byte> head) => ElfFile.IsElf(head);

    /// <inheritdoc />
    public IReadOnlyList<KernelModule> Read(ModuleSource source) => [ModuleReader.ReadElf(ElfFile.Parse(source.Data, source.Path), source)];
}
