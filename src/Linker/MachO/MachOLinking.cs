using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;
using LkmKit.Linker.Relocation;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.MachO;

/// <summary>
/// What the linker does differently for Mach-O inputs: which files it accepts (MH_OBJECT, and MH_KEXT_BUNDLE as kxld
/// relocates it), the appliers, the kext area, symbol values of images, and how Mach-O names meet kernel symbol files.
/// </summary>
internal static class MachOLinking
{
    /// <summary>The model's file type of an MH_OBJECT.</summary>
    public const string ObjectFileType = "OBJECT";

    /// <summary>The model's file type of an MH_KEXT_BUNDLE.</summary>
    public const string KextBundleFileType = "KEXT_BUNDLE";

    /// <summary>True when <paramref name="module"/> is a Mach-O file.</summary>
    public static bool IsMachO(KernelModule module) => module.Container == ContainerFormat.MachO;

    /// <summary>True when <paramref name="module"/> is a Mach-O image (not an object): its symbol values and section addresses are vm addresses.</summary>
    public static bool IsImage(KernelModule module) => IsMachO(module) && module.FileType != ObjectFileType;

    /// <summary>Why <paramref name="module"/> cannot be linked, or null when it can (MH_OBJECT, MH_KEXT_BUNDLE).</summary>
    public static string? Refusal(KernelModule module) => module.FileType switch
    {
        ObjectFileType or KextBundleFileType => null,
        _ => $"only MH_OBJECT and MH_KEXT_BUNDLE Mach-O files can be linked (kxld's inputs); this one is {module.FileType}"
            + (module.FileType == "BUNDLE" ? " (an MH_BUNDLE keeps its rebases in LC_DYLD_INFO opcodes or chained fixups, which kxld does not read)" : ""),
    };

    /// <summary>The Mach-O applier for <paramref name="machine"/>, or null when there is none.</summary>
    public static IRelocationApplier? ApplierFor(MachineArchitecture machine) => machine switch
    {
        MachineArchitecture.X86_64 => new MachOX86_64RelocationApplier(),
        MachineArchitecture.AArch64 => new MachOArm64RelocationApplier(),
        MachineArchitecture.X86 => new MachOI386RelocationApplier(),
        _ => null,
    };

    /// <summary>
    /// What the model's value of a symbol defined in <paramref name="sectionIndex"/> is relative to: 0 in an MH_OBJECT
    /// (values are section offsets), the section's own vm address in an image (values are addresses).
    /// </summary>
    public static ulong SymbolValueOrigin(KernelModule module, int sectionIndex) =>
        IsImage(module) && sectionIndex >= 0 && sectionIndex < module.Sections.Count ? module.Sections[sectionIndex].Address : 0;

    /// <summary>
    /// Finds a Mach-O symbol name among the kernel symbols: the exact name first (a macOS kernel's <c>nm</c> list
    /// spells C names <c>_IOLog</c>, as the object does), then, for a name with the C leading underscore, the name
    /// without it (a symbol list in ELF spelling, <c>IOLog</c>).
    /// </summary>
    public static bool TryGetKernelSymbol(KernelSymbols kernel, string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out KernelSymbol symbol)
    {
        if (kernel.TryGet(name, out symbol) && symbol.Address is not null)
        {
            return true;
        }

        symbol = null;
        return name.Length > 1 && name[0] == '_' && kernel.TryGet(name[1..], out symbol) && symbol.Address is not null;
    }
}
