using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Relocation;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.Elf;

/// <summary>
/// An ELF relocatable object (ET_REL) as its flavour's loader links it: the flavour's applier rules (Linux refuses a
/// non-zero place on x86_64, FreeBSD reads REL addends its own way), the flavour's layout, the module PLT of Linux
/// arm64, and FreeBSD's binding of <c>__start_SET</c>/<c>__stop_SET</c> to loaded sections.
/// </summary>
internal sealed class ElfObjectLinkInput(ModuleFlavor flavor, MachineArchitecture machine) : LinkInput
{
    /// <inheritdoc />
    public override IRelocationApplier? Applier(KernelModule module) => RelocationAppliers.For(machine, flavor);

    /// <inheritdoc />
    public override ILayoutPolicy DefaultLayout(KernelModule module) => LayoutPolicies.ForFlavor(flavor);

    /// <inheritdoc />
    public override AArch64ModulePlt? PlanPlt(KernelModule module) =>
        machine == MachineArchitecture.AArch64 && flavor == ModuleFlavor.Linux ? AArch64ModulePlt.Plan(module) : null;

    /// <inheritdoc />
    public override ulong? LoaderBound(KernelModule module, SectionLayout layout, string name) =>
        flavor == ModuleFlavor.FreeBsd ? FreeBsdLinkSets.Bound(module, layout, name) : null;
}

/// <summary>A FreeBSD ET_DYN module: mapped as one image and relocated by its dynamic tables (<see cref="DynamicImageLinker"/>).</summary>
internal sealed class FreeBsdImageLinkInput(MachineArchitecture machine) : LinkInput
{
    /// <inheritdoc />
    public override IRelocationApplier? Applier(KernelModule module) => RelocationAppliers.For(machine, ModuleFlavor.FreeBsd);

    /// <inheritdoc />
    public override bool IsImage => true;
}
