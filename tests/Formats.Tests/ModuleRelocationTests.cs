using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

public class ModuleRelocationTests
{
    [Fact]
    public void EveryFieldSurvivesTheCompactLayout()
    {
        var r = new ModuleRelocation(ulong.MaxValue - 1, uint.MaxValue, RelocationKind.PcRelative, 255, long.MinValue, true, MachineArchitecture.AArch64, uint.MaxValue - 2);
        var (offset, symbol, kind, width, addend, isImplicit, machine, rawType) = r;
        Assert.Equal((ulong.MaxValue - 1, uint.MaxValue, RelocationKind.PcRelative, (byte)255, long.MinValue, true, MachineArchitecture.AArch64, uint.MaxValue - 2),
            (offset, symbol, kind, width, addend, isImplicit, machine, rawType));
        Assert.Equal(32, System.Runtime.CompilerServices.Unsafe.SizeOf<ModuleRelocation>());

        var moved = r with { Offset = 8, AddendIsImplicit = false };
        Assert.Equal((8UL, false, RelocationKind.PcRelative, long.MinValue), (moved.Offset, moved.AddendIsImplicit, moved.Kind, moved.Addend));
        Assert.NotEqual(r, moved);
        Assert.Equal(r, moved with { Offset = ulong.MaxValue - 1, AddendIsImplicit = true });
        Assert.StartsWith("ModuleRelocation { Offset = 18446744073709551614, SymbolIndex = 4294967295, Kind = PcRelative, Width = 255,", r.ToString());
        Assert.Throws<OverflowException>(() => new ModuleRelocation(0, 0, RelocationKind.None, 0, 0, false, (MachineArchitecture)70_000, 0));
    }
}
