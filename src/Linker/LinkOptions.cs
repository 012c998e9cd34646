using LkmKit.Linker.Layout;

namespace LkmKit.Linker;

/// <summary>How <see cref="ModuleLinker"/> links.</summary>
public sealed class LinkOptions
{
    /// <summary>The layout policy; null chooses the module flavour's own (<see cref="LayoutPolicies.ForFlavor"/>).</summary>
    public ILayoutPolicy? Layout { get; init; }

    /// <summary>The first address; null chooses the architecture's module area (<see cref="DefaultBase"/>).</summary>
    public ulong? Base { get; init; }

    /// <summary>Resolve unknown symbols to zero, like weak ones, instead of failing.</summary>
    public bool AllowUndefined { get; init; }

    /// <summary>The start of the kernel's module area on each architecture (Linux x86_64, i386, arm64).</summary>
    public static ulong DefaultBase(Formats.Model.MachineArchitecture machine) => machine switch
    {
        Formats.Model.MachineArchitecture.X86_64 => 0xffffffffc0000000,
        Formats.Model.MachineArchitecture.X86 => 0xf8000000,
        Formats.Model.MachineArchitecture.AArch64 => 0xffff800000000000,
        _ => 0x100000,
    };
}
