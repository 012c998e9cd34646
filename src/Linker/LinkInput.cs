using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Relocation;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker;

/// <summary>
/// What linking one kind of input takes — one per (container, file kind, flavour, machine), chosen once per module by
/// <see cref="LinkInputs.For"/>. The linker core (<see cref="ModuleLinker"/>, <see cref="SymbolResolver"/>, the layouts)
/// asks the input and never tests the container, file kind or flavour itself. The defaults are those of an ELF
/// relocatable object.
/// </summary>
internal abstract class LinkInput
{
    /// <summary>The applier for the module's relocations, or null when the machine has none.</summary>
    public abstract IRelocationApplier? Applier(KernelModule module);

    /// <summary>True when the module is mapped as one image and relocated by its dynamic tables (<see cref="DynamicImageLinker"/>).</summary>
    public virtual bool IsImage => false;

    /// <summary>The layout the module's own kernel uses when the caller chose none.</summary>
    public virtual ILayoutPolicy DefaultLayout(KernelModule module) => LayoutPolicies.ForFlavor(module.Flavor);

    /// <summary>The module PLT the loader adds (Linux arm64), or null.</summary>
    public virtual AArch64ModulePlt? PlanPlt(KernelModule module) => null;

    /// <summary>The load commands a Mach-O header written in front of the sections would carry (<see cref="KextLayout"/>); empty for other inputs.</summary>
    public virtual IReadOnlyList<string> HeaderCommands(KernelModule module) => [];

    /// <summary>Refuses a layout that leaves out what the loader must place.</summary>
    /// <exception cref="LinkException">The layout does not fit this input.</exception>
    public virtual void CheckLayout(KernelModule module, string name, SectionLayout layout, ILayoutPolicy policy)
    {
    }

    /// <summary>The alignment and size a common symbol gets.</summary>
    public virtual (ulong Alignment, ulong Size) CommonShape(ModuleSymbol symbol) => (Math.Max(1, symbol.Value), symbol.Size);

    /// <summary>The address an undefined <paramref name="name"/> is bound to by the loader before any lookup, or null.</summary>
    public virtual ulong? LoaderBound(KernelModule module, SectionLayout layout, string name) => null;

    /// <summary>Finds an undefined symbol's name among the kernel symbols, in the input's spelling rules.</summary>
    public virtual bool TryGetKernelSymbol(KernelSymbols kernel, string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out KernelSymbol symbol) =>
        kernel.TryGet(name, out symbol);

    /// <summary>The relocation tables to apply, with addends in the ELF meaning (S + A − P).</summary>
    public virtual IReadOnlyList<ModuleRelocationSection> RelocationTables(KernelModule module) => module.RelocationSections;

    /// <summary>Applies the relocations through <paramref name="runner"/>.</summary>
    public virtual void Run(RelocationRunner runner, KernelModule module, string name, SectionLayout layout, byte[]?[] data, ulong[] addresses) => runner.Run();
}
