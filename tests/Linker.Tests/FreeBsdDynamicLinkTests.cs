using System.Buffers.Binary;
using System.Globalization;
using LkmKit.Cli;
using LkmKit.Formats;
using LkmKit.Formats.Model;
using LkmKit.Linker.Output;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.Tests;

/// <summary>
/// FreeBSD i386 ET_DYN modules linked as link_elf.c maps them: the image at a base, the dynamic relocations applied with
/// symbols from .dynsym. Checked word by word against the kernel's formulas at two bases, against an oracle that reads
/// the module only through readelf (scripts/fbsd-dyn-oracle.py), and on hostile inputs.
/// </summary>
public class FreeBsdDynamicLinkTests
{
    private const ulong BaseA = 0xc8000000, BaseB = 0xd0403000;
    private static readonly string KernelMap = RepoPaths.TestData("linker", "freebsd-dyn", "i386.kernel.map");
    private static readonly string Demo = RepoPaths.TestData("freebsd", "i386", "fbsd_demo.ko");
    private static readonly string User = RepoPaths.TestData("freebsd", "i386", "fbsd_user.ko");
    private static readonly string Got = RepoPaths.TestData("linker", "freebsd-dyn", "fbsd_got.ko");
    private static readonly string Plt = RepoPaths.TestData("linker", "freebsd-dyn", "fbsd_plt.ko");

    public static TheoryData<string> Modules => [Demo, Got];

    private static LinkedImage Link(string[] paths, ulong? baseAddress, bool withKernel = true, bool allowUndefined = false) =>
        Link(paths, baseAddress, withKernel ? KernelMap : null, allowUndefined);

    private static LinkedImage Link(string[] paths, ulong? baseAddress, string? kernelMap, bool allowUndefined = false)
    {
        var kernel = new KernelSymbols();
        if (kernelMap is not null)
        {
            kernel.Add(SymbolFileLoader.Load(kernelMap));
        }

        var files = paths.Select(ModuleReader.Open).ToList();
        try
        {
            return new ModuleLinker(kernel, new LinkOptions { Base = baseAddress, AllowUndefined = allowUndefined })
                .Link([.. files.SelectMany(f => f.Modules)]);
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }
    }

    /// <summary>The 32-bit word the image holds at <paramref name="address"/>.</summary>
    private static uint Word(LinkedModule module, ulong address)
    {
        var s = module.Sections.Single(s => address >= s.Address && address + 4 <= s.Address + s.Size);
        return BinaryPrimitives.ReadUInt32LittleEndian(s.Data.AsSpan((int)(address - s.Address)));
    }

    /// <summary>Name → address of a System.map file, read here rather than through the linker's reader.</summary>
    private static Dictionary<string, uint> MapFile(string path) =>
        File.ReadLines(path).Select(l => l.Split(' ')).Where(f => f.Length == 3)
            .ToDictionary(f => f[2], f => uint.Parse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    [Theory]
    [MemberData(nameof(Modules))]
    public void EveryRelocatedWordFollowsTheKernelFormulaAtTwoBases(string path)
    {
        var a = Link([path], BaseA).Modules[0];
        var b = Link([path], BaseB).Modules[0];
        var kernel = MapFile(KernelMap);
        using var file = ModuleReader.Open(path);
        var module = file.Modules[0];
        var bytes = File.ReadAllBytes(path);
        var table = module.RelocationSections.Single(t => t.Name == ".rel.dyn");
        var dynsym = table.Symbols ?? module.Symbols;
        uint delta = (uint)(BaseB - BaseA);
        int checkedWords = 0;
        foreach (var r in table.Relocations)
        {
            // The implicit addend straight from the file: the image address is the file offset in these images'
            // first segment and sh_offset + (address - sh_addr) in the others.
            var section = module.Sections.Single(s => s.IsAllocated && s.HasContents && r.Offset >= s.Address && r.Offset < s.Address + s.Size);
            uint addend = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)(section.FileOffset + r.Offset - section.Address)));
            uint wordA = Word(a, BaseA + r.Offset), wordB = Word(b, BaseB + r.Offset);
            var symbol = dynsym[(int)r.SymbolIndex];
            bool defined = symbol.Definition != SymbolDefinition.Undefined;
            uint S(ulong baseAddress) => defined ? (uint)(baseAddress + symbol.Value)
                : kernel.TryGetValue(symbol.Name, out uint k) ? k : symbol.Binding == SymbolBinding.Weak ? 0u : throw new Xunit.Sdk.XunitException(symbol.Name);
            switch (r.RawType)
            {
                case 8: // RELATIVE: B + A, so the word moves with the base
                    Assert.Equal((uint)BaseA + addend, wordA);
                    Assert.Equal(delta, wordB - wordA);
                    break;
                case 1: // 32: S + A
                    Assert.Equal(S(BaseA) + addend, wordA);
                    Assert.Equal(defined ? delta : 0, wordB - wordA);
                    break;
                case 2: // PC32: S + A - P; a kernel symbol stays while the place moves
                    Assert.Equal(S(BaseA) + addend - (uint)(BaseA + r.Offset), wordA);
                    Assert.Equal(defined ? 0 : (uint)-delta, wordB - wordA);
                    break;
                case 6: // GLOB_DAT: S, the addend is ignored
                    Assert.Equal(S(BaseA), wordA);
                    Assert.Equal(defined ? delta : 0, wordB - wordA);
                    break;
                default:
                    Assert.Fail($"unexpected type {r.RawType} in the fixture");
                    break;
            }

            checkedWords++;
        }

        Assert.Equal(table.Relocations.Count, checkedWords);
        Assert.Equal(checkedWords, a.RelocationCount);
    }

    [Fact]
    public void TheGotFixtureHasEveryKindOfGlobDat()
    {
        var image = Link([Got], BaseA).Modules[0];
        var got = LinkHelper.Section(image, ".got");
        var words = Enumerable.Range(0, 5).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(got.Data.AsSpan(i * 4))).ToArray();
        // printf, got_printf, ticks, optional_hook (weak, unresolved), got_counter: as readelf -r lists them.
        Assert.Equal([0xc0a1b2c0u, (uint)BaseA + 0x341c, 0xc1234560u, 0u, (uint)BaseA + 0x3418], words);
        Assert.Contains(image.Resolutions, r => r is { Name: "optional_hook", Address: 0, Source: "weak" });
        Assert.Contains(image.Resolutions, r => r is { Name: "ticks", Source: "kernel" });
    }

    [Fact]
    public void UserModuleUsesTheDemoModulesDefinitions()
    {
        var image = Link([Demo, User], BaseA);
        var (demo, user) = (image.Modules[0], image.Modules[1]);
        Assert.Equal(BaseA, demo.Sections.Min(s => s.Address) & ~0xfffUL);
        ulong userBase = (demo.Sections.Max(s => s.Address + s.Size) + 0xfff) & ~0xfffUL;
        Assert.Equal(userBase, user.Sections.Min(s => s.Address) & ~0xfffUL);
        ulong counter = LinkHelper.Symbol(demo, "demo_core_counter"), api = LinkHelper.Symbol(demo, "demo_core_api");
        Assert.Equal(BaseA + 0x359c, counter);
        Assert.Equal(BaseA + 0x1430, api);
        Assert.Contains(user.Resolutions, r => r is { Name: "demo_core_counter", Source: "demo_core" } && r.Address == counter);
        // readelf -r fbsd_user.ko: R_386_32 demo_core_counter at 0x12cc, R_386_PC32 demo_core_api at 0x12d3 (addends in the file).
        Assert.Equal((uint)counter, Word(user, userBase + 0x12cc));
        Assert.Equal((uint)(api - 4 - (userBase + 0x12d3)), Word(user, userBase + 0x12d3));
    }

    [SkippableTheory]
    [InlineData("i386", "fbsd_demo")]
    [InlineData("i386", "fbsd_got")]
    [InlineData("i386", "fbsd_user")]
    [InlineData("aarch64", "fbsd_demo")]
    [InlineData("aarch64", "fbsd_user")]
    public void EveryDynamicRelocationMatchesTheReadelfOracle(string arch, string name)
    {
        ExternalTool.Require("readelf", "python3");

        bool arm64 = arch == "aarch64";
        string Fixture(string module) => arm64 ? RepoPaths.TestData("linker", "freebsd-dyn", "aarch64", module + ".ko")
            : module == "fbsd_got" ? Got : RepoPaths.TestData("freebsd", "i386", module + ".ko");
        string kernelMap = arm64 ? RepoPaths.TestData("linker", "freebsd-dyn", "aarch64.kernel.map") : KernelMap;
        ulong baseAddress = arm64 ? 0xffff000001000000 : BaseB;
        string extra = Path.GetTempFileName();
        try
        {
            LinkedModule linked;
            string path = Fixture(name);
            ulong load;
            if (name == "fbsd_user")
            {
                // Linked after fbsd_demo, whose definitions it uses: the oracle gets them as a symbols file.
                var image = Link([Fixture("fbsd_demo"), path], baseAddress, kernelMap);
                linked = image.Modules[1];
                load = linked.Sections.Min(s => s.Address) & ~0xfffUL;
                File.WriteAllLines(extra, image.Modules[0].Symbols.Where(s => s.SectionIndex >= 0 && s.Binding == SymbolBinding.Global)
                    .Select(s => $"{s.Address:x8} T {s.Name}"));
            }
            else
            {
                linked = Link([path], baseAddress, kernelMap).Modules[0];
                load = baseAddress;
            }

            var lines = Oracle(path, load, kernelMap, extra);
            Assert.Equal($"TOTAL relocations={linked.RelocationCount} base=0x{load:x}", lines[^1]);
            Assert.Equal(linked.RelocationCount, lines.Length - 1);
            foreach (var line in lines[..^1])
            {
                var f = line.Split(' ');
                Assert.True(f[1].StartsWith("0x", StringComparison.Ordinal), line);
                ulong place = Convert.ToUInt64(f[0], 16);
                ulong written = arm64 ? Word64(linked, place) : Word(linked, place);
                Assert.True(Convert.ToUInt64(f[1], 16) == written, $"{line}: lkm wrote 0x{written:x}");
            }
        }
        finally
        {
            File.Delete(extra);
        }
    }

    /// <summary>The 64-bit word the image holds at <paramref name="address"/>.</summary>
    private static ulong Word64(LinkedModule module, ulong address)
    {
        var s = module.Sections.Single(s => address >= s.Address && address + 8 <= s.Address + s.Size);
        return BinaryPrimitives.ReadUInt64LittleEndian(s.Data.AsSpan((int)(address - s.Address)));
    }

    private static string[] Oracle(params object[] args)
    {
        var (code, output, errors) = ExternalTool.RunIn(RepoPaths.Root, null, "python3",
            [Path.Combine(RepoPaths.Root, "scripts", "fbsd-dyn-oracle.py"), .. args.Select(a => a is ulong u ? $"0x{u:x}" : (string)a)]);
        Assert.True(code == 0, errors);
        return output.TrimEnd('\n').Split('\n');
    }

    [Fact]
    public void DemoImageGolden() => Golden.Check("linker/freebsd-dyn/fbsd_demo.i386.txt", LinkHelper.Render(Link([Demo], BaseA)));

    [Fact]
    public void DefaultBaseIsTheArchitecturesModuleArea() =>
        Assert.Equal(LinkOptions.DefaultBase(MachineArchitecture.X86), Link([Demo], null).Modules[0].Sections.Min(s => s.Address) & ~0xfffUL);

    [Fact]
    public void UndefinedSymbolsAreReportedAllAtOnceAndOnlyWhenARelocationUsesThem()
    {
        var e = Assert.Throws<UnresolvedSymbolsException>(() => Link([Got], BaseA, withKernel: false));
        Assert.Equal(["printf", "ticks"], e.Names);
        Assert.Equal("got_demo: Unknown symbol printf\ngot_demo: Unknown symbol ticks", e.Message);

        var image = Link([Got], BaseA, withKernel: false, allowUndefined: true).Modules[0];
        Assert.Equal(0u, Word(image, BaseA + 0x23a0));
        Assert.Contains(image.Resolutions, r => r is { Name: "printf", Source: "undefined" });
    }

    [Fact]
    public void JumpSlotIsRefusedAsFreeBsdsI386LoaderDoes()
    {
        var e = Assert.Throws<LinkException>(() => Link([Plt], BaseA));
        Assert.Equal("plt_demo: i386 relocation R_386_JUMP_SLOT (type 7) in .rel.plt at .got.plt+0xc (image address 0x3394): " +
            "unsupported relocation type (the i386 loader refuses it)", e.Message);
    }

    [Fact]
    public void UnknownDynamicTypeNamesTypeSectionAndOffset()
    {
        // .rel.dyn of fbsd_demo.ko is at file offset 0x22c; entry 13 (RELATIVE at 0x144a, in .text: not a metadata pointer
        // the reader follows) becomes R_386_TLS_TPOFF (14).
        var bytes = File.ReadAllBytes(Demo);
        Assert.Equal(0x144au, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Entry13)));
        Assert.Equal(8u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Entry13 + 4)));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(Entry13 + 4), 14);
        var e = Assert.Throws<LinkException>(() => LinkBytes(bytes));
        Assert.Equal("demo_core: i386 relocation R_386_TLS_TPOFF (type 14) in .rel.dyn at .text+0x1a (image address 0x144a): " +
            "unsupported relocation type (the i386 loader refuses it)", e.Message);
    }

    private const int Entry13 = 0x22c + 13 * 8;

    [Fact]
    public void RelocationOutsideEveryLoadedSectionIsRefused()
    {
        // Entry 13 (RELATIVE at 0x144a) becomes R_386_NONE at 0xf00, in the gap between .rodata and .text: the reader reads
        // no addend for NONE, but link_elf would still read the word there.
        var bytes = File.ReadAllBytes(Demo);
        Assert.Equal(0x144au, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Entry13)));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(Entry13), 0xf00);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(Entry13 + 4), 0);
        var e = Assert.Throws<LinkException>(() => LinkBytes(bytes));
        Assert.Equal("demo_core: i386 relocation R_386_NONE (type 0) in .rel.dyn at image address 0xf00: the place is outside every loaded section", e.Message);
    }

    [Fact]
    public void RelocationUsingTheNullSymbolIsRefused()
    {
        // The R_386_32 at 0x1434 (entry 34, demo_core_counter = dynsym 4) is pointed at symbol 0, which link_elf refuses.
        var bytes = File.ReadAllBytes(Demo);
        int entry = 0x22c + 34 * 8;
        Assert.Equal(0x1434u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(entry)));
        Assert.Equal(0x401u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(entry + 4)));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(entry + 4), 1);
        var e = Assert.Throws<LinkException>(() => LinkBytes(bytes));
        Assert.Equal("demo_core: .rel.dyn: a relocation uses local symbol 0 '', which has no value (link_elf refuses it)", e.Message);
    }

    [Fact]
    public void LayoutOptionDoesNotApplyToAnImage()
    {
        var files = ModuleReader.Open(Demo);
        using (files)
        {
            var e = Assert.Throws<LinkException>(() =>
                new ModuleLinker(new KernelSymbols(), new LinkOptions { Layout = new Layout.BsdLayout() }).Link(files.Modules));
            Assert.Contains("--layout bsd does not apply to an ET_DYN module", e.Message);
        }
    }

    [Fact]
    public void OverlappingSectionsAreRefused()
    {
        // .hash (section header 2 at 0xcc4 + 2 * 40; sh_addr 0x194) moved to 0x180, inside .dynsym (0x134..0x194).
        var bytes = File.ReadAllBytes(Demo);
        int shdr = 0xcc4 + 2 * 40;
        Assert.Equal(0x194u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(shdr + 12)));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(shdr + 12), 0x180);
        var e = Assert.Throws<LinkException>(() => LinkBytes(bytes));
        Assert.Equal("demo_core: sections .dynsym (0x134, 0x60 bytes) and .hash (0x180) overlap in the image", e.Message);
    }

    [Fact]
    public void ImagePastTheTopOfTheAddressSpaceIsRefused()
    {
        var e = Assert.Throws<LinkException>(() => Link([Demo], 0xffffe000));
        Assert.Contains("does not fit the 32-bit address space at base 0xffffe000", e.Message);
    }

    private static KernelModule Image(ModuleSection[] sections, ModuleRelocation[] relocations) => new()
    {
        Path = "hostile.ko",
        Container = ContainerFormat.Elf,
        Flavor = ModuleFlavor.FreeBsd,
        Machine = MachineArchitecture.AArch64,
        RawMachine = 183,
        Bits = 64,
        ByteOrder = ByteOrder.LittleEndian,
        FileKind = ModuleFileKind.Shared,
        FileType = "DYN",
        Sections = sections,
        Symbols = [new ModuleSymbol { Index = 0, Name = "" }],
        RelocationSections = [new ModuleRelocationSection { Name = ".rela.dyn", Index = 0, TargetSectionIndex = -1, Relocations = relocations }],
    };

    private static ModuleSection Loaded(int index, ulong address, ulong size, bool nobits = false) => new()
    {
        Index = index, Name = $"s{index}", RawType = nobits ? 8u : 1u, TypeName = "PROGBITS", RawFlags = 0x3, Address = address, Size = size,
        IsAllocated = true, IsWritable = true, HasContents = !nobits, Data = nobits ? default : new byte[size],
    };

    private static readonly ModuleSection RelaDyn = new() { Index = 0, Name = ".rela.dyn", RawType = 4, TypeName = "RELA", RawFlags = 0x2, IsAllocated = true };

    private static ModuleRelocation Relative(ulong offset, uint symbol = 0) =>
        new(offset, symbol, RelocationKind.BaseRelative, 64, 0x10, false, MachineArchitecture.AArch64, 1027);

    private static LinkException FailsImage(KernelModule module) =>
        Assert.ThrowsAny<LinkException>(() => new ModuleLinker(new KernelSymbols(), new LinkOptions { Base = 0x40000000 }).Link([module]));

    [Fact]
    public void HostileImageModels()
    {
        var image = new ModuleLinker(new KernelSymbols(), new LinkOptions { Base = 0x40000000 })
            .Link([Image([RelaDyn, Loaded(1, 0x1000, 16)], [Relative(0x1008)])]).Modules[0];
        // The image starts at 0x1000, so it is mapped at the load address and B = 0x40000000 - 0x1000 (link_elf's
        // mapbase - trunc_page(first p_vaddr)); RELATIVE writes B + A.
        Assert.Equal(0x40000000UL, image.Sections[0].Address);
        Assert.Equal(0x3ffff010UL, BinaryPrimitives.ReadUInt64LittleEndian(image.Sections[0].Data.AsSpan(8)));

        Assert.Contains("more than a module may load", FailsImage(Image([RelaDyn, Loaded(1, 0, 16), Loaded(2, 1UL << 40, 16)], [])).Message);
        Assert.Contains("more than a module may load", FailsImage(Image([RelaDyn, Loaded(1, 0x1000, 1UL << 62, nobits: true)], [])).Message);
        Assert.Contains("does not fit the 64-bit address space", FailsImage(Image([RelaDyn, Loaded(1, 0, 16), Loaded(2, ulong.MaxValue - 8, 16)], [])).Message);
        Assert.Contains("the place extends past the end of the section", FailsImage(Image([RelaDyn, Loaded(1, 0x1000, 16)], [Relative(0x100c)])).Message);
        Assert.Contains("the symbol index is out of range", FailsImage(Image([RelaDyn, Loaded(1, 0x1000, 16)], [Relative(0x1000, 7)])).Message);
        Assert.Contains("the place is outside every loaded section", FailsImage(Image([RelaDyn, Loaded(1, 0x1000, 16)], [Relative(0x1010)])).Message);
    }

    private static LinkedImage LinkBytes(byte[] bytes)
    {
        var kernel = new KernelSymbols();
        kernel.Add(SymbolFileLoader.Load(KernelMap));
        var modules = ModuleReader.Read(Formats.IO.ModuleSource.FromMemory("patched.ko", bytes));
        return new ModuleLinker(kernel, new LinkOptions { Base = BaseA }).Link(modules);
    }

    [Fact]
    public void LinkCommandLinksAFreeBsdI386Module()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = LkmApp.Run(["link", Demo, "--symbols", KernelMap, "-o", Path.Combine(dir, "out.elf"), "--map", Path.Combine(dir, "out.map"),
                "--base", "0xc8000000"], stdout, stderr);
            Assert.Equal("", stderr.ToString());
            Assert.Equal(0, code);
            string map = File.ReadAllText(Path.Combine(dir, "out.map"));
            Assert.Contains(".text 0xc8001430 0x48\n", map);
            Assert.Contains("0xc0a1b2c0 printf [kernel]\n", map);
            // The written image read as plain ELF (its FreeBSD metadata pointers are final values now, without relocations).
            var elf = Formats.Elf.ElfFile.Parse(File.ReadAllBytes(Path.Combine(dir, "out.elf")), "out.elf");
            int text = Enumerable.Range(0, elf.Sections.Length).Single(i => elf.GetSectionName(i) == ".text");
            Assert.Equal(0xc8001430UL, elf.Sections[text].Address);
            Assert.Equal(0xc800359cu, BinaryPrimitives.ReadUInt32LittleEndian(elf.GetSectionMemory(text).Span[4..])); // R_386_32 demo_core_counter
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
