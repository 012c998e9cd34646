using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats;

/// <summary>A container a user added with <see cref="ModuleReader.WithContainer"/>: two delegates.</summary>
internal sealed class DelegateContainerReader(
    Func<ReadOnlySpan<byte>, bool> canRead, Func<ModuleSource, ModuleReadOptions, IReadOnlyList<KernelModule>> read) : IContainerReader
{
    /// <inheritdoc />
    public bool CanRead(ReadOnlySpan<byte> head) => canRead(head);

    /// <inheritdoc />
    public IReadOnlyList<KernelModule> Read(ModuleSource source, ModuleReadOptions options) => read(source, options);
}
