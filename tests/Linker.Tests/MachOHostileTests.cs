using LkmKit.Formats.Model;

namespace LkmKit.Linker.Tests;

/// <summary>Mach-O models with hostile relocations (as a crafted file may give) end in a LinkException that says where and what.</summary>
public class MachOHostileTests
{
    private static KernelModule Module(MachineArchitecture machine, params ModuleRelocation[] relocations) => new()
    {
        Path = "hostile.o",
        Container = ContainerFormat.MachO,
        Machine = machine,
        RawMachine = machine == MachineArchitecture.X86_64 ? 0x01000007u : 0x0100000Cu,
        Bits = 64,
        ByteOrder = ByteOrder.LittleEndian,
        FileKind = ModuleFileKind.Relocatable,
        FileType = "OBJECT",
        Sections =
        [
            new ModuleSection
            {
                Index = 0, Name = "__TEXT,__text", RawType = 0, TypeName = "REGULAR", RawFlags = 0x80000400, Address = 0x40, Size = 16, Alignment = 16,
                IsAllocated = true, IsExecutable = true, HasContents = true, Data = new byte[16],
            },
        ],
        Symbols =
        [
            new ModuleSymbol { Index = 0, Name = "", Definition = SymbolDefinition.Undefined },
            new ModuleSymbol { Index = 1, Name = "_f", Binding = SymbolBinding.Global, Definition = SymbolDefinition.Section, SectionIndex = 0, Type = SymbolType.Function },
            new ModuleSymbol { Index = 2, Name = "", Type = SymbolType.Section, Definition = SymbolDefinition.Section, SectionIndex = 0 },
        ],
        RelocationSections = [new ModuleRelocationSection { Name = "__TEXT,__text relocations", Index = 0, TargetSectionIndex = 0, Relocations = relocations }],
    };

    private static ModuleRelocation R(MachineArchitecture machine, ulong offset, uint symbol, uint type, byte width = 64, long addend = 0) =>
        new(offset, symbol, RelocationKind.Unknown, width, addend, true, machine, type);

    private static string Fail(KernelModule module) =>
        Assert.Throws<LinkException>(() => new ModuleLinker(new Symbols.KernelSymbols(), new LinkOptions { Base = 0x10000 }).Link([module])).Message;

    private const MachineArchitecture X = MachineArchitecture.X86_64, A = MachineArchitecture.AArch64;

    [Theory]
    [InlineData(0, "hostile: x86_64 relocation X86_64_RELOC_SUBTRACTOR (type 5) in __TEXT,__text relocations at __TEXT,__text+0x0: a SUBTRACTOR must be followed by an UNSIGNED at the same address")]
    [InlineData(1, "X86_64_RELOC_SUBTRACTOR (type 5) in __TEXT,__text relocations at __TEXT,__text+0x0: a SUBTRACTOR must be followed by an UNSIGNED at the same address")]
    [InlineData(2, "X86_64_RELOC_SUBTRACTOR (type 5) in __TEXT,__text relocations at __TEXT,__text+0x0: a SUBTRACTOR must be followed by an UNSIGNED at the same address")]
    public void BrokenSubtractorPairs(int shape, string message)
    {
        ModuleRelocation[] relocations = shape switch
        {
            0 => [R(X, 0, 1, 5)], // last record
            1 => [R(X, 0, 1, 5), R(X, 8, 1, 0)], // UNSIGNED at another address
            _ => [R(X, 0, 1, 5), R(X, 0, 1, 2, 32)], // followed by a BRANCH
        };
        Assert.Contains(message, Fail(Module(X, relocations)));
    }

    [Fact]
    public void MinuendWithABadSymbolIndex() =>
        Assert.Contains("a SUBTRACTOR must be followed by an UNSIGNED", Fail(Module(X, R(X, 0, 1, 5), R(X, 0, 999, 0))));

    [Fact]
    public void OffsetPastTheSection() =>
        Assert.Contains("X86_64_RELOC_UNSIGNED (type 0) in __TEXT,__text relocations at __TEXT,__text+0x40: the offset is past the end of the section", Fail(Module(X, R(X, 0x40, 1, 0))));

    [Fact]
    public void PlaceRunningPastTheSection() =>
        Assert.Contains("at __TEXT,__text+0xc: the place extends past the end of the section", Fail(Module(X, R(X, 12, 1, 0))));

    [Fact]
    public void SymbolIndexOutOfRange() =>
        Assert.Contains("at __TEXT,__text+0x0: the symbol index is out of range", Fail(Module(X, R(X, 0, 77, 0))));

    [Fact]
    public void Arm64SectionBasedInstructionRelocationIsRefused() =>
        Assert.Contains("aarch64 relocation ARM64_RELOC_BRANCH26 (type 2) in __TEXT,__text relocations at __TEXT,__text+0x4: a section-based (r_extern 0) arm64 instruction relocation",
            Fail(Module(A, R(A, 4, 2, 2, 32))));

    [Fact]
    public void Arm64MisalignedBranchTarget() =>
        Assert.Matches(@"ARM64_RELOC_BRANCH26 \(type 2\) in __TEXT,__text relocations at __TEXT,__text\+0x4: the value 0x[0-9a-f]+ is not aligned as the instruction field requires",
            Fail(Module(A, R(A, 4, 1, 2, 32, addend: 2))));

    [Fact]
    public void UnknownX86_64TypeIsNamed() =>
        Assert.Contains("X86_64_RELOC_TLV (type 9) in __TEXT,__text relocations at __TEXT,__text+0x0: unsupported relocation type", Fail(Module(X, R(X, 0, 1, 9, 32))));

    [Fact]
    public void I386SectDiffWithoutItsPair() =>
        Assert.Contains("i386 relocation GENERIC_RELOC_SECTDIFF (scattered) (type 258) in __TEXT,__text relocations at __TEXT,__text+0x0: a SECTDIFF must be followed by a GENERIC_RELOC_PAIR",
            Fail(Module(MachineArchitecture.X86, R(MachineArchitecture.X86, 0, 2, 0x102, 32))));

    [Fact]
    public void I386PairWithoutASectDiff() =>
        Assert.Contains("GENERIC_RELOC_PAIR (scattered) (type 257) in __TEXT,__text relocations at __TEXT,__text+0x4: a GENERIC_RELOC_PAIR without a SECTDIFF before it",
            Fail(Module(MachineArchitecture.X86, R(MachineArchitecture.X86, 4, 0, 0x101, 32))));
}
