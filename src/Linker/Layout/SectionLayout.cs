using LkmKit.Formats.Model;

namespace LkmKit.Linker.Layout;

/// <summary>Where a layout policy put each section of one module.</summary>
internal sealed class SectionLayout
{
    /// <summary>Marks a section that is not loaded.</summary>
    public const ulong NotPlaced = ulong.MaxValue;

    private readonly ulong[] _addresses;
    private readonly List<int> _order = [];

    /// <summary>Creates an empty layout for a module with <paramref name="sectionCount"/> sections.</summary>
    public SectionLayout(int sectionCount)
    {
        _addresses = new ulong[sectionCount];
        Array.Fill(_addresses, NotPlaced);
    }

    /// <summary>The address of section <paramref name="index"/>, or <see cref="NotPlaced"/>.</summary>
    public ulong AddressOf(int index) => index >= 0 && index < _addresses.Length ? _addresses[index] : NotPlaced;

    /// <summary>True when section <paramref name="index"/> is loaded.</summary>
    public bool IsPlaced(int index) => AddressOf(index) != NotPlaced;

    /// <summary>The placed section indexes, in the order they were placed.</summary>
    public IReadOnlyList<int> Order => _order;

    /// <summary>The first address after every placed section.</summary>
    public ulong End { get; private set; }

    /// <summary>Places section <paramref name="index"/> of <paramref name="size"/> bytes at <paramref name="address"/>.</summary>
    public void Place(int index, ulong address, ulong size)
    {
        if (_addresses[index] != NotPlaced)
        {
            throw new LinkException($"section {index} is placed twice");
        }

        _addresses[index] = address;
        _order.Add(index);
        End = Math.Max(End, address + size);
    }

    /// <summary>Raises <see cref="End"/> to at least <paramref name="address"/> (for reserved space).</summary>
    public void Reserve(ulong address) => End = Math.Max(End, address);
}

/// <summary>A section as the loader sees it when laying out: possibly grown, realigned or re-flagged (arm64 PLTs).</summary>
/// <param name="Size">The bytes to reserve.</param>
/// <param name="Alignment">The alignment to place it with.</param>
/// <param name="Flags">The flags the layout passes test.</param>
internal readonly record struct SectionShape(ulong Size, ulong Alignment, ulong Flags);

/// <summary>What a layout policy needs to know besides the module.</summary>
/// <param name="Base">The first address to use.</param>
/// <param name="ShapeOf">The size, alignment and flags the loader gives a section (its own unless the loader changes them).</param>
internal sealed record LayoutRequest(ulong Base, Func<ModuleSection, SectionShape> ShapeOf)
{
    /// <summary>The load commands of the Mach-O header a kext layout writes in front of the sections (<see cref="KextLayout"/>); empty for other inputs.</summary>
    public IReadOnlyList<string> HeaderCommands { get; init; } = [];

    /// <summary>A request that keeps every section's own size, alignment and flags.</summary>
    public static LayoutRequest Plain(ulong baseAddress) => new(baseAddress, Own);

    /// <summary>A section's own shape.</summary>
    public static SectionShape Own(ModuleSection s) => new(s.Size, s.Alignment, s.RawFlags);

    /// <summary>The size to reserve for <paramref name="section"/>.</summary>
    public ulong SizeOf(ModuleSection section) => ShapeOf(section).Size;

    /// <summary>The alignment of <paramref name="section"/>.</summary>
    public ulong AlignmentOf(ModuleSection section) => ShapeOf(section).Alignment;
}

/// <summary>Lays out a module's sections the way one kernel's loader does (see <see cref="LayoutPolicies"/> and <see cref="LayoutFile"/>).</summary>
public interface ILayoutPolicy
{
    /// <summary>The policy's name as the CLI spells it.</summary>
    string Name { get; }

    /// <summary>True when SHN_COMMON symbols are given storage after the sections; false when the kernel refuses them.</summary>
    bool AllocatesCommons { get; }

    /// <summary>Places the sections of <paramref name="module"/> from <paramref name="request"/>'s base.</summary>
    /// <remarks>Internal: the policies are chosen through <see cref="LayoutPolicies"/> and <see cref="LayoutFile"/>, not written by users.</remarks>
    internal SectionLayout Lay(KernelModule module, LayoutRequest request);
}

/// <summary>Alignment arithmetic shared by the layout policies.</summary>
internal static class Align
{
    /// <summary><paramref name="value"/> rounded up to <paramref name="alignment"/> (0 and 1 mean none; a non-power of two is used as is).</summary>
    public static ulong Up(ulong value, ulong alignment)
    {
        if (alignment <= 1)
        {
            return value;
        }

        ulong rem = value % alignment;
        if (rem == 0)
        {
            return value;
        }

        ulong result = value + (alignment - rem);
        return result < value ? throw new LinkException($"address 0x{value:x} aligned to {alignment} overflows") : result;
    }
}
