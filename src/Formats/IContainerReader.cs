using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats;

/// <summary>
/// Reads one container format (ELF, a.out, Mach-O, PE, or one a user adds to a <see cref="ModuleReader"/>), recognised
/// by its leading bytes.
/// </summary>
internal interface IContainerReader
{
    /// <summary>True when <paramref name="head"/> (the start of the file) is this container's magic.</summary>
    bool CanRead(ReadOnlySpan<byte> head);

    /// <summary>Reads the modules of <paramref name="source"/> honouring <paramref name="options"/>; they may reference the source's memory.</summary>
    IReadOnlyList<KernelModule> Read(ModuleSource source, ModuleReadOptions options);
}
