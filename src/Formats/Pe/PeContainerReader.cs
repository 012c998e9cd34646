using LkmKit.Formats.Flavors.Windows;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Pe;

/// <summary>The PE container (<c>MZ</c> magic): one module per file, a Windows driver or a plain image.</summary>
internal sealed class PeContainerReader : IContainerReader
{
    /// <inheritdoc />
    public bool CanRead(ReadOnlySpan<byte> head) => PeImage.IsPe(head);

    /// <inheritdoc />
    public IReadOnlyList<KernelModule> Read(ModuleSource source)
    {
        var image = PeImage.Parse(source.Data, source.Path);
        var module = PeModelBuilder.CreateModule(image, source);
        WindowsDriverReader.Read(image, module);
        return [module];
    }
}
