using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;

namespace LkmKit.Linker.Tests;

/// <summary>Models with hostile values (as a reader may pass on from a crafted file) give a LinkException, never a crash or a huge allocation.</summary>
public class HostileModelTests
{
    private static KernelModule Module(ModuleSection[] sections, ModuleSymbol[] symbols, ModuleRelocation[] relocations) => new()
    {
        Path = "hostile.ko",
        Container = ContainerFormat.Elf,
        Machine = MachineArchitecture.X86_64,
        RawMachine = 62,
        Bits = 64,
        ByteOrder = ByteOrder.LittleEndian,
        FileKind = ModuleFileKind.Relocatable,
        FileType = "REL",
        Sections = sections,
        Symbols = symbols,
        RelocationSections = [new ModuleRelocationSection { Name = ".rela.text", Index = 2, TargetSectionIndex = 1, Relocations = relocations }],
    };

    private static ModuleSection Text(ulong size = 16, bool nobits = false, ulong alignment = 16) => new()
    {
        Index = 1, Name = ".text", RawType = nobits ? 8u : 1u, TypeName = "PROGBITS", RawFlags = 0x6, Size = size, Alignment = alignment,
        IsAllocated = true, IsExecutable = true, HasContents = !nobits, Data = nobits ? default : new byte[size],
    };

    private static readonly ModuleSection Null = new() { Index = 0, Name = "", RawType = 0, TypeName = "NULL", RawFlags = 0 };

    private static readonly ModuleSymbol[] Symbols =
    [
        new() { Index = 0, Name = "" },
        new() { Index = 1, Name = "f", Definition = SymbolDefinition.Section, SectionIndex = 1, Binding = SymbolBinding.Global },
    ];

    private static ModuleRelocation Pc32(ulong offset, uint symbol = 1) => new(offset, symbol, RelocationKind.PcRelative, 32, -4, false, MachineArchitecture.X86_64, 2);

    private static LinkException Fails(KernelModule module, ILayoutPolicy? layout = null) =>
        Assert.ThrowsAny<LinkException>(() => new ModuleLinker(new Symbols.KernelSymbols(), new LinkOptions { Layout = layout ?? new SequentialLayout() }).Link([module]));

    [Fact]
    public void ValidModelLinks() =>
        Assert.Equal(1, new ModuleLinker(new Symbols.KernelSymbols(), new LinkOptions()).Link([Module([Null, Text()], Symbols, [Pc32(0)])]).Modules[0].RelocationCount);

    [Fact]
    public void OffsetPastTheSectionEnd() => Assert.Contains("past the end of the section", Fails(Module([Null, Text()], Symbols, [Pc32(16)])).Message);

    [Fact]
    public void PlaceStraddlingTheSectionEnd() => Assert.Contains("past the end", Fails(Module([Null, Text()], Symbols, [Pc32(14)])).Message);

    [Fact]
    public void SymbolIndexOutOfRange() => Assert.Contains("symbol index is out of range", Fails(Module([Null, Text()], Symbols, [Pc32(0, 99)])).Message);

    [Fact]
    public void HugeNoBitsSection() => Assert.Contains("larger than a module may load", Fails(Module([Null, Text(ulong.MaxValue - 8, nobits: true)], Symbols, [])).Message);

    [Fact]
    public void HugeAlignment() => Fails(Module([Null, Text(alignment: 1UL << 63)], Symbols, []), new SequentialLayout());

    [Fact]
    public void HugeCommon()
    {
        ModuleSymbol[] symbols = [Symbols[0], new() { Index = 1, Name = "c", Definition = SymbolDefinition.Common, Value = 8, Size = ulong.MaxValue - 4 }];
        Assert.Contains("larger than a module may load", Fails(Module([Null, Text()], symbols, [])).Message);
    }

    [Fact]
    public void MachineWithoutApplier()
    {
        var module = Module([Null, Text()], Symbols, []);
        var mips = new KernelModule
        {
            Path = module.Path, Container = module.Container, Machine = MachineArchitecture.Mips, RawMachine = 8, Bits = 32,
            ByteOrder = ByteOrder.LittleEndian, FileKind = ModuleFileKind.Relocatable, FileType = "REL", Sections = module.Sections, Symbols = module.Symbols, RelocationSections = module.RelocationSections,
        };
        Assert.Contains("no relocation support for mips", Fails(mips).Message);
    }
}
