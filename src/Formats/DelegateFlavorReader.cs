using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats;

/// <summary>
/// A flavour a user added with <see cref="ModuleReader.WithFlavor"/>: it sees the model the container built (sections,
/// symbols, relocations), not the parsed container, and returns metadata pairs (<see cref="UserFlavorMetadata"/>).
/// </summary>
internal sealed class DelegateFlavorReader<TContainer>(ModuleFlavor flavor, Func<KernelModule, bool> recognizes,
    Func<KernelModule, ModuleSource?, ModuleReadOptions, IEnumerable<KeyValuePair<string, string>>> read) : IFlavorReader<TContainer>
{
    /// <inheritdoc />
    public ModuleFlavor Flavor => flavor;

    /// <inheritdoc />
    public bool Recognizes(TContainer file) => false;

    /// <inheritdoc />
    public bool Recognizes(TContainer file, KernelModule module) => recognizes(module);

    /// <inheritdoc />
    public void Read(TContainer file, KernelModule module, FlavorReadContext context) =>
        UserFlavorMetadata.Apply(module, read(module, context.Source, context.Options));
}
