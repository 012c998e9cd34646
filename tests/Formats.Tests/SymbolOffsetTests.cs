using System.Globalization;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary><see cref="KernelModule.SectionOffsetOf"/>: a symbol's place in one meaning whatever the container stores.</summary>
public class SymbolOffsetTests
{
    [Theory]
    [InlineData("mysys")]
    [InlineData("mymisc")]
    [InlineData("mydev")]
    [InlineData("fbsys")]
    [InlineData("cvmisc")]
    public void AnAOutObjectAndItsElfTwinGiveTheSameSectionOffsets(string name)
    {
        // The a.out object stores addresses (data symbols count from a_text), the ELF twin section offsets.
        using var aout = ModuleReader.Open(RepoPaths.TestData("lkm", name + ".o"));
        using var elf = ModuleReader.Open(RepoPaths.TestData("lkm", name + ".elf.o"));
        var a = Assert.Single(aout.Modules);
        var e = Assert.Single(elf.Modules);
        var elfOffsets = e.Symbols.Where(s => s.Name.Length > 0 && s.Definition == SymbolDefinition.Section)
            .GroupBy(s => s.Name).ToDictionary(g => g.Key, g => (Section: e.Sections[g.First().SectionIndex].Name, Offset: e.SectionOffsetOf(g.First())));
        int compared = 0;
        foreach (var s in a.Symbols.Where(s => s.Name.Length > 0 && s.Definition == SymbolDefinition.Section))
        {
            if (elfOffsets.TryGetValue(s.Name, out var twin))
            {
                Assert.Equal((twin.Section, twin.Offset), (a.Sections[s.SectionIndex].Name, a.SectionOffsetOf(s)));
                compared++;
            }
        }

        Assert.True(compared > 0, "no symbol in common");
        Assert.Contains(a.Symbols, s => s.Definition == SymbolDefinition.Section && s.SectionIndex == 1 && s.Value != a.SectionOffsetOf(s));
    }

    [SkippableTheory]
    [InlineData("objects/demokext.x86_64.o")]
    [InlineData("objects/demokext.x86_64.bundle")]
    [InlineData("objects/demokext.arm64.bundle")]
    public void MachOSectionOffsetsAreNmAddressesLessTheSectionAddress(string fixture)
    {
        ExternalTool.Require("llvm-nm", "llvm-objdump");
        string path = RepoPaths.TestData(["kext", .. fixture.Split('/')]);
        var (code, nm) = ExternalTool.Run("llvm-nm", "--defined-only", path);
        Assert.Equal(0, code);
        var addresses = nm.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' '))
            .Where(f => f.Length == 3 && f[1] is not ("A" or "a"))
            .ToDictionary(f => f[2], f => ulong.Parse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        using var file = ModuleReader.Open(path);
        var m = Assert.Single(file.Modules);
        int compared = 0;
        foreach (var s in m.Symbols.Where(s => s.Name.Length > 0 && s.Definition == SymbolDefinition.Section && addresses.ContainsKey(s.Name)))
        {
            Assert.Equal(addresses[s.Name] - m.Sections[s.SectionIndex].Address, m.SectionOffsetOf(s));
            compared++;
        }

        Assert.True(compared > 3);
        Assert.Null(m.SectionOffsetOf(m.Symbols.First(s => s.IsUndefined && s.Name.Length > 0)));
    }
}
