using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Relocation;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.MachO;

/// <summary>
/// A Mach-O input as kxld links it: MH_OBJECT, and MH_KEXT_BUNDLE (an image: its symbol values and section addresses
/// are vm addresses); the Mach-O appliers, the kext area and layout, and how Mach-O names meet kernel symbol files.
/// </summary>
internal sealed class MachOLinkInput : LinkInput
{
    /// <summary>True when <paramref name="module"/> is a Mach-O file.</summary>
    public static bool IsMachO(KernelModule module) => module.Container == ContainerFormat.MachO;

    /// <summary>The input for <paramref name="module"/>.</summary>
    /// <exception cref="LinkException">Not an MH_OBJECT or MH_KEXT_BUNDLE (kxld's inputs).</exception>
    public static MachOLinkInput Prepare(KernelModule module, string name) => module.FileKind switch
    {
        ModuleFileKind.Relocatable or ModuleFileKind.KextBundle => new MachOLinkInput(),
        _ => throw new LinkException($"{name}: only MH_OBJECT and MH_KEXT_BUNDLE Mach-O files can be linked (kxld's inputs); this one is {module.FileType}"
            + (module.FileType == "BUNDLE" ? " (an MH_BUNDLE keeps its rebases in LC_DYLD_INFO opcodes or chained fixups, which kxld does not read)" : "")),
    };

    private MachOLinkInput()
    {
    }

    /// <inheritdoc />
    public override IRelocationApplier? Applier(KernelModule module) => module.Machine switch
    {
        MachineArchitecture.X86_64 => new MachOX86_64RelocationApplier(),
        MachineArchitecture.AArch64 => new MachOArm64RelocationApplier(),
        MachineArchitecture.X86 => new MachOI386RelocationApplier(),
        _ => null,
    };

    /// <inheritdoc />
    public override ILayoutPolicy DefaultLayout(KernelModule module) => new KextLayout();

    /// <inheritdoc />
    public override IReadOnlyList<string> HeaderCommands(KernelModule module) =>
        (module.ContainerDetails as MachODetails)?.LoadCommands ?? [];

    /// <summary>
    /// Finds a Mach-O symbol name among the kernel symbols: the exact name first (a macOS kernel's <c>nm</c> list
    /// spells C names <c>_IOLog</c>, as the object does), then, for a name with the C leading underscore, the name
    /// without it (a symbol list in ELF spelling, <c>IOLog</c>).
    /// </summary>
    public override bool TryGetKernelSymbol(KernelSymbols kernel, string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out KernelSymbol symbol)
    {
        if (kernel.TryGet(name, out symbol) && symbol.Address is not null)
        {
            return true;
        }

        symbol = null;
        return name.Length > 1 && name[0] == '_' && kernel.TryGet(name[1..], out symbol) && symbol.Address is not null;
    }

    /// <inheritdoc />
    public override void Run(RelocationRunner runner, KernelModule module, string name, SectionLayout layout, byte[]?[] data, ulong[] addresses) =>
        new MachORelocationRunner(module, name, layout, data, addresses, runner).Run();
}
