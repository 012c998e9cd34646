using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// link_elf_obj's link_elf_fix_link_set: in a FreeBSD ET_REL module an undefined <c>__start_NAME</c> or
/// <c>__stop_NAME</c> is bound to the start or end of the first loaded section called NAME (e.g.
/// <c>set_modmetadata_set</c>), before any other lookup.
/// </summary>
internal static class FreeBsdLinkSets
{
    private const string Start = "__start_", Stop = "__stop_";

    /// <summary>The bound <paramref name="name"/> stands for in <paramref name="module"/>, or null when it is not one.</summary>
    public static ulong? Bound(KernelModule module, SectionLayout layout, string name)
    {
        bool start = name.StartsWith(Start, StringComparison.Ordinal);
        if (!start && !name.StartsWith(Stop, StringComparison.Ordinal))
        {
            return null;
        }

        var set = name.AsSpan(start ? Start.Length : Stop.Length);
        foreach (int index in layout.Order)
        {
            var section = module.Sections[index];
            if (set.SequenceEqual(section.Name))
            {
                return layout.AddressOf(index) + (start ? 0 : section.Size);
            }
        }

        return null;
    }
}
