using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.IO;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;
using LkmKit.Formats.PropertyLists;

namespace LkmKit.Formats.Tests;

/// <summary>Malformed Mach-O, fat and plist input gives a <see cref="ModuleFormatException"/> naming the offset, or a diagnostic when survivable.</summary>
public class MachOCorruptInputTests
{
    private const string Name = "corrupt.kext";

    private static byte[] Fixture(string file = "objects/demokext.x86_64.o") => File.ReadAllBytes(RepoPaths.TestData(["kext", .. file.Split('/')]));

    private static IReadOnlyList<KernelModule> ReadAll(byte[] bytes) => ModelReading.ReadAll(Name, bytes);

    private static ModuleFormatException Fails(byte[] bytes) => ModelReading.Fails(Name, bytes);

    private static void PutU32(byte[] b, long at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan((int)at), v);

    [Fact]
    public void LoadCommandsPastTheEnd()
    {
        var b = Fixture();
        PutU32(b, 20, (uint)b.Length); // sizeofcmds
        var e = Fails(b);
        Assert.Equal(20, e.Offset);
        Assert.Contains("sizeofcmds", e.Structure);

        b = Fixture();
        PutU32(b, 32 + 4, 0x10000); // cmdsize of load command 0
        e = Fails(b);
        Assert.Equal(36, e.Offset);
        Assert.Equal("load command 0", e.Structure);
        Assert.Contains("runs past the end of the load commands", e.Reason);

        b = Fixture();
        PutU32(b, 16, 10_000); // ncmds
        Assert.Equal(16, Fails(b).Offset);
    }

    [Fact]
    public void SegmentWithMoreSectionsThanItsCommandHolds()
    {
        var b = Fixture();
        PutU32(b, 32 + 64, 200); // nsects of the first LC_SEGMENT_64
        var e = Fails(b);
        Assert.Equal(32 + 64, e.Offset);
        Assert.Contains("nsects 200", e.Reason);
    }

    [Fact]
    public void OverlappingSectionsAreADiagnostic()
    {
        var b = Fixture();
        var file = MachOFile.Parse(b, Name);
        int section1 = 32 + 72 + 80; // section_64 #1 (__DATA,__data)
        PutU32(b, section1 + 48, file.Sections[0].Offset + 8);
        var module = Assert.Single(ReadAll(b));
        Assert.Contains(module.Diagnostics, d => d.Message.Contains("sections 1 (__TEXT,__text) and 2 (__DATA,__data) overlap"));
    }

    [Fact]
    public void SectionContentsPastTheEnd()
    {
        var b = Fixture();
        PutU32(b, 32 + 72 + 48, (uint)b.Length - 4); // section 0 offset
        var e = Fails(b);
        Assert.Equal(32 + 72 + 48, e.Offset);
        Assert.Contains("section 1 (__TEXT,__text)", e.Structure);
    }

    [Fact]
    public void StringOffsetPastTheTable()
    {
        var b = Fixture();
        var file = MachOFile.Parse(b, Name);
        long entry = file.Symtab!.Value.SymbolOffset + 16 * 2;
        PutU32(b, entry, 0x00FFFFFF);
        var e = Fails(b);
        Assert.Equal(entry, e.Offset);
        Assert.Equal("symbol 2", e.Structure);
        Assert.Contains("past the string table", e.Reason);
    }

    [Fact]
    public void SymbolTablePastTheEnd()
    {
        var b = Fixture();
        var file = MachOFile.Parse(b, Name);
        int command = (int)file.LoadCommands[file.Symtab!.Value.CommandIndex].Offset;
        PutU32(b, command + 12, 0x1000_0000); // nsyms
        Assert.Equal(command + 8, Fails(b).Offset);
    }

    [Fact]
    public void RelocationNamingSymbol2To24Minus1()
    {
        var b = Fixture();
        var file = MachOFile.Parse(b, Name);
        uint reloff = file.Sections[0].RelocationOffset;
        uint word = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)reloff + 4));
        PutU32(b, reloff + 4, (word & 0xFF000000) | 0x08000000 | 0xFFFFFF); // r_extern, r_symbolnum = 2^24 - 1
        var e = Fails(b);
        Assert.Equal(reloff + 4, e.Offset);
        Assert.Equal("relocation 0 of __TEXT,__text relocations", e.Structure);
        Assert.Contains("symbol index 16777215 is out of range", e.Reason);

        b = Fixture();
        PutU32(b, reloff + 4, (word & 0xF7000000) | 200); // r_extern 0, section ordinal 200
        Assert.Contains("section ordinal 200 is out of range", Fails(b).Reason);
    }

    [Fact]
    public void RelocationPlaceOutsideItsSection()
    {
        var b = Fixture();
        var file = MachOFile.Parse(b, Name);
        uint reloff = file.Sections[1].RelocationOffset;
        PutU32(b, reloff, 0x7FFF_FFF0);
        Assert.Contains("is outside section __DATA,__data", Fails(b).Reason);
    }

    [Fact]
    public void FatHeaderWithOverlappingSlices()
    {
        var b = Fixture("DemoKext.kext/Contents/MacOS/DemoKext");
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8 + 20 + 8), 0x1000 + 0x100); // slice 1 starts inside slice 0
        var e = Fails(b);
        Assert.Equal(8 + 20 + 8, e.Offset);
        Assert.Contains("overlaps slice 0 (x86_64)", e.Reason);

        b = Fixture("DemoKext.kext/Contents/MacOS/DemoKext");
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8 + 12), 0x7FFF_0000); // slice 0 size
        Assert.Contains("runs past the end", Fails(b).Reason);

        b = Fixture("DemoKext.kext/Contents/MacOS/DemoKext");
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8 + 8), 8); // slice 0 inside the header
        Assert.Contains("inside the fat header", Fails(b).Reason);
    }

    [Fact]
    public void JavaClassFileIsNotTakenForFat()
    {
        byte[] java = [0xCA, 0xFE, 0xBA, 0xBE, 0x00, 0x00, 0x00, 0x34, 0x00, 0x10, 0, 0, 0, 0, 0, 0];
        Assert.Contains("not a recognised module container", Fails(java).Reason);
    }

    [Fact]
    public void UnsupportedChainedPointerFormatIsNamed()
    {
        var b = Fixture("objects/demokext.arm64.bundle");
        var file = MachOFile.Parse(b, Name);
        int blob = (int)file.ChainedFixups!.Value.DataOffset;
        int starts = blob + (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(blob + 4));
        uint segCount = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(starts));
        int seg = Enumerable.Range(0, (int)segCount).First(i => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(starts + 4 + i * 4)) != 0);
        int segInfo = starts + (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(starts + 4 + seg * 4));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(segInfo + 6)));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(segInfo + 6), 3);
        var module = Assert.Single(ReadAll(b));
        var d = Assert.Single(module.Diagnostics, d => d.Message.Contains("DYLD_CHAINED_PTR_32 (3)"));
        Assert.Equal(segInfo + 6, d.Offset);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);

        // A page start beyond the segment's file bytes stops the walk with an error, not a hang or a wild read.
        b = Fixture("objects/demokext.arm64.bundle");
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(segInfo + 4), 0x8000); // page_size
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(segInfo + 22), 0x7FF0); // page_start[0]
        Assert.Contains("chain reaches segment offset", Fails(b).Reason);
    }

    [Fact]
    public void TruncatedAtEveryPointNeverEscapesAnythingElse()
    {
        foreach (var name in new[] { "objects/demokext.x86_64.o", "objects/demokext.i386.o", "objects/demokext.arm64.bundle", "DemoKext.kext/Contents/MacOS/DemoKext" })
        {
            var full = Fixture(name);
            for (int length = 0; length < full.Length; length += full.Length / 300 + 1)
            {
                try
                {
                    ReadAll(full[..length]);
                }
                catch (ModuleFormatException)
                {
                }
            }
        }
    }

    [Fact]
    public void RandomBitFlipsNeverEscapeAnythingElse()
    {
        var random = new Random(4);
        foreach (var name in new[] { "objects/demokext.x86_64.o", "objects/demokext.i386.o", "objects/demokext.arm64.o" })
        {
            var full = Fixture(name);
            for (int round = 0; round < 400; round++)
            {
                var b = (byte[])full.Clone();
                for (int k = 0; k < 4; k++)
                {
                    b[random.Next(Math.Min(b.Length, 700))] ^= (byte)(1 << random.Next(8));
                }

                try
                {
                    ReadAll(b);
                }
                catch (ModuleFormatException)
                {
                }
            }
        }
    }

    [Fact]
    public void ExpandingBinaryPlistIsStopped()
    {
        // 40 arrays, each holding the previous one twice: 2^40 values if expanded naively.
        var body = new List<byte>("bplist00"u8.ToArray());
        var offsets = new List<int>();
        offsets.Add(body.Count);
        body.Add(0x09); // object 0: true
        for (int i = 1; i <= 40; i++)
        {
            offsets.Add(body.Count);
            body.AddRange([0xA2, (byte)(i - 1), (byte)(i - 1)]);
        }

        int table = body.Count;
        foreach (var o in offsets)
        {
            body.AddRange([(byte)(o >> 8), (byte)o]);
        }

        var trailer = new byte[32];
        trailer[6] = 2;
        trailer[7] = 1;
        BinaryPrimitives.WriteUInt64BigEndian(trailer.AsSpan(8), (ulong)offsets.Count);
        BinaryPrimitives.WriteUInt64BigEndian(trailer.AsSpan(16), (ulong)offsets.Count - 1);
        BinaryPrimitives.WriteUInt64BigEndian(trailer.AsSpan(24), (ulong)table);
        body.AddRange(trailer);
        var e = Assert.Throws<ModuleFormatException>(() => PropertyList.Parse(body.ToArray(), "x", "Info.plist", out _));
        Assert.Contains("expanding reference graph", e.Reason);
    }

    [Fact]
    public void BrokenPlistsAndBundles()
    {
        string dir = Path.Combine(Path.GetTempPath(), "lkmkit-kext-" + Guid.NewGuid().ToString("N"));
        string contents = Path.Combine(dir, "Bad.kext", "Contents");
        Directory.CreateDirectory(contents);
        try
        {
            string bundle = Path.Combine(dir, "Bad.kext");
            var e = Assert.Throws<ModuleFormatException>(() => ModuleReader.Open(bundle));
            Assert.Contains("no Contents/Info.plist", e.Reason);

            File.WriteAllText(Path.Combine(contents, "Info.plist"), "<?xml version=\"1.0\"?><plist><dict><key>A</key></dict>");
            Assert.Contains("not a valid XML plist", Assert.Throws<ModuleFormatException>(() => ModuleReader.Open(bundle)).Reason);

            File.WriteAllText(Path.Combine(contents, "Info.plist"), "<?xml version=\"1.0\"?><plist><array/></plist>");
            Assert.Contains("not a dictionary", Assert.Throws<ModuleFormatException>(() => ModuleReader.Open(bundle)).Reason);

            // A binary plist whose trailer claims more objects than the file holds.
            var binary = File.ReadAllBytes(RepoPaths.TestData("kext", "DemoKext.kext", "Contents", "PlugIns", "DemoInjector.kext", "Contents", "Info.plist"));
            var bad = (byte[])binary.Clone();
            BinaryPrimitives.WriteUInt64BigEndian(bad.AsSpan(bad.Length - 24), ulong.MaxValue);
            File.WriteAllBytes(Path.Combine(contents, "Info.plist"), bad);
            Assert.Contains("do not fit the file", Assert.Throws<ModuleFormatException>(() => ModuleReader.Open(bundle)).Reason);

            // Every truncation of the binary plist is an error naming the binary plist, never another exception.
            for (int length = 0; length < binary.Length; length += 7)
            {
                Assert.Throws<ModuleFormatException>(() => PropertyList.Parse(binary.AsSpan(0, length), "x", "Info.plist", out _));
            }

            // An executable that is not Mach-O.
            File.Copy(RepoPaths.TestData("kext", "MissingExec.kext", "Contents", "Info.plist"), Path.Combine(contents, "Info.plist"), true);
            Directory.CreateDirectory(Path.Combine(contents, "MacOS"));
            File.WriteAllText(Path.Combine(contents, "MacOS", "MissingExec"), "#!/bin/sh\n");
            Assert.Contains("not a Mach-O file", Assert.Throws<ModuleFormatException>(() => ModuleReader.Open(bundle)).Reason);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
