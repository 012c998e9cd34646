using LkmKit.Formats.Elf;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Converting;

/// <summary>The module system a legacy LKM is converted for.</summary>
public enum ConversionTarget
{
    /// <summary>A NetBSD module(7) <c>.kmod</c> (ET_REL).</summary>
    NetBsd,

    /// <summary>A Linux i386 <c>.ko</c> (ET_REL).</summary>
    Linux,

    /// <summary>A FreeBSD i386 kld (ET_DYN).</summary>
    FreeBsd,
}

/// <summary>What to convert a legacy LKM into.</summary>
public sealed record ConversionOptions
{
    /// <summary>The target module system.</summary>
    public required ConversionTarget Target { get; init; }

    /// <summary>The target release (NetBSD: <c>10.0</c>, <c>9.3</c>…); null for the target's default.</summary>
    public string? Release { get; init; }

    /// <summary>The licence to declare where the target records one.</summary>
    public string? License { get; init; }

    /// <summary>
    /// Linux: real modules built for the target kernel. The first gives <c>struct module</c>'s layout (it must have
    /// module_init and module_exit) and the vermagic; all of them give the CRCs of the kernel symbols they import.
    /// </summary>
    public IReadOnlyList<KernelModule> Like { get; init; } = [];
}

/// <summary>
/// Converts a legacy i386 a.out LKM (NetBSD 1.x–4, OpenBSD, FreeBSD 2.x) into a modern module: the LKM's code and data
/// unchanged, its relocations and symbols in ELF terms, and a generated shim that calls the old entry point the way
/// the old kernel did (reference: loader-depmod-convert §5).
/// </summary>
public static class LkmConverter
{
    /// <summary>The converted module's file bytes.</summary>
    /// <exception cref="ConversionException">The module cannot be converted for that target; the message says why.</exception>
    public static byte[] Convert(KernelModule module, ConversionOptions options)
    {
        var details = Check(module);
        return options.Target switch
        {
            ConversionTarget.NetBsd => ElfWriter.Build(NetBsdConversion.Build(module, details, options)),
            ConversionTarget.Linux => ElfWriter.Build(LinuxConversion.Build(module, details, options)),
            ConversionTarget.FreeBsd => ElfWriter.Build(FreeBsdSharedImage.Build(FreeBsdConversion.Build(module, details, options))),
            _ => throw new ConversionException($"conversion to {options.Target} is not implemented yet"),
        };
    }

    /// <summary>The relocatable object a FreeBSD conversion links into its ET_DYN image (kmod.mk's <c>.kld</c>).</summary>
    internal static byte[] FreeBsdIntermediate(KernelModule module, ConversionOptions options) =>
        ElfWriter.Build(FreeBsdConversion.Build(module, Check(module), options).Describe(ElfConstants.OsAbiFreeBsd));

    /// <summary>
    /// Where the old <c>struct sysent</c> keeps <c>sy_call</c>: after <c>short sy_narg, sy_argsize</c> (NetBSD 1.x,
    /// OpenBSD 1997) or <c>int sy_narg</c> (FreeBSD 2.x) at 4; NetBSD 4 and OpenBSD 4.x put an <c>int sy_flags</c> first, so 8.
    /// </summary>
    internal static int OldSysentCallOffset(LkmModuleDetails details) =>
        details.Layout == LkmHeaderLayout.NetBsd4 || details.OperatingSystem == LkmOperatingSystem.OpenBsd ? 8 : 4;

    private static LkmModuleDetails Check(KernelModule module)
    {
        if (module.Flavor != ModuleFlavor.LegacyLkm || module.Details is not LkmModuleDetails details)
        {
            throw new ConversionException($"{module.Path} is not a legacy a.out LKM (flavour {module.Flavor})");
        }

        if (details.Kind == LkmModuleKind.Unknown)
        {
            string systems = string.Join(", ", details.Candidates.Select(LkmTypes.OsName));
            throw new ConversionException($"lkm_type {details.RawType} means different module types on the systems the file may be for ({systems}); name the system with --os");
        }

        if (details.EntrySymbol is null)
        {
            throw new ConversionException("the LKM has no entry point (<name>_lkmentry, xxxinit or <name>_mod)");
        }

        if (details.InterfaceVersion is null)
        {
            throw new ConversionException("the descriptor records no LKM_VERSION, which the old entry point must be called with");
        }

        if (string.IsNullOrEmpty(module.Name))
        {
            throw new ConversionException("the descriptor names no module (lkm_name)");
        }

        return details;
    }
}
