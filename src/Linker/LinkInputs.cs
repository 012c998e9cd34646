using LkmKit.Formats.Model;
using LkmKit.Linker.AOut;
using LkmKit.Linker.Elf;
using LkmKit.Linker.MachO;

namespace LkmKit.Linker;

/// <summary>
/// Chooses the <see cref="LinkInput"/> of a module from its container, file kind, flavour and machine — the one place
/// that asks — or refuses a module no kernel loader links.
/// </summary>
internal static class LinkInputs
{
    /// <summary>The input for <paramref name="module"/>, named <paramref name="name"/> in errors.</summary>
    /// <exception cref="LinkException">The module is of a kind this linker does not link.</exception>
    public static LinkInput For(KernelModule module, string name) => (module.Container, module.FileKind, module.Flavor) switch
    {
        (ContainerFormat.MachO, _, _) => MachOLinkInput.Prepare(module, name),
        (ContainerFormat.AOut, _, _) => AOutLinkInput.For(module, name),
        (ContainerFormat.Elf, ModuleFileKind.Relocatable, var flavor) => new ElfObjectLinkInput(flavor, module.Machine),
        (ContainerFormat.Elf, ModuleFileKind.Shared, ModuleFlavor.FreeBsd) => new FreeBsdImageLinkInput(module.Machine),
        _ => throw new LinkException($"{name}: only relocatable objects (ELF ET_REL, a.out OMAGIC, Mach-O MH_OBJECT), kext bundles and FreeBSD ET_DYN modules can be linked; this one is {module.FileType}"),
    };

    /// <summary>The first address of a link starting with <paramref name="module"/> when the caller chose none (kexts have their own area).</summary>
    public static ulong DefaultBase(KernelModule module) =>
        MachOLinkInput.IsMachO(module) ? Layout.KextLayout.DefaultBase(module.Machine) : LinkOptions.DefaultBase(module.Machine);
}
