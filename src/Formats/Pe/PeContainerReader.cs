using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Pe;

/// <summary>The PE container (<c>MZ</c> magic): one module per file, its flavour from the first of <paramref name="flavors"/> that recognises it.</summary>
internal sealed class PeContainerReader(IReadOnlyList<IFlavorReader<PeImage>> flavors) : IContainerReader
{
    /// <inheritdoc />
    public bool CanRead(ReadOnlySpan<byte> head) => PeImage.IsPe(head);

    /// <inheritdoc />
    public IReadOnlyList<KernelModule> Read(ModuleSource source, ModuleReadOptions options)
    {
        var image = PeImage.Parse(source.Data, source.Path);
        var module = PeModelBuilder.CreateModule(image, source);
        FlavorReaders.Apply(flavors, image, module, new FlavorReadContext(source, options), "not a recognised PE image");
        return [module];
    }
}
