using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats;

/// <summary>
/// One operating system's modules inside one container (<typeparamref name="TContainer"/>: the parsed ELF, a.out,
/// Mach-O or PE file). Every container calls its flavours through this one protocol (<see cref="FlavorReaders.Apply"/>);
/// the containers know no flavour by name, <see cref="ModuleReader"/> wires them together.
/// </summary>
/// <typeparam name="TContainer">The parsed container file.</typeparam>
internal interface IFlavorReader<in TContainer>
{
    /// <summary>The flavour this reader produces.</summary>
    ModuleFlavor Flavor { get; }

    /// <summary>True when <paramref name="file"/> is a module of this flavour (decided by content, never by file name).</summary>
    bool Recognizes(TContainer file);

    /// <summary>
    /// True when <paramref name="file"/>, whose container part of the model is <paramref name="module"/>, is a module of
    /// this flavour. The built-in flavours look at the parsed file only; a user's flavour looks at the model.
    /// </summary>
    bool Recognizes(TContainer file, KernelModule module) => Recognizes(file);

    /// <summary>Fills <paramref name="module"/>'s metadata and flavour details from <paramref name="file"/>.</summary>
    /// <exception cref="ModuleFormatException">The flavour's structures are malformed.</exception>
    void Read(TContainer file, KernelModule module, FlavorReadContext context);
}

/// <summary>What a flavour reader may use besides the parsed container.</summary>
/// <param name="Source">The bytes the container was parsed from (null when a caller parsed a container itself).</param>
/// <param name="Options">The caller's choices.</param>
internal sealed record FlavorReadContext(ModuleSource? Source, ModuleReadOptions Options);

/// <summary>The one way a container hands its file to its flavours.</summary>
internal static class FlavorReaders
{
    /// <summary>
    /// Lets the first of <paramref name="flavors"/> that recognises <paramref name="file"/> fill <paramref name="module"/>;
    /// when none does, the module keeps flavour <see cref="ModuleFlavor.Unknown"/> with <paramref name="unrecognised"/> as a warning.
    /// </summary>
    public static void Apply<TContainer>(IReadOnlyList<IFlavorReader<TContainer>> flavors, TContainer file, KernelModule module,
        FlavorReadContext context, string unrecognised)
    {
        for (int i = 0; i < flavors.Count; i++)
        {
            var flavor = flavors[i];
            if (flavor.Recognizes(file, module))
            {
                module.Flavor = flavor.Flavor;
                flavor.Read(file, module, context);
                return;
            }
        }

        module.Flavor = ModuleFlavor.Unknown;
        module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, unrecognised));
    }
}
