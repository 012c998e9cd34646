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
        var list = SystemMapReader.Parse("ffffffffc0a01000 t xfs_init\t[xfs]\nffffffff81076650 T __fentry__\n", "kallsyms");
        Assert.Equal("xfs", list.Symbols[0].Owner);
        Assert.Equal("xfs_init", list.Symbols[0].Name);
        Assert.Null(list.Symbols[1].Owner);
    }

    [Fact]
    public void ModuleSymversCarriesCrcsAndNamespacesButNoAddresses()
    {
        string text = File.ReadAllText(RepoPaths.Linux("x86_64", "Module.symvers"));
        Assert.True(ModuleSymversReader.Looks(text));
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
    public void LoaderRecognisesEachKind()
    {
        Assert.Contains(SymbolFileLoader.Load(RepoPaths.Linux("x86_64", "Module.symvers")).Symbols, s => s.Crc is not null);
        Assert.Contains(SymbolFileLoader.Load(RepoPaths.TestData("linker", "symbols", "x86_64.System.map")).Symbols, s => s.Name == "_printk");
        // An ELF symbol table: the fixture module's own defined globals at their st_value.
        var elf = SymbolFileLoader.Load(RepoPaths.Linux("x86_64", "lkmdemo_core.ko"));
        Assert.Contains(elf.Symbols, s => s.Name == "lkmdemo_add" && s.IsGlobal);
    }

    [Theory]
    [InlineData("not a map line\n")]
    [InlineData("ffffffff81000000\n")]
    [InlineData("zzzz T name\n")]
    public void BadSystemMapLinesAreErrors(string text)
    {
        var ex = Assert.Throws<LinkException>(() => SystemMapReader.Parse(text, "bad.map"));
        Assert.StartsWith("bad.map:1:", ex.Message);
    }

    [Fact]
    public void BadSymversLineIsAnError() =>
        Assert.Throws<LinkException>(() => ModuleSymversReader.Parse("0xZZ\tname\tvmlinux\tEXPORT_SYMBOL\n", "Module.symvers"));
}
