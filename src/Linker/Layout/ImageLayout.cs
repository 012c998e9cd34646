using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Layout;

/// <summary>
/// An ET_DYN image as FreeBSD's link_elf maps it: one block in which every section keeps its place, so a section with
/// image address <c>sh_addr</c> lands at B + <c>sh_addr</c>, where the relocation base B is the load address minus the
/// page-truncated address of the image's start. Loaded are the allocated sections with a size (the contents of the
/// PT_LOAD segments; the model has no program headers), except TLS NOBITS sections, which take no room in a segment.
/// Sections that overlap, or an image larger than a module may load or past the top of the address space, are refused.
/// </summary>
internal sealed class ImageLayout : ILayoutPolicy
{
    /// <inheritdoc />
    public string Name => "image";

    /// <inheritdoc />
    public bool AllocatesCommons => false;

    /// <summary>True when <paramref name="section"/> is part of the mapped image.</summary>
    public static bool IsLoaded(ModuleSection section) =>
        section.IsAllocated && section.Size > 0 && !(section.RawType == ElfConstants.ShtNoBits && (section.RawFlags & ElfConstants.ShfTls) != 0);

    /// <summary>
    /// The relocation base B for an image mapped at <paramref name="loadAddress"/>: the load address minus the page-truncated
    /// lowest address of a loaded section (link_elf: <c>mapbase - trunc_page(first p_vaddr)</c>).
    /// </summary>
    public static ulong RelocationBase(KernelModule module, ulong loadAddress)
    {
        ulong lowest = ulong.MaxValue;
        foreach (var section in module.Sections)
        {
            if (IsLoaded(section))
            {
                lowest = Math.Min(lowest, section.Address);
            }
        }

        ulong start = lowest == ulong.MaxValue ? 0 : lowest & ~(LinuxLayout.PageSize - 1);
        return loadAddress >= start
            ? loadAddress - start
            : throw new LinkException($"{Describe(module)}: load address 0x{loadAddress:x} is below the image's start 0x{start:x}");
    }

    /// <summary>Places every loaded section at <paramref name="request"/>'s base (the relocation base) plus its image address.</summary>
    public SectionLayout Lay(KernelModule module, LayoutRequest request)
    {
        ulong top = module.Bits == 32 ? 1UL << 32 : ulong.MaxValue;
        var layout = new SectionLayout(module.Sections.Count);
        var placed = new List<ModuleSection>();
        foreach (var section in module.Sections)
        {
            if (!IsLoaded(section))
            {
                continue;
            }

            ulong address = request.Base + section.Address;
            if (address < request.Base || section.Size > top - address || address > top - section.Size)
            {
                throw new LinkException($"{Describe(module)}: section {section.Name} at image address 0x{section.Address:x} (0x{section.Size:x} bytes) " +
                    $"does not fit the {module.Bits}-bit address space at base 0x{request.Base:x}");
            }

            layout.Place(section.Index, address, section.Size);
            placed.Add(section);
        }

        placed.Sort((a, b) => a.Address.CompareTo(b.Address));
        for (int i = 1; i < placed.Count; i++)
        {
            var (previous, current) = (placed[i - 1], placed[i]);
            if (current.Address - previous.Address < previous.Size)
            {
                throw new LinkException($"{Describe(module)}: sections {previous.Name} (0x{previous.Address:x}, 0x{previous.Size:x} bytes) and " +
                    $"{current.Name} (0x{current.Address:x}) overlap in the image");
            }
        }

        if (placed.Count > 0 && placed[^1].Address + placed[^1].Size - placed[0].Address > ModuleLinker.MaxModuleBytes)
        {
            throw new LinkException($"{Describe(module)}: the image spans 0x{placed[0].Address:x}..0x{placed[^1].Address + placed[^1].Size:x}, more than a module may load");
        }

        return layout;
    }

    private static string Describe(KernelModule module) => module.Name ?? Path.GetFileName(module.Path);
}
