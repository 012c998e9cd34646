using LkmKit.Formats.Model;

namespace LkmKit.Linker.Layout;

/// <summary>Every allocated section in section-header order, each aligned to its alignment, from the base.</summary>
internal sealed class SequentialLayout : ILayoutPolicy
{
    /// <inheritdoc />
    public string Name => "sequential";

    /// <inheritdoc />
    public bool AllocatesCommons => true;

    /// <inheritdoc />
    public SectionLayout Lay(KernelModule module, LayoutRequest request)
    {
        var layout = new SectionLayout(module.Sections.Count);
        ulong cursor = request.Base;
        foreach (var section in module.Sections)
        {
            if (section.IsAllocated)
            {
                cursor = PlaceNext(layout, section, cursor, request);
            }
        }

        return layout;
    }

    /// <summary>Places <paramref name="section"/> at the aligned <paramref name="cursor"/> and returns the next free address.</summary>
    internal static ulong PlaceNext(SectionLayout layout, ModuleSection section, ulong cursor, LayoutRequest request)
    {
        ulong address = Align.Up(cursor, request.AlignmentOf(section));
        ulong size = request.SizeOf(section);
        layout.Place(section.Index, address, size);
        return address + size;
    }
}
