using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.Tests;

/// <summary>System.map, kallsyms, Module.symvers, ELF images and the merged view.</summary>
public class SymbolSourceTests
{
    [Fact]
    public void SystemMapPrefersGlobalThenFirst()
    {
        var kernel = new KernelSymbols();
        kernel.Add(SystemMapReader.Parse("ffffffff81000010 t helper\nffffffff81000020 T helper\nffffffff81000030 T helper\nffffffff81000040 t local_only\n", "map"));
        Assert.Equal(0xffffffff81000020UL, kernel.AddressOf("helper"));
        Assert.Equal(0xffffffff81000040UL, kernel.AddressOf("local_only"));
        Assert.Null(kernel.AddressOf("missing"));
    }

    [Fact]
    public void KallsymsKeepsTheOwningModule()
    {
        var source = SystemMapReader.Parse("ffffffffc0a01000 t xfs_init\t[xfs]\nffffffff81076650 T __fentry__\n", "kallsyms");
        var list = source.Symbols.ToList();
        Assert.Equal("xfs", list[0].Owner);
        Assert.Equal("xfs_init", list[0].Name);
        Assert.Equal(0xffffffffc0a01000UL, list[0].Address);
        Assert.Null(list[1].Owner);
        Assert.True(source.TryGet("xfs_init", out var found));
        Assert.Equal("xfs", found.Owner);
        Assert.False(source.TryGet("xfs_ini", out _));
    }

    [Fact]
    public void ModuleSymversCarriesCrcsAndNamespacesButNoAddresses()
    {
        string text = File.ReadAllText(RepoPaths.Linux("x86_64", "Module.symvers"));
        Assert.True(ModuleSymversReader.Looks(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.False(ModuleSymversReader.Looks("ffffffff81000000 T name\n"u8));
        var list = ModuleSymversReader.Parse(text, "Module.symvers");
        var ns = list.Symbols.Single(s => s.Name == "lkmdemo_ns_func");
        Assert.Equal(0x4283369au, ns.Crc);
        Assert.Equal("EXPORT_SYMBOL_GPL", ns.ExportType);
        Assert.Equal("LKMDEMO", ns.Namespace);
        Assert.Null(ns.Address);

        var kernel = new KernelSymbols();
        kernel.Add(list);
        kernel.Add(SystemMapReader.Parse("ffffffffc0001000 T lkmdemo_ns_func\n", "map"));
        Assert.True(kernel.TryGet("lkmdemo_ns_func", out var merged));
        Assert.Equal(0xffffffffc0001000UL, merged.Address);
        Assert.Equal(0x4283369au, merged.Crc);
    }

    [Fact]
    public void ListedSourcesMergeByTheSameRulesAsSeparateOnes()
    {
        // Module.symvers-like (CRC, no address), then a list with a local and a global entry of the same name, then a
        // later list that must not override the address.
        var kernel = new KernelSymbols();
        kernel.Add(new KernelSymbolList("symvers", [new KernelSymbol("f", null, 'T', Crc: 7)]));
        kernel.Add(new KernelSymbolList("a", [new KernelSymbol("f", 0x10, 't'), new KernelSymbol("f", 0x20, 'T'), new KernelSymbol("f", 0x30, 'T')]));
        kernel.Add(new KernelSymbolList("b", [new KernelSymbol("f", 0x40, 'T', Namespace: "NS")]));
        Assert.True(kernel.TryGet("f", out var f));
        Assert.Equal(0x20UL, f.Address);
        Assert.Equal(7u, f.Crc);
        Assert.Equal("NS", f.Namespace);
    }

    [Fact]
    public void LoaderRecognisesEachKind()
    {
        Assert.Contains(SymbolFileLoader.Load(RepoPaths.Linux("x86_64", "Module.symvers")).Symbols, s => s.Crc is not null);
        Assert.Contains(SymbolFileLoader.Load(RepoPaths.TestData("linker", "symbols", "x86_64.System.map")).Symbols, s => s.Name == "_printk");
        // An ELF symbol table: the fixture module's own defined globals at their st_value.
        var elf = SymbolFileLoader.Load(RepoPaths.Linux("x86_64", "lkmdemo_core.ko"));
        Assert.Contains(elf.Symbols, s => s.Name == "lkmdemo_add" && s.IsGlobal);
    }

    [Fact]
    public void IndexedLookupAgreesWithALineByLineReading()
    {
        // 20,000 names with shared prefixes, each twice or three times with mixed local/global letters, CRLF endings.
        var random = new Random(5);
        var lines = new List<(ulong Address, char Type, string Name)>();
        for (int i = 0; i < 20000; i++)
        {
            string name = $"__ksymtab_prefix_{i % 7}_{i}";
            for (int copy = random.Next(1, 4); copy > 0; copy--)
            {
                lines.Add((0xffffffff81000000UL + (ulong)lines.Count * 16, random.Next(2) == 0 ? 't' : 'T', name));
            }
        }

        lines = [.. lines.OrderBy(_ => random.Next())];
        var text = string.Concat(lines.Select(l => $"{l.Address:x16} {l.Type} {l.Name}\r\n"));
        var source = SystemMapReader.Parse(text, "map");
        Assert.Equal(lines.Count, source.Count);
        foreach (var group in lines.GroupBy(l => l.Name))
        {
            var expected = group.FirstOrDefault(l => char.IsUpper(l.Type), group.First());
            Assert.True(source.TryGet(group.Key, out var found), group.Key);
            Assert.Equal(expected.Address, found.Address);
            Assert.Equal(expected.Type, found.TypeLetter);
        }

        Assert.False(source.TryGet("__ksymtab_prefix_0_", out _));
        Assert.False(source.TryGet("", out _));

        // The same answers from the one-pass scan for prepared names, for names it was not told about, and after
        // enough scans that the source builds its index.
        for (int round = 0; round < 6; round++)
        {
            var fresh = SystemMapReader.Parse(text, "map");
            var asked = lines.Select(l => l.Name).Distinct().Where((_, i) => i % (round + 2) == 0).ToList();
            for (int scan = 0; scan <= round; scan++)
            {
                fresh.Prepare([.. asked, "absent_name"]);
            }

            foreach (var group in lines.GroupBy(l => l.Name).Where((_, i) => i % 3 == round % 3))
            {
                var expected = group.FirstOrDefault(l => char.IsUpper(l.Type), group.First());
                Assert.True(fresh.TryGet(group.Key, out var found), group.Key);
                Assert.Equal(expected.Address, found.Address);
            }

            Assert.False(fresh.TryGet("absent_name", out _));
        }
    }

    [Theory]
    [InlineData("not a map line\n")]
    [InlineData("ffffffff81000000\n")]
    [InlineData("zzzz T name\n")]
    [InlineData("1ffffffff81000000 T too_wide\n")]
    [InlineData("ffffffff81000000 TT name\n")]
    public void BadSystemMapLinesAreErrors(string text)
    {
        var map = SystemMapReader.Parse(text, "bad.map");
        var ex = Assert.Throws<LinkException>(() => map.Count);
        Assert.Throws<LinkException>(() => map.Prepare(["name"]));
        Assert.StartsWith("bad.map:1:", ex.Message);
    }

    [Fact]
    public void BadSymversLineIsAnError() =>
        Assert.Throws<LinkException>(() => ModuleSymversReader.Parse("0xZZ\tname\tvmlinux\tEXPORT_SYMBOL\n", "Module.symvers"));
}
