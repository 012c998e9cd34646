using System.Buffers.Binary;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Tests;

/// <summary>Truncated, oversized and hostile a.out input gives a <see cref="ModuleFormatException"/> naming file, offset and structure.</summary>
public class AOutCorruptInputTests
{
    private const string Name = "corrupt.o";

    // mysys.o: header 0x20 | text 0x6c @0x20 | data 0x3c @0x8c | text relocs 6 @0xc8 | data relocs 3 @0xf8 | 14 nlist @0x110 | strings 0xc4 @0x1b8
    private const int TextRelocs = 0xc8;
    private const int DataRelocs = 0xf8;
    private const int Symbols = 0x110;
    private const int Strings = 0x1b8;

    private static byte[] Fixture() => File.ReadAllBytes(RepoPaths.TestData("lkm", "mysys.o"));

    private static void Put(byte[] bytes, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);

    private static void ReadAll(byte[] bytes) => ModelReading.ReadAll(Name, bytes);

    private static ModuleFormatException Fails(byte[] bytes, long offset, string structure, string reason)
    {
        var e = Assert.Throws<ModuleFormatException>(() => ReadAll(bytes));
        Assert.Equal(Name, e.FilePath);
        Assert.Equal(offset, e.Offset);
        Assert.Equal(structure, e.Structure);
        Assert.Contains(reason, e.Reason);
        return e;
    }

    [Fact]
    public void FixtureReadsCleanly() => ReadAll(Fixture());

    [Fact]
    public void TruncatedHeader()
    {
        Fails(Fixture()[..20], 0, "a.out header", "shorter than the 32-byte struct exec");
        Fails([0x00, 0x86, 0x01, 0x07], 0, "a.out header", "shorter than the 32-byte struct exec");
    }

    [Fact]
    public void SizesPastTheEnd()
    {
        var text = Fixture();
        Put(text, 4, 0x7fff_fff0);
        Fails(text, 4, "a.out header", "a_text 2147483632 at file offset 0x20 runs past the end of the file");

        var syms = Fixture();
        Put(syms, 16, 12 * 0x100_0000);
        Fails(syms, 16, "a.out header", "a_syms 201326592");

        var odd = Fixture();
        Put(odd, 16, 0xa8 + 1);
        Fails(odd, 16, "a.out header", "not a multiple of the 12-byte nlist entry");

        var relocs = Fixture();
        Put(relocs, 24, 0x30 + 4);
        Fails(relocs, 24, "a.out header", "not a multiple of the 8-byte relocation record");

        Fails(Fixture()[..(Strings + 2)], Strings, "a.out header", "4-byte size word is truncated");
        Fails(Fixture()[..^1], Strings, "a.out header", "string table size 196 is not between 4 and the 0xc3 bytes left");
        Fails(Fixture()[..Strings], Strings, "a.out header", "has no string table after it");
    }

    [Fact]
    public void StringOffsetsOutsideTheTable()
    {
        var past = Fixture();
        Put(past, Symbols, 0x10000);
        Fails(past, Symbols, "a.out symbol 0", "name offset 65536 is outside the string table (names lie at 4..195)");

        var inSizeWord = Fixture();
        Put(inSizeWord, Symbols + 12, 2);
        Fails(inSizeWord, Symbols + 12, "a.out symbol 1", "name offset 2 is outside the string table");

        var unterminated = Fixture();
        Put(unterminated, Strings, 0xc4 - 1);
        var bytes = unterminated[..^1];
        Fails(bytes, Strings + 0xb8, "a.out symbol 13", "without a NUL terminator");
    }

    [Fact]
    public void RelocationNamingSymbolTwoToTheTwentyFourMinusOne()
    {
        var bytes = Fixture();
        // text relocation 1: call _lkmdispatch, extern pc-relative; r_symbolnum := 0xffffff
        bytes[TextRelocs + 8 + 4] = 0xff;
        bytes[TextRelocs + 8 + 5] = 0xff;
        bytes[TextRelocs + 8 + 6] = 0xff;
        Fails(bytes, TextRelocs + 8, "a.out text relocation 1", "r_symbolnum 16777215 is out of range (the symbol table has 14 entries)");

        var data = Fixture();
        data[DataRelocs + 4] = 0x90; // lkm_name's relocation becomes extern, naming symbol 0x90
        data[DataRelocs + 7] |= 0x08;
        Fails(data, DataRelocs, "a.out data relocation 0", "r_symbolnum 144 is out of range");
    }

    [Fact]
    public void RelocationPlacesAndSegmentsAreChecked()
    {
        var place = Fixture();
        Put(place, TextRelocs, 0x6a);
        Fails(place, TextRelocs, "a.out text relocation 0", "r_address 0x6a (+4 bytes) is outside the text segment (0x6c bytes)");

        var negative = Fixture();
        Put(negative, DataRelocs + 16, 0xffff_fffc);
        Fails(negative, DataRelocs + 16, "a.out data relocation 2", "r_address 0xfffffffc (+4 bytes) is outside the data segment");

        var segment = Fixture();
        segment[TextRelocs + 4] = 0x0a; // non-extern record naming N_INDR
        Fails(segment, TextRelocs, "a.out text relocation 0", "segment type 10, not N_TEXT (4), N_DATA (6), N_BSS (8) or N_ABS (2)");
    }

    [Fact]
    public void WeakMagicsAreNotClaimedUnlessEverythingFits()
    {
        var random = new Random(4);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[64 + random.Next(4096)];
            random.NextBytes(bytes);
            bytes[0] = 0x07;
            bytes[1] = 0x01;
            bytes[2] = (byte)random.Next(2);
            bytes[3] = 0;
            var e = Assert.Throws<ModuleFormatException>(() => ReadAll(bytes));
            Assert.Contains("not a recognised module container", e.Reason);
        }
    }
}
