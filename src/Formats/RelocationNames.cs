using LkmKit.Formats.AOut;
using LkmKit.Formats.Elf;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats;

/// <summary>The readable name of a relocation's raw type, whatever container it came from.</summary>
internal static class RelocationNames
{
    /// <summary>Names <paramref name="relocation"/>'s raw type in <paramref name="container"/>'s numbering.</summary>
    public static string Describe(ContainerFormat container, in ModuleRelocation relocation) => container switch
    {
        ContainerFormat.Elf => ElfRelocationTypes.Describe(relocation.Machine, relocation.RawType).Name,
        ContainerFormat.AOut => AOutRelocationTypes.Name(relocation.RawType),
        ContainerFormat.MachO => MachORelocationTypes.Describe(relocation.Machine, relocation.RawType).Name,
        ContainerFormat.Pe => Pe.PeBaseRelocationTypes.Name(relocation.Machine, relocation.RawType),
        _ => $"type {relocation.RawType}",
    };
}
