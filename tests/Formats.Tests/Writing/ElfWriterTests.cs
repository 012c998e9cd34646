using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests.Writing;

/// <summary>The writer's own rules: symbol order and sh_info, relocation renumbering, extended section indexes, bad references.</summary>
public class ElfWriterTests
{
    private const byte GlobalFunc = (ElfConstants.StbGlobal << 4) | ElfConstants.SttFunc, LocalSection = ElfConstants.SttSection;

    [Fact]
    public void LocalsComeFirstAndRelocationsFollowTheirSymbols()
    {
        var bytes = ElfWriter.Build(Relocatable(
        [
            new ElfSymbolDescription("entry", 0, 4, GlobalFunc, 0, 1),
            new ElfSymbolDescription("", 0, 0, LocalSection, 0, 1),
            new ElfSymbolDescription("printf", 0, 0, (ElfConstants.StbGlobal << 4), 0, 0),
            new ElfSymbolDescription("helper", 2, 0, ElfConstants.SttFunc, 0, 1),
        ], [new(1, 3, 2), new(5, 4, 1)]));

        var module = ModelReading.ReadAll("t.o", bytes)[0];
        Assert.Equal(["", "", "helper", "entry", "printf"], module.Symbols.Select(s => s.Name));
        var symtab = module.Sections.Single(s => s.RawType == ElfConstants.ShtSymTab);
        Assert.Equal(3u, symtab.Info);
        var relocations = module.RelocationSections.Single().Relocations;
        Assert.Equal(["printf", "helper"], relocations.Select(r => module.Symbols[(int)r.SymbolIndex].Name));
        Assert.Equal([-4L, 0x01020304], relocations.Select(r => r.Addend));
    }

    [Fact]
    public void PastSixtyFiveThousandSectionsIndexesGoThroughXindex()
    {
        const int count = 65_300;
        var sections = new List<ElfSectionDescription>
        {
            new() { Name = ".symtab", Type = ElfConstants.ShtSymTab, Link = 2, Alignment = 4, Symbols = [new ElfSymbolDescription("far", 8, 0, GlobalFunc, 0, count + 2)] },
            new() { Name = ".strtab", Type = ElfConstants.ShtStrTab },
        };
        for (int i = 0; i < count; i++)
        {
            sections.Add(new ElfSectionDescription { Name = $".text.{i}", Type = ElfConstants.ShtProgBits, Flags = ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr, Data = new byte[16] });
        }

        var bytes = ElfWriter.Build(new ElfFileDescription { Bits = 64, ByteOrder = ByteOrder.BigEndian, Type = ElfConstants.TypeRel, Machine = ElfConstants.MachineX86_64, Sections = sections });
        var elf = ElfFile.Parse(bytes, "many.o");
        Assert.Equal(0, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(60)));
        Assert.Equal(ElfConstants.ShnXIndex, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(62)));
        Assert.Equal(count + 5, elf.Sections.Length); // null, .symtab, .strtab, the texts, .symtab_shndx, .shstrtab
        Assert.Equal(".shstrtab", elf.GetSectionName(elf.Header.SectionNameTableIndex));
        var module = ModuleReader.ReadElf(elf);
        var far = module.Symbols.Single(s => s.Name == "far");
        Assert.Equal(count + 2, far.SectionIndex);
        Assert.Equal($".text.{count - 1}", module.Sections[far.SectionIndex].Name);
        Assert.Equal(ElfConstants.ShtSymTabShndx, module.Sections[count + 3].RawType);
    }

    [SkippableFact]
    public void ReadelfReadsTheExtendedIndexes()
    {
        ExternalTool.Require("readelf");
        const int count = 65_290;
        var sections = new List<ElfSectionDescription>();
        for (int i = 0; i < count; i++)
        {
            sections.Add(new ElfSectionDescription { Name = $".d{i}", Type = ElfConstants.ShtProgBits, Flags = ElfConstants.ShfAlloc });
        }

        sections.Add(new() { Name = ".symtab", Type = ElfConstants.ShtSymTab, Link = count + 2, Alignment = 8, Symbols = [new ElfSymbolDescription("last", 0, 0, GlobalFunc, 0, count)] });
        sections.Add(new() { Name = ".strtab", Type = ElfConstants.ShtStrTab });
        var path = Path.Combine(Path.GetTempPath(), $"lkmkit-xindex-{Environment.ProcessId}.o");
        try
        {
            ElfWriter.Write(new ElfFileDescription { Bits = 64, ByteOrder = ByteOrder.LittleEndian, Type = ElfConstants.TypeRel, Machine = ElfConstants.MachineX86_64, Sections = sections }, path);
            string output = Readelf.AssertClean(path);
            Assert.Contains($"Number of section headers:         0 ({count + 5})", output);
            Assert.Matches($@"GLOBAL DEFAULT\s+{count}\s+last", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AReferenceToAMissingSectionIsRefusedWithItsName()
    {
        var e = Assert.Throws<ArgumentException>(() => ElfWriter.Build(Relocatable([new ElfSymbolDescription("x", 0, 0, GlobalFunc, 0, 42)], [])));
        Assert.Contains("symbol x is defined in section 42", e.Message);
    }

    private static ElfFileDescription Relocatable(ElfSymbolDescription[] symbols, ElfRelocationDescription[] relocations) => new()
    {
        Bits = 32, ByteOrder = ByteOrder.LittleEndian, Type = ElfConstants.TypeRel, Machine = ElfConstants.Machine386,
        Sections =
        [
            new() { Name = ".text", Type = ElfConstants.ShtProgBits, Flags = ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr, Alignment = 16, Data = new byte[] { 0xe8, 0xfc, 0xff, 0xff, 0xff, 4, 3, 2, 1 } },
            new() { Name = ".rel.text", Type = ElfConstants.ShtRel, Link = 3, Info = 1, Alignment = 4, Relocations = relocations },
            new() { Name = ".symtab", Type = ElfConstants.ShtSymTab, Link = 4, Alignment = 4, Symbols = symbols },
            new() { Name = ".strtab", Type = ElfConstants.ShtStrTab },
        ],
    };
}
