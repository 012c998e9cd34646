using LkmKit.Formats.Model;
using static LkmKit.Formats.Elf.ElfConstants;

namespace LkmKit.Linker.Layout;

/// <summary>
/// FreeBSD's link_elf_obj: allocated PROGBITS/NOBITS (and amd64 X86_64_UNWIND) sections with a non-zero size, in
/// section-header order, each aligned to <c>sh_addralign</c>, in one contiguous block.
/// </summary>
internal sealed class BsdLayout : ILayoutPolicy
{
    /// <inheritdoc />
    public string Name => "bsd";

    /// <inheritdoc />
    public bool AllocatesCommons => true;

    /// <inheritdoc />
    public SectionLayout Lay(KernelModule module, LayoutRequest request)
    {
        var layout = new SectionLayout(module.Sections.Count);
        ulong cursor = request.Base;
        foreach (var section in module.Sections)
        {
            bool loadable = section.RawType is ShtProgBits or ShtNoBits
                || (section.RawType == ShtX86_64Unwind && module.Machine == MachineArchitecture.X86_64);
            if (section.IsAllocated && loadable && request.SizeOf(section) != 0)
            {
                cursor = SequentialLayout.PlaceNext(layout, section, cursor, request);
            }
        }

        return layout;
    }
}
