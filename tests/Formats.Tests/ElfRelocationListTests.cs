using System.Buffers.Binary;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>
/// The ELF relocation list decodes 64-bit little-endian RELA tables a batch at a time on a fast path of its own, and
/// every other table (and any indexed read) one entry at a time: both must give the same relocations and the same errors.
/// </summary>
public class ElfRelocationListTests
{
    private const string Name = "relocations.ko";

    [Theory]
    [InlineData(MachineArchitecture.X86_64)]
    [InlineData(MachineArchitecture.X86)]
    [InlineData(MachineArchitecture.AArch64)]
    [InlineData(MachineArchitecture.Arm)]
    public void PackedKindsAndWidthsAgreeWithTheDescriptions(MachineArchitecture machine)
    {
        var packed = ElfRelocationTypes.KindsAndWidthsOf(machine);
        int known = ElfRelocationTypes.TableOf(machine)?.Length ?? 0;
        Assert.Equal(known, packed.Length);
        for (uint type = 0; type < known + 300; type++)
        {
            var described = ElfRelocationTypes.Describe(machine, type);
            Assert.Equal((described.Kind, described.Width), ElfRelocationTypes.KindAndWidth(packed, type));
        }
    }

    [Theory]
    [InlineData(ElfConstants.MachineX86_64, 64, true)] // the batch fast path
    [InlineData(ElfConstants.MachineAArch64, 64, true)]
    [InlineData(ElfConstants.Machine386, 32, false)] // implicit addends, read from the places
    [InlineData(ElfConstants.Machine386, 32, true)]
    public void EveryEntryOfATableLongerThanABatchIsDecodedAlike(ushort machine, int bits, bool rela)
    {
        const int Count = 150; // more than two batches of 64
        var written = Enumerable.Range(0, Count)
            .Select(i => new ElfRelocationDescription((ulong)i * 4, (uint)(i % 2), (uint)(i % 7 == 6 ? 100 + i % 100 : 1 + i % 3), !rela ? 0 : bits == 64 && i % 5 == 4 ? -((long)i << 40) : i * 1000L - 70_000))
            .ToArray();
        var text = new byte[Count * 4];
        for (int i = 0; i < Count && !rela; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(text.AsSpan(i * 4), -i); // the implicit addends
        }

        using var source = ModuleSource.FromMemory(Name, ElfWriter.Build(Relocatable(machine, bits, rela, text, written)));
        var relocations = Assert.Single(Assert.Single(ModuleReader.Read(source)).RelocationSections).Relocations;

        var enumerated = relocations.ToList();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => relocations[i]), enumerated);
        var expectedMachine = ElfNames.Machine(machine);
        for (int i = 0; i < Count; i++)
        {
            var (kind, width) = ElfRelocationTypes.KindAndWidth(ElfRelocationTypes.KindsAndWidthsOf(expectedMachine), written[i].Type);
            long addend = rela ? written[i].Addend : kind == RelocationKind.Unknown ? 0 : -i; // an unknown type has no width to read
            Assert.Equal(new ModuleRelocation(written[i].Offset, written[i].Symbol, kind, width, addend, !rela, expectedMachine, written[i].Type),
                enumerated[i]);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(70)]
    public void AnOutOfRangeSymbolThrowsWhereTheEntryIsReached(int bad)
    {
        var written = Enumerable.Range(0, 100).Select(i => new ElfRelocationDescription((ulong)i * 4, 1, 2, i)).ToArray();
        byte[] elf = ElfWriter.Build(Relocatable(ElfConstants.MachineX86_64, 64, true, new byte[400], written));
        var parsed = ElfFile.Parse(elf, Name);
        int section = parsed.FindSection(".rela.text");
        int at = (int)parsed.Sections[section].Offset + bad * 24;
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(at + 12), 0x7fff_fff0); // r_info's symbol half

        using var source = ModuleSource.FromMemory(Name, elf);
        var relocations = Assert.Single(Assert.Single(ModuleReader.Read(source)).RelocationSections).Relocations;
        var read = new List<ModuleRelocation>();
        var e = Assert.Throws<ModuleFormatException>(() =>
        {
            foreach (var relocation in relocations)
            {
                read.Add(relocation);
            }
        });
        Assert.Equal(bad, read.Count);
        Assert.Equal(at, e.Offset);
        Assert.Contains($"relocation {bad} of .rela.text", e.Message);
        Assert.Contains("symbol index 2147483632 is out of range (the symbol table has 2 entries)", e.Message);

        Assert.Equal(e.Message, Assert.Throws<ModuleFormatException>(() => relocations[bad]).Message);
        Assert.Equal(read, Enumerable.Range(0, bad).Select(i => relocations[i]));
    }

    private static ElfFileDescription Relocatable(ushort machine, int bits, bool rela, byte[] text, ElfRelocationDescription[] relocations) => new()
    {
        Bits = bits, ByteOrder = ByteOrder.LittleEndian, Type = ElfConstants.TypeRel, Machine = machine,
        Sections =
        [
            new() { Name = ".text", Type = ElfConstants.ShtProgBits, Flags = ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr, Alignment = 16, Data = text },
            new() { Name = rela ? ".rela.text" : ".rel.text", Type = rela ? ElfConstants.ShtRela : ElfConstants.ShtRel, Link = 3, Info = 1, Alignment = 8, Relocations = relocations },
            new() { Name = ".symtab", Type = ElfConstants.ShtSymTab, Link = 4, Alignment = 8, Symbols = [new ElfSymbolDescription("target", 0, 0, ElfConstants.StbGlobal << 4, 0, 0)] },
            new() { Name = ".strtab", Type = ElfConstants.ShtStrTab },
        ],
    };
}
