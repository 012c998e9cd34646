using System.Collections;
using System.Text;
using LkmKit.Cli.Output;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Tests;

/// <summary><c>lkm dump</c> hands its text to the writer in chunks: a module with a million relocations never sits in memory as one string.</summary>
public sealed class DumpStreamingTests
{
    /// <summary>A million relocations produced on access, as a large module's lazily decoded table is.</summary>
    private sealed class ManyRelocations(int count, int badIndex = -1) : IReadOnlyList<ModuleRelocation>
    {
        public ModuleRelocation this[int index] => index == badIndex
            ? throw new Formats.ModuleFormatException("big.ko", index * 24L, $"relocation {index} of .rela.text", "symbol index out of range")
            : new((ulong)index * 8, 0, RelocationKind.Absolute, 64, index, false, MachineArchitecture.X86_64, 1);
        public int Count => count;
        public IEnumerator<ModuleRelocation> GetEnumerator()
        {
            for (int i = 0; i < count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Counts what it is given and remembers the largest single write.</summary>
    private sealed class MeasuringWriter : TextWriter
    {
        public long Characters { get; private set; }
        public int LargestWrite { get; private set; }
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => Count(1);
        public override void Write(char[] buffer, int index, int count) => Count(count);
        public override void Write(string? value) => Count(value?.Length ?? 0);
        public override void Write(StringBuilder? value) => Count(value?.Length ?? 0);

        private void Count(int n)
        {
            Characters += n;
            LargestWrite = Math.Max(LargestWrite, n);
        }
    }

    private static KernelModule Module(int badIndex = -1) => new()
    {
        Path = "big.ko",
        Container = ContainerFormat.Elf,
        Machine = MachineArchitecture.X86_64,
        RawMachine = 62,
        Bits = 64,
        ByteOrder = ByteOrder.LittleEndian,
        Sections = [],
        Symbols = [],
        RelocationSections = [new ModuleRelocationSection { Name = ".rela.text", Index = 1, TargetSectionIndex = -1, Relocations = new ManyRelocations(1_000_000, badIndex) }],
    };

    [Fact]
    public void TextDumpIsWrittenInChunks()
    {
        var output = new MeasuringWriter();
        DumpText.Write(output, "big.ko", Module(), new DumpParts(true, true, true));
        Assert.True(output.Characters > 50_000_000, $"{output.Characters} characters");
        Assert.True(output.LargestWrite < 1 << 18, $"largest write {output.LargestWrite} characters");
    }

    [Fact]
    public void JsonDumpIsWrittenInChunks()
    {
        var output = new MeasuringWriter();
        DumpJson.Write(output, "big.ko", Module(), new DumpParts(true, true, true));
        Assert.True(output.Characters > 50_000_000, $"{output.Characters} characters");
        Assert.True(output.LargestWrite < 1 << 18, $"largest write {output.LargestWrite} characters");
    }

    [Fact]
    public void JsonDumpOfATableThatFailsLateWritesNothing()
    {
        // Entry 900,000 is bad: the relocations before it are tens of megabytes of JSON, more than one chunk.
        var output = new StringWriter();
        Assert.Throws<Formats.ModuleFormatException>(() => DumpJson.Write(output, "big.ko", Module(badIndex: 900_000), new DumpParts(false, false, true)));
        Assert.Equal("", output.ToString());
    }
}
