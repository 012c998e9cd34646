using LkmKit.Formats.Model;

namespace LkmKit.Linker.MachO;

/// <summary>Finds the section of an image that contains a vm address (binary search over the sections sorted by address).</summary>
internal sealed class SectionFinder
{
    private readonly ulong[] _starts;
    private readonly ulong[] _ends;
    private readonly int[] _indexes;

    private SectionFinder(ulong[] starts, ulong[] ends, int[] indexes)
    {
        _starts = starts;
        _ends = ends;
        _indexes = indexes;
    }

    /// <summary>A finder over <paramref name="module"/>'s non-empty sections.</summary>
    public static SectionFinder Create(KernelModule module)
    {
        var sections = module.Sections.Where(s => s.Size > 0).OrderBy(s => s.Address).ToArray();
        return new SectionFinder(
            sections.Select(s => s.Address).ToArray(),
            sections.Select(s => s.Address + s.Size < s.Address ? ulong.MaxValue : s.Address + s.Size).ToArray(),
            sections.Select(s => s.Index).ToArray());
    }

    /// <summary>The index of the section containing <paramref name="address"/>, or -1.</summary>
    public int Find(ulong address)
    {
        int i = Array.BinarySearch(_starts, address);
        if (i < 0)
        {
            i = ~i - 1;
        }

        return i >= 0 && address < _ends[i] ? _indexes[i] : -1;
    }
}
