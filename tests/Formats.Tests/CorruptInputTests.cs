using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>Truncated, oversized and hostile inputs give a <see cref="ModuleFormatException"/> naming file, offset and structure.</summary>
public class CorruptInputTests
{
    private const string Name = "corrupt.ko";

    private static byte[] Fixture(string file = "lkmdemo_min.ko", string arch = "x86_64") => File.ReadAllBytes(RepoPaths.Linux(arch, file));

    private static void ReadAll(byte[] bytes) => ModelReading.ReadAll(Name, bytes);

    private static ModuleFormatException Fails(byte[] bytes) => ModelReading.Fails(Name, bytes);

    private static ulong SectionHeaderOffset(byte[] elf) => BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));

    private static int SectionHeader(byte[] elf, string name)
    {
        var parsed = ElfFile.Parse(elf, Name);
        return (int)SectionHeaderOffset(elf) + parsed.FindSection(name) * 64;
    }

    [Fact]
    public void EmptyAndTinyInputs()
    {
        Assert.Contains("not a recognised module container", Fails([]).Reason);
        var e = Fails([0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1]);
        Assert.Contains("ELF", e.Structure);
    }

    [Fact]
    public void UnknownClassAndData()
    {
        var elf = Fixture();
        elf[4] = 7;
        Assert.Equal(4, Fails(elf).Offset);
        elf = Fixture();
        elf[5] = 9;
        Assert.Equal(5, Fails(elf).Offset);
    }

    [Fact]
    public void TruncatedAtEveryPointNeverEscapesAnythingElse()
    {
        var elf = Fixture();
        for (int length = 0; length < elf.Length; length += 37)
        {
            try
            {
                ReadAll(elf[..length]);
            }
            catch (ModuleFormatException e)
            {
                Assert.Equal(Name, e.FilePath);
            }
        }
    }

    [Fact]
    public void SectionHeaderTablePastTheEnd()
    {
        var elf = Fixture();
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x28), (ulong)elf.Length - 10);
        var e = Fails(elf);
        Assert.Contains("section header", e.Structure);
        Assert.Contains("runs past the end", e.Reason);
    }

    [Fact]
    public void HugeSectionCountIsRejectedBeforeAllocating()
    {
        var elf = Fixture();
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3c), 0xfff0);
        Assert.Contains("runs past the end", Fails(elf).Reason);

        // e_shnum 0 moves the count to section 0's sh_size: an absurd value must not be allocated.
        elf = Fixture();
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3c), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan((int)SectionHeaderOffset(elf) + 32), 1UL << 40);
        Assert.Contains("runs past the end", Fails(elf).Reason);
    }

    [Fact]
    public void WrongSectionHeaderEntrySize()
    {
        var elf = Fixture();
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3a), 40);
        var e = Fails(elf);
        Assert.Equal(58, e.Offset);
        Assert.Contains("e_shentsize", e.Reason);
    }

    [Fact]
    public void SectionNameTableIndexOutOfRange()
    {
        var elf = Fixture();
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x3e), 200);
        Assert.Contains("e_shstrndx", Fails(elf).Reason);
    }

    [Fact]
    public void SectionDataPastTheEnd()
    {
        var elf = Fixture();
        int header = SectionHeader(elf, ".modinfo");
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(header + 32), 0x7fff_ffff_ffff);
        var e = Fails(elf);
        Assert.Equal(header, e.Offset);
        Assert.Contains("runs past the end", e.Reason);
    }

    [Fact]
    public void SectionNamePastItsStringTable()
    {
        var elf = Fixture();
        int header = (int)SectionHeaderOffset(elf) + 64;
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(header), 0xffffff);
        Assert.Contains("past the end of its string table", Fails(elf).Reason);
    }

    [Fact]
    public void UnterminatedStringTable()
    {
        var elf = Fixture();
        var parsed = ElfFile.Parse(elf, Name);
        var shstrtab = parsed.Sections[parsed.Header.SectionNameTableIndex];
        elf.AsSpan((int)shstrtab.Offset, (int)shstrtab.Size).Fill((byte)'x');
        Assert.Contains("not NUL-terminated", Fails(elf).Reason);
    }

    [Fact]
    public void SymbolWithSectionIndexOutOfRange()
    {
        var elf = Fixture();
        var parsed = ElfFile.Parse(elf, Name);
        int symtab = parsed.FindSectionOfType(ElfConstants.ShtSymTab);
        int firstSymbol = (int)parsed.Sections[symtab].Offset + 24;
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(firstSymbol + 6), 0xfe00);
        Assert.Contains("section index 65024 is out of range", Fails(elf).Reason);
    }

    [Fact]
    public void SymbolTableLinkedToSomethingElse()
    {
        var elf = Fixture();
        int header = SectionHeader(elf, ".symtab");
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(header + 40), 1000);
        Assert.Contains("out of range", Fails(elf).Reason);
    }

    [Fact]
    public void RelocationNamingSymbolPastTheTable()
    {
        var elf = Fixture();
        var parsed = ElfFile.Parse(elf, Name);
        int rela = parsed.FindSectionOfType(ElfConstants.ShtRela);
        int entry = (int)parsed.Sections[rela].Offset;
        ulong info = BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(entry + 8));
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(entry + 8), (0xffffffUL << 32) | (uint)info);
        var e = Fails(elf);
        Assert.Equal(entry, e.Offset);
        Assert.Contains("symbol index 16777215 is out of range", e.Reason);
    }

    [Fact]
    public void RelocationTargetSectionOutOfRange()
    {
        var elf = Fixture();
        var parsed = ElfFile.Parse(elf, Name);
        int rela = parsed.FindSectionOfType(ElfConstants.ShtRela);
        int header = (int)SectionHeaderOffset(elf) + rela * 64;
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(header + 44), 5000);
        Assert.Contains("out of range", Fails(elf).Reason);
    }

    [Fact]
    public void ImplicitAddendPlaceOutsideItsSection()
    {
        var elf = Fixture("lkmdemo_min.ko", "i386");
        var parsed = ElfFile.Parse(elf, Name);
        int rel = parsed.FindSectionOfType(ElfConstants.ShtRel);
        int entry = (int)parsed.Sections[rel].Offset;
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(entry), 0x7fffff00);
        var e = Fails(elf);
        Assert.Equal(entry, e.Offset);
        Assert.Contains("is outside section", e.Reason);
    }

    [Fact]
    public void VersionsTableOfTheWrongSize()
    {
        var elf = Fixture();
        int header = SectionHeader(elf, "__versions");
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(header + 32));
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(header + 32), size - 3);
        var e = Fails(elf);
        Assert.Equal("__versions", e.Structure);
        Assert.Contains("not a multiple of 64", e.Reason);
    }

    [Fact]
    public void NoteRunningPastItsSection()
    {
        var elf = Fixture();
        var parsed = ElfFile.Parse(elf, Name);
        int notes = parsed.FindSection(".note.Linux");
        int at = (int)parsed.Sections[notes].Offset;
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(at + 4), 0xfffffff0);
        var e = Fails(elf);
        Assert.Equal(at, e.Offset);
        Assert.Contains("runs past the end of the section", e.Reason);
    }

    [Fact]
    public void SignatureTrailerWithImpossibleLength()
    {
        var elf = File.ReadAllBytes(RepoPaths.Linux("x86_64", "lkmdemo_core.signed.ko"));
        int lengthField = elf.Length - 28 - 4;
        BinaryPrimitives.WriteUInt32BigEndian(elf.AsSpan(lengthField), 0xfffffff0);
        var e = Fails(elf);
        Assert.Equal(lengthField, e.Offset);
        Assert.Equal("module signature", e.Structure);
    }

    [Fact]
    public void SignatureWithGarbageDer()
    {
        var signed = File.ReadAllBytes(RepoPaths.Linux("x86_64", "lkmdemo_core.signed.ko"));
        int elfLength = (int)new FileInfo(RepoPaths.Linux("x86_64", "lkmdemo_core.ko")).Length;
        signed.AsSpan(elfLength, 16).Fill(0xff);
        var e = Fails(signed);
        Assert.Equal("module signature", e.Structure);
        Assert.InRange(e.Offset, elfLength, signed.Length);
    }

    [Theory]
    [InlineData("lkmdemo_core.signed.ko.gz")]
    [InlineData("lkmdemo_core.signed.ko.xz")]
    [InlineData("lkmdemo_core.signed.ko.zst")]
    public void TruncatedCompressedModules(string name)
    {
        var bytes = File.ReadAllBytes(RepoPaths.Linux("x86_64", name));
        var e = Fails(bytes[..(bytes.Length / 2)]);
        Assert.Contains(name.EndsWith(".gz") ? "gzip" : name.EndsWith(".xz") ? "xz" : "zstd", e.Structure);
    }

    [Fact]
    public void RandomBytesAfterTheMagicNeverEscapeAnythingElse()
    {
        var random = new Random(1234);
        var original = Fixture();
        for (int round = 0; round < 400; round++)
        {
            var elf = (byte[])original.Clone();
            for (int flips = 0; flips < 8; flips++)
            {
                elf[random.Next(16, elf.Length)] = (byte)random.Next(256);
            }

            try
            {
                ReadAll(elf);
            }
            catch (ModuleFormatException e)
            {
                Assert.Equal(Name, e.FilePath);
            }
        }
    }

    [Fact]
    public void UnrecognisedElfIsReadWithADiagnostic()
    {
        var elf = Fixture();
        int header = SectionHeader(elf, ".gnu.linkonce.this_module");
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(header), 0);
        int modinfo = SectionHeader(elf, ".modinfo");
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(modinfo), 0);
        using var source = ModuleSource.FromMemory(Name, elf);
        var module = Assert.Single(ModuleReader.Read(source));
        Assert.Equal(ModuleFlavor.Unknown, module.Flavor);
        Assert.Contains(module.Diagnostics, d => d.Message.StartsWith("not a recognised kernel module"));
    }
}
