using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.AOut;

/// <summary>
/// The a.out container: one module per file. Its magic numbers are weak (two significant bytes), so a file is
/// claimed only with a distinctive first word or with sizes that all fit the file (<see cref="AOutFile.IsAOut"/>).
/// Legacy LKM objects get their flavour from the first of <paramref name="flavors"/> that recognises them; other a.out
/// files are read as plain objects.
/// </summary>
internal sealed class AOutContainerReader(IReadOnlyList<IFlavorReader<AOutFile>> flavors) : IContainerReader
{
    /// <inheritdoc />
    public bool CanRead(ReadOnlySpan<byte> head) => AOutFile.IsAOut(head);

    /// <inheritdoc />
    public IReadOnlyList<KernelModule> Read(ModuleSource source, ModuleReadOptions options)
    {
        var aout = AOutFile.Parse(source.Data, source.Path);
        var module = AOutModelBuilder.CreateModule(aout, source);
        FlavorReaders.Apply(flavors, aout, module, new FlavorReadContext(source, options),
            "not a recognised kernel module: no *_lkmentry, __module or *_mod_struct symbol; read as a plain a.out object");

        return [module];
    }
}
