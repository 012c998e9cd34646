using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>
/// Long symbol and section lists are kept in arrays below the large-object threshold (85,000 bytes): a large array of
/// references counts as old at once and keeps every young object it points to alive until a full collection.
/// </summary>
public class ChunkedListTests
{
    private const int LargeObjectThreshold = 85_000;

    [Fact]
    public void ShortListsArePlainArraysAndLongOnesAreChunkedBelowTheThreshold()
    {
        Assert.IsType<string[]>(ChunkedList<string>.Create(8192));
        var list = ChunkedList<string>.Create(20_001);
        Assert.IsNotType<string[]>(list);
        Assert.Equal(20_001, list.Count);
        Assert.Equal(20_001, ChunkedList<string>.Arrays(list).Sum(a => a.Length));
        Assert.All(ChunkedList<string>.Arrays(list), a => Assert.True(ReferenceArrayBytes(a.Length) < LargeObjectThreshold));
    }

    [Fact]
    public void ElementsAreWhereTheyWereWrittenAcrossChunks()
    {
        var list = ChunkedList<string>.Create(20_001);
        for (int i = 0; i < list.Count; i++)
        {
            ChunkedList<string>.Slot(list, i) = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(Enumerable.Range(0, 20_001).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), list);
        Assert.Equal("8191", list[8191]);
        Assert.Equal("8192", list[8192]);
        Assert.Equal("20000", list[20_000]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[20_001]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[-1]);
    }

    [Fact]
    public void AModuleWithManySymbolsKeepsThemBelowTheThresholdInOrder()
    {
        const int Count = 20_000;
        var symbols = Enumerable.Range(0, Count)
            .Select(i => new ElfSymbolDescription($"symbol_{i}", (ulong)i, 0, (ElfConstants.StbGlobal << 4) | ElfConstants.SttFunc, 0, 1))
            .ToArray();
        var bytes = ElfWriter.Build(new ElfFileDescription
        {
            Bits = 64, ByteOrder = ByteOrder.LittleEndian, Type = ElfConstants.TypeRel, Machine = ElfConstants.MachineX86_64,
            Sections =
            [
                new() { Name = ".text", Type = ElfConstants.ShtProgBits, Flags = ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr, Data = new byte[Count] },
                new() { Name = ".symtab", Type = ElfConstants.ShtSymTab, Link = 3, Alignment = 8, Symbols = symbols },
                new() { Name = ".strtab", Type = ElfConstants.ShtStrTab },
            ],
        });

        using var source = ModuleSource.FromMemory("many-symbols.o", bytes);
        var module = Assert.Single(ModuleReader.Read(source));
        var stored = ((LazyList<ModuleSymbol>)module.Symbols).Items;
        Assert.All(ChunkedList<ModuleSymbol>.Arrays(stored), a => Assert.True(ReferenceArrayBytes(a.Length) < LargeObjectThreshold));
        Assert.Equal(Count + 1, module.Symbols.Count);
        Assert.Equal(Enumerable.Range(0, Count + 1), module.Symbols.Select(s => s.Index));
        Assert.Equal(["", .. symbols.Select(s => s.Name)], module.Symbols.Select(s => s.Name));
        Assert.Equal((ulong)(Count - 1), module.Symbols[Count].Value);
        Assert.Equal(module.Symbols.ToList(), Enumerable.Range(0, Count + 1).Select(i => module.Symbols[i]));
    }

    // An array of references: a 24-byte header and 8 bytes per element (64-bit process).
    private static long ReferenceArrayBytes(int length) => 24 + 8L * length;
}
