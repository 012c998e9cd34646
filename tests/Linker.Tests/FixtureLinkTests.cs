using System.Buffers.Binary;
using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;

namespace LkmKit.Linker.Tests;

/// <summary>
/// Links the fixtures and compares the relocated sections with golden files. The goldens were checked byte for byte
/// against ld.lld with scripts/link-oracle.sh (see <see cref="OracleTests"/>, which repeats that check when ld.lld is installed).
/// </summary>
public class FixtureLinkTests
{
    public static TheoryData<string> Arches => ["x86_64", "i386", "aarch64"];

    /// <summary>The base used for the AArch64 fixture links, within branch range of the fixture kernel symbols.</summary>
    public const ulong AArch64Base = 0xffff800004000000;

    private static LinkOptions OptionsFor(string arch, ILayoutPolicy? layout = null) =>
        new() { Base = arch == "aarch64" ? AArch64Base : null, Layout = layout };

    [Theory]
    [MemberData(nameof(Arches))]
    public void EveryRelocationTypeFixtureMatchesGolden(string arch)
    {
        var image = LinkHelper.Link([$"testdata/linker/{arch}/relocs.o"], [$"testdata/linker/symbols/relocs-{arch}.map"], OptionsFor(arch));
        var module = Assert.Single(image.Modules);
        Assert.Equal(arch switch { "x86_64" => 10, "i386" => 9, _ => 40 }, module.RelocationCount);
        Golden.Check($"linker/{arch}/relocs.txt", LinkHelper.Render(image));
    }

    [Fact]
    public void X86_64RelocsHoldTheFormulaValues()
    {
        var image = LinkHelper.Link(["testdata/linker/x86_64/relocs.o"], ["testdata/linker/symbols/relocs-x86_64.map"]);
        var m = image.Modules[0];
        var data = LinkHelper.Section(m, ".data");
        ulong dataAddress = data.Address;
        Assert.Equal(0xffffffff82213a48UL, BinaryPrimitives.ReadUInt64LittleEndian(data.Data)); // 64: S+8
        Assert.Equal(0xffffffff82213a40UL - (dataAddress + 8), BinaryPrimitives.ReadUInt64LittleEndian(data.Data.AsSpan(8))); // PC64
        Assert.Equal((uint)(0xffffffff81076650UL - (dataAddress + 16)), BinaryPrimitives.ReadUInt32LittleEndian(data.Data.AsSpan(16))); // PC32
        Assert.Equal(LinkHelper.Section(m, ".rodata").Address, BinaryPrimitives.ReadUInt64LittleEndian(data.Data.AsSpan(24))); // section symbol
        var text = LinkHelper.Section(m, ".text");
        Assert.Equal((uint)(0xffffffff81076650UL - 4 - (text.Address + 1)), BinaryPrimitives.ReadUInt32LittleEndian(text.Data.AsSpan(1))); // call: PLT32
    }

    [Fact]
    public void I386ImplicitAddendsAreUsed()
    {
        var image = LinkHelper.Link(["testdata/linker/i386/relocs.o"], ["testdata/linker/symbols/relocs-i386.map"]);
        var m = image.Modules[0];
        var data = LinkHelper.Section(m, ".data");
        Assert.Equal(0xc1a13a48u, BinaryPrimitives.ReadUInt32LittleEndian(data.Data)); // .long ext_data + 8
        Assert.Equal((uint)(0xc105f740UL - (data.Address + 4)), BinaryPrimitives.ReadUInt32LittleEndian(data.Data.AsSpan(4)));
        var text = LinkHelper.Section(m, ".text");
        Assert.Equal((uint)(0xc105f740UL - 4 - (text.Address + 1)), BinaryPrimitives.ReadUInt32LittleEndian(text.Data.AsSpan(1))); // addend -4 read from the place
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void TwoModuleLinkUsesTheFirstModulesExports(string arch)
    {
        var image = LinkHelper.Link([$"testdata/linux/{arch}/lkmdemo_core.ko", $"testdata/linux/{arch}/lkmdemo_user.ko"],
            [$"testdata/linker/symbols/{arch}.System.map"], OptionsFor(arch));
        Assert.Equal(2, image.Modules.Count);
        var core = image.Modules[0];
        var user = image.Modules[1];
        Assert.Equal("lkmdemo_core", core.Name);
        foreach (var name in new[] { "lkmdemo_add", "lkmdemo_counter", "lkmdemo_gpl_only", "lkmdemo_ns_func", "lkmdemo_ns_data" })
        {
            var resolution = user.Resolutions.Single(r => r.Name == name);
            Assert.Equal("lkmdemo_core", resolution.Source);
            Assert.Equal(LinkHelper.Symbol(core, name), resolution.Address);
        }

        Assert.Equal("kernel", user.Resolutions.Single(r => r.Name == "_printk").Source);
        Assert.True(user.Sections.Min(s => s.Address) >= core.Sections.Max(s => s.Address + s.Size), "the second module follows the first");
        Golden.Check($"linker/{arch}/lkmdemo_core+user.txt", LinkHelper.Render(image));
    }

    [Fact]
    public void SystemMapPrefersTheGlobalEntry()
    {
        var image = LinkHelper.Link(["testdata/linux/x86_64/lkmdemo_core.ko"], ["testdata/linker/symbols/x86_64.System.map"]);
        Assert.Equal(0xffffffff81745560UL, image.Modules[0].Resolutions.Single(r => r.Name == "dma_buf_put").Address);
    }

    [Fact]
    public void LinuxLayoutGroupsSectionsAsTheKernelDoes()
    {
        var image = LinkHelper.Link(["testdata/linux/x86_64/lkmdemo_core.ko"], ["testdata/linker/symbols/x86_64.System.map"]);
        var m = image.Modules[0];
        ulong text = LinkHelper.Section(m, ".text").Address;
        Assert.Equal(LinkOptions.DefaultBase(MachineArchitecture.X86_64), text);
        // text, then page-aligned read-only, then page-aligned data; init sections after the core region.
        var ro = LinkHelper.Section(m, ".rodata").Address;
        var data = LinkHelper.Section(m, ".data").Address;
        var init = LinkHelper.Section(m, ".init.text").Address;
        Assert.True(text < ro && ro < data && data < init);
        ulong firstReadOnly = m.Sections.Where(s => (s.RawFlags & 0x5) == 0 && !s.Name.StartsWith(".init", StringComparison.Ordinal)).Min(s => s.Address);
        ulong firstData = m.Sections.Where(s => (s.RawFlags & 0x1) != 0 && !s.Name.StartsWith(".init", StringComparison.Ordinal)).Min(s => s.Address);
        Assert.Equal(0UL, firstReadOnly % LinuxLayout.PageSize);
        Assert.Equal(0UL, firstData % LinuxLayout.PageSize);
        Assert.Equal(0UL, LinkHelper.Section(m, ".gnu.linkonce.this_module").Address % 64);
        Assert.Equal(0UL, init % LinuxLayout.PageSize);
        Assert.DoesNotContain(m.Sections, s => s.Name is ".modinfo" or "__versions");
        // Every placed section respects its alignment and none overlap.
        var ordered = m.Sections.OrderBy(s => s.Address).ToList();
        for (int i = 0; i < ordered.Count; i++)
        {
            Assert.Equal(0UL, ordered[i].Address % Math.Max(1, ordered[i].Alignment));
            if (i > 0)
            {
                Assert.True(ordered[i - 1].Address + ordered[i - 1].Size <= ordered[i].Address, $"{ordered[i - 1].Name} overlaps {ordered[i].Name}");
            }
        }
    }

    [Fact]
    public void SequentialLayoutKeepsHeaderOrder()
    {
        var image = LinkHelper.Link(["testdata/linux/x86_64/lkmdemo_min.ko"], ["testdata/linker/symbols/x86_64.System.map"],
            new LinkOptions { Layout = new SequentialLayout(), Base = 0x10000 });
        var m = image.Modules[0];
        var indexes = m.Sections.Select(s => s.Index).ToList();
        Assert.Equal(indexes.OrderBy(i => i), indexes);
        Assert.Equal(0x10000UL, m.Sections[0].Address);
        Assert.Contains(m.Sections, s => s.Name == ".modinfo");
    }

    [Fact]
    public void LayoutFilePlacesListedSectionsAndAppendsTheRest()
    {
        var layout = LayoutFile.Parse("# test\n.data 0x200000\n.text 0x100000\n", "test.layout");
        var image = LinkHelper.Link(["testdata/linux/x86_64/lkmdemo_min.ko"], ["testdata/linker/symbols/x86_64.System.map"],
            new LinkOptions { Layout = layout });
        var m = image.Modules[0];
        Assert.Equal(0x200000UL, LinkHelper.Section(m, ".data").Address);
        Assert.Equal(0x100000UL, LinkHelper.Section(m, ".text").Address);
        var data = LinkHelper.Section(m, ".data");
        Assert.All(m.Sections.Where(s => s.Name is not (".data" or ".text")), s => Assert.True(s.Address >= data.Address + data.Size));
        Assert.Throws<LinkException>(() => LayoutFile.Parse(".text 100000\n", "bad.layout"));
        var missing = LayoutFile.Parse(".nonexistent 0x1000\n", "x");
        Assert.Throws<LinkException>(() => LinkHelper.Link(["testdata/linux/x86_64/lkmdemo_min.ko"], ["testdata/linker/symbols/x86_64.System.map"],
            new LinkOptions { Layout = missing }));
    }

    [Fact]
    public void OutOfRangeArm64CallsGoThroughModulePltVeneers()
    {
        // At the default base (MODULES_VADDR) the fixture kernel symbols are beyond ±128 MiB: the loader's PLT is used.
        var image = LinkHelper.Link(["testdata/linux/aarch64/lkmdemo_core.ko"], ["testdata/linker/symbols/aarch64.System.map"]);
        var m = image.Modules[0];
        Assert.True(m.VeneerCount > 0);
        var plt = LinkHelper.Section(m, ".plt");
        Assert.Equal(0UL, plt.Address % 64);
        // Every veneer decodes to adrp/add/br x16 reaching a kernel symbol from the map.
        var targets = new HashSet<ulong> { 0xffff8000080f1a38, 0xffff8000087a2b10 };
        int used = 0;
        for (int i = 0; i + 12 <= plt.Data.Length; i += 12)
        {
            uint adrp = BinaryPrimitives.ReadUInt32LittleEndian(plt.Data.AsSpan(i));
            if (adrp == 0)
            {
                continue;
            }

            uint add = BinaryPrimitives.ReadUInt32LittleEndian(plt.Data.AsSpan(i + 4));
            Assert.Equal(0xd61f0200u, BinaryPrimitives.ReadUInt32LittleEndian(plt.Data.AsSpan(i + 8)));
            long pages = (long)(((ulong)((adrp >> 29) & 3) | ((ulong)((adrp >> 5) & 0x7ffff) << 2)) << 43) >> 43;
            ulong target = (ulong)((long)((plt.Address + (ulong)i) & ~0xfffUL) + (pages << 12)) + ((add >> 10) & 0xfff);
            Assert.Contains(target, targets);
            used++;
        }

        Assert.True(used > 0);
        // And every bl in .text lands inside the PLT or the module.
        var text = LinkHelper.Section(m, ".text");
        for (int i = 0; i < text.Data.Length; i += 4)
        {
            uint insn = BinaryPrimitives.ReadUInt32LittleEndian(text.Data.AsSpan(i));
            if ((insn & 0xfc000000) == 0x94000000)
            {
                long offset = (long)((ulong)(insn & 0x3ffffff) << 38) >> 36;
                ulong target = (ulong)((long)(text.Address + (ulong)i) + offset);
                Assert.True(target >= text.Address && target < plt.Address + plt.Size, $"bl at +{i:x} goes to {target:x}");
            }
        }
    }

    [Fact]
    public void LinuxRefusesCommonSymbolsAndSequentialAllocatesThem()
    {
        var ex = Assert.Throws<LinkException>(() => LinkHelper.Link(["testdata/linker/x86_64/common.o"], [], new LinkOptions { Layout = new LinuxLayout() }));
        Assert.Contains("please compile with -fno-common", ex.Message);
        var image = LinkHelper.Link(["testdata/linker/x86_64/common.o"], [], new LinkOptions { Layout = new SequentialLayout(), Base = 0x1000 });
        var m = image.Modules[0];
        var common = LinkHelper.Section(m, "COMMON");
        ulong address = LinkHelper.Symbol(m, "shared_counter");
        Assert.InRange(address, common.Address, common.Address + common.Size - 1);
        Assert.Equal(0UL, address % 16);
        var text = LinkHelper.Section(m, ".text");
        Assert.Equal((uint)(address - 4 - (text.Address + 2)), BinaryPrimitives.ReadUInt32LittleEndian(text.Data.AsSpan(2)));
    }
}
