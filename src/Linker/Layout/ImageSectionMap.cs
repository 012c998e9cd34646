using LkmKit.Formats.Model;

namespace LkmKit.Linker.Layout;

/// <summary>
/// Finds the loaded section that holds an image address (an ET_DYN relocation's <c>r_offset</c>) without allocating:
/// the loaded sections sorted by image address, searched by halving, with the last hit tried first because dynamic
/// relocations are mostly in address order.
/// </summary>
internal sealed class ImageSectionMap
{
    private readonly ulong[] _starts;
    private readonly ulong[] _sizes;
    private readonly int[] _indexes;
    private int _last;

    /// <summary>Maps the sections of <paramref name="module"/> that <paramref name="layout"/> placed, by their image addresses.</summary>
    public ImageSectionMap(KernelModule module, SectionLayout layout)
    {
        var placed = layout.Order.Select(i => module.Sections[i]).OrderBy(s => s.Address).ToArray();
        _starts = [.. placed.Select(s => s.Address)];
        _sizes = [.. placed.Select(s => s.Size)];
        _indexes = [.. placed.Select(s => s.Index)];
    }

    /// <summary>The section holding image address <paramref name="address"/> and the offset in it; false when none does.</summary>
    public bool TryFind(ulong address, out int section, out ulong offset)
    {
        int i = _last;
        if (!Holds(i, address))
        {
            i = Array.BinarySearch(_starts, address);
            i = i >= 0 ? i : ~i - 1;
            if (!Holds(i, address))
            {
                section = -1;
                offset = 0;
                return false;
            }

            _last = i;
        }

        section = _indexes[i];
        offset = address - _starts[i];
        return true;
    }

    private bool Holds(int i, ulong address) => i >= 0 && i < _starts.Length && address >= _starts[i] && address - _starts[i] < _sizes[i];
}
