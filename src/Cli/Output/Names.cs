using LkmKit.Formats.Model;

namespace LkmKit.Cli.Output;

/// <summary>The stable lower-case words the text and JSON views use for model enums.</summary>
public static class Names
{
    /// <summary>Container name.</summary>
    public static string Container(ContainerFormat container) => container switch
    {
        ContainerFormat.Elf => "elf",
        ContainerFormat.AOut => "aout",
        ContainerFormat.MachO => "macho",
        ContainerFormat.Pe => "pe",
        _ => container.ToString().ToLowerInvariant(),
    };

    /// <summary>Flavour name.</summary>
    public static string Flavor(ModuleFlavor flavor) => flavor switch
    {
        ModuleFlavor.Linux => "linux",
        ModuleFlavor.FreeBsd => "freebsd",
        ModuleFlavor.NetBsd => "netbsd",
        ModuleFlavor.LegacyLkm => "lkm",
        ModuleFlavor.Kext => "kext",
        ModuleFlavor.WindowsDriver => "windows",
        _ => "unknown",
    };

    /// <summary>Architecture name (the raw machine number for unknown ones).</summary>
    public static string Machine(KernelModule module) => module.Machine switch
    {
        MachineArchitecture.X86 => "i386",
        MachineArchitecture.X86_64 => "x86_64",
        MachineArchitecture.AArch64 => "aarch64",
        MachineArchitecture.Arm => "arm",
        MachineArchitecture.PowerPC => "powerpc",
        MachineArchitecture.PowerPC64 => "powerpc64",
        MachineArchitecture.RiscV => "riscv",
        MachineArchitecture.Mips => "mips",
        MachineArchitecture.S390 => "s390",
        MachineArchitecture.Sparc => "sparc",
        MachineArchitecture.LoongArch => "loongarch",
        MachineArchitecture.IA64 => "ia64",
        _ when module.RawMachine == 0 && module.Bits == 0 => "none",
        _ => $"machine-{module.RawMachine}",
    };

    /// <summary>Dependency kind name.</summary>
    public static string DependencyKind(DependencyKind kind) => kind switch
    {
        Formats.Model.DependencyKind.Hard => "hard",
        Formats.Model.DependencyKind.SoftPre => "soft-pre",
        Formats.Model.DependencyKind.SoftPost => "soft-post",
        Formats.Model.DependencyKind.Weak => "weak",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>A dependency with its kind and version bounds, for text views.</summary>
    public static string Dependency(ModuleDependency d)
    {
        string range = (d.MinimumVersion, d.MaximumVersion) switch
        {
            (null, null) => "",
            ({ } min, null) => $" >= {min}",
            (null, { } max) => $" <= {max}",
            ({ } min, { } max) => $" [{min}, {max}]",
        };
        if (d.PreferredVersion is { } preferred)
        {
            range += $" preferred {preferred}";
        }

        return $"{d.Name}{range}" + (d.Kind == Formats.Model.DependencyKind.Hard ? "" : $" ({DependencyKind(d.Kind)})");
    }

    /// <summary>Entry point kind name.</summary>
    public static string EntryPoint(EntryPointKind kind) => kind switch
    {
        EntryPointKind.Init => "init",
        EntryPointKind.Exit => "exit",
        EntryPointKind.ModuleCommand => "modcmd",
        EntryPointKind.LkmEntry => "lkmentry",
        EntryPointKind.KmodStart => "kmod-start",
        EntryPointKind.KmodStop => "kmod-stop",
        EntryPointKind.DriverEntry => "driver-entry",
        EntryPointKind.ContainerEntry => "entry",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Symbol binding as readelf prints it.</summary>
    public static string Binding(SymbolBinding binding) => binding switch
    {
        SymbolBinding.Local => "LOCAL",
        SymbolBinding.Global => "GLOBAL",
        SymbolBinding.Weak => "WEAK",
        _ => "OTHER",
    };

    /// <summary>Symbol type as readelf prints it.</summary>
    public static string SymbolType(SymbolType type) => type switch
    {
        Formats.Model.SymbolType.NoType => "NOTYPE",
        Formats.Model.SymbolType.Object => "OBJECT",
        Formats.Model.SymbolType.Function => "FUNC",
        Formats.Model.SymbolType.Section => "SECTION",
        Formats.Model.SymbolType.File => "FILE",
        Formats.Model.SymbolType.Common => "COMMON",
        Formats.Model.SymbolType.Tls => "TLS",
        Formats.Model.SymbolType.Debug => "DEBUG",
        _ => "OTHER",
    };

    /// <summary>Relocation kind name.</summary>
    public static string RelocationKind(RelocationKind kind) => kind switch
    {
        Formats.Model.RelocationKind.PcRelative => "pc-relative",
        Formats.Model.RelocationKind.PageRelative => "page-relative",
        Formats.Model.RelocationKind.PageOffset => "page-offset",
        Formats.Model.RelocationKind.MoveWide => "move-wide",
        Formats.Model.RelocationKind.BaseRelative => "base-relative",
        Formats.Model.RelocationKind.SymbolPointer => "symbol-pointer",
        Formats.Model.RelocationKind.GotRelative => "got-relative",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
