using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.IO;
using LkmKit.Formats.Pe;

namespace LkmKit.Formats.Tests;

/// <summary>Truncated and hostile PE files give a <see cref="ModuleFormatException"/> naming file, offset and structure.</summary>
public class WindowsCorruptInputTests
{
    private const string Name = "corrupt.sys";

    private static byte[] Fixture(string arch = "x86_64", string file = "lkmkit.sys") =>
        File.ReadAllBytes(RepoPaths.TestData("windows", arch, file));

    private static PeImage Image(byte[] bytes) => PeImage.Parse(bytes, Name);

    private static void ReadAll(byte[] bytes) => ModelReading.ReadAll(Name, bytes);

    private static ModuleFormatException Fails(byte[] bytes) => ModelReading.Fails(Name, bytes);

    private static int Lfanew(byte[] bytes) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(0x3C));

    private static void SetDirectory(byte[] bytes, int index, uint rva, uint? size = null)
    {
        int at = Image(bytes).DirectoryEntryOffset(index);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), rva);
        if (size is { } value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 4), value);
        }
    }

    private static int Map(byte[] bytes, uint rva)
    {
        Assert.True(Image(bytes).TryMap(rva, out int offset, out _));
        return offset;
    }

    [Fact]
    public void TinyInputs()
    {
        Assert.Equal("DOS header", Fails("MZ"u8.ToArray()).Structure);
        Assert.Equal("DOS header", Fails(Fixture()[..0x3E]).Structure);
    }

    [Fact]
    public void PeHeaderOffsetPastTheEnd()
    {
        var bytes = Fixture();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(0x3C), bytes.Length + 0x100);
        var e = Fails(bytes);
        Assert.Equal(0x3C, e.Offset);
        Assert.Contains("e_lfanew", e.Reason);

        bytes = Fixture();
        bytes[Lfanew(bytes)] = (byte)'X';
        Assert.Equal("PE signature", Fails(bytes).Structure);
    }

    [Fact]
    public void SectionTablePastTheEnd()
    {
        var bytes = Fixture();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(Lfanew(bytes) + 4 + 2), 0xFFFF);
        var e = Fails(bytes);
        Assert.Equal("section table", e.Structure);
        Assert.Equal(Image(Fixture()).SectionTableOffset, e.Offset);
    }

    [Fact]
    public void TruncatedSectionData()
    {
        var bytes = Fixture()[..0x1100];
        var e = Fails(bytes);
        Assert.StartsWith("PE section header", e.Structure);
        Assert.Contains("runs past the end of the file", e.Reason);
    }

    [Fact]
    public void BadOptionalHeaderMagicBecomesFormatException()
    {
        var bytes = Fixture();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(Lfanew(bytes) + 24), 0x1234);
        var e = Fails(bytes);
        Assert.Equal("PE headers", e.Structure);
        Assert.Equal(Lfanew(bytes), e.Offset);
    }

    [Fact]
    public void ImportDirectoryOutsideAnySection()
    {
        var bytes = Fixture();
        SetDirectory(bytes, 1, 0x7FFF_0000);
        var e = Fails(bytes);
        Assert.Equal("PE import directory", e.Structure);
        Assert.Equal(Image(bytes).DirectoryEntryOffset(1), e.Offset);
        Assert.Contains("no section", e.Reason);
    }

    [Fact]
    public void UnterminatedImportName()
    {
        var bytes = Fixture();
        var image = Image(bytes);
        uint importRva = (uint)image.Header.ImportTableDirectory.RelativeVirtualAddress;
        int descriptor = Map(bytes, importRva);
        uint nameRva = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(descriptor + 12));
        Assert.True(image.TryMap(nameRva, out int nameAt, out int available));
        bytes.AsSpan(nameAt, available).Fill((byte)'A');
        var e = Fails(bytes);
        Assert.Equal("PE import descriptor 0 name", e.Structure);
        Assert.Contains("no NUL terminator", e.Reason);
    }

    [Fact]
    public void UnterminatedImportDescriptorTable()
    {
        var bytes = Fixture();
        var image = Image(bytes);
        uint importRva = (uint)image.Header.ImportTableDirectory.RelativeVirtualAddress;
        Assert.True(image.TryMap(importRva, out _, out int available));
        // Point the directory at the last 20 bytes of .idata minus one: the next descriptor cannot fit.
        SetDirectory(bytes, 1, importRva + (uint)available - 19);
        var e = Fails(bytes);
        Assert.Equal("PE import directory", e.Structure);
    }

    [Fact]
    public void BaseRelocationBlockTooSmall()
    {
        var bytes = Fixture();
        int block = Map(bytes, (uint)Image(bytes).Header.BaseRelocationTableDirectory.RelativeVirtualAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(block + 4), 4);
        var e = Fails(bytes);
        Assert.Equal("PE base relocation block", e.Structure);
        Assert.Equal(block + 4, e.Offset);
        Assert.Contains("below the 8-byte header", e.Reason);
    }

    [Fact]
    public void BaseRelocationBlockPastTheDirectory()
    {
        var bytes = Fixture("i386");
        int block = Map(bytes, (uint)Image(bytes).Header.BaseRelocationTableDirectory.RelativeVirtualAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(block + 4), 0x1000);
        var e = Fails(bytes);
        Assert.Equal("PE base relocation block", e.Structure);
        Assert.Contains("runs past the end of the directory", e.Reason);
    }

    [Fact]
    public void BaseRelocationDirectoryLargerThanItsSection()
    {
        var bytes = Fixture();
        SetDirectory(bytes, 5, (uint)Image(bytes).Header.BaseRelocationTableDirectory.RelativeVirtualAddress, 0x10_0000);
        Assert.Equal("PE base relocation directory", Fails(bytes).Structure);
    }

    [Fact]
    public void ExportOrdinalOutOfRange()
    {
        var bytes = Fixture();
        int directory = Map(bytes, (uint)Image(bytes).Header.ExportTableDirectory.RelativeVirtualAddress);
        int ordinals = Map(bytes, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(directory + 36)));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(ordinals), 7);
        var e = Fails(bytes);
        Assert.Equal("PE export ordinal table", e.Structure);
        Assert.Equal(ordinals, e.Offset);
    }

    [Fact]
    public void ExportCountLargerThanTheSection()
    {
        var bytes = Fixture();
        int directory = Map(bytes, (uint)Image(bytes).Header.ExportTableDirectory.RelativeVirtualAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(directory + 20), 0xFFFF_FFFF);
        Assert.Equal("PE export address table", Fails(bytes).Structure);
    }

    [Fact]
    public void VersionBlockWithZeroLength()
    {
        var bytes = Fixture();
        int vs = bytes.AsSpan().IndexOf("V\0S\0_\0V\0E\0R\0S\0I\0O\0N\0"u8) - 6;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(vs), 0);
        var e = Fails(bytes);
        Assert.Equal("PE version resource", e.Structure);
        Assert.Equal(vs, e.Offset);
    }

    [Fact]
    public void CertificateTablePastTheEnd()
    {
        var bytes = Fixture("x86_64", "lkmkit-signed.sys");
        SetDirectory(bytes, 4, (uint)bytes.Length - 8, 0x100);
        Assert.Equal("PE certificate table", Fails(bytes).Structure);

        bytes = Fixture("x86_64", "lkmkit-signed.sys");
        int table = (int)(uint)Image(bytes).Header.CertificateTableDirectory.RelativeVirtualAddress;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(table), 4);
        Assert.Equal("PE certificate table", Fails(bytes).Structure);
    }

    [Fact]
    public void CorruptAuthenticodeBlob()
    {
        var bytes = Fixture("x86_64", "lkmkit-signed.sys");
        int table = (int)(uint)Image(bytes).Header.CertificateTableDirectory.RelativeVirtualAddress;
        bytes[table + 8] = 0x05; // not a SEQUENCE
        var e = Fails(bytes);
        Assert.InRange(e.Offset, table, bytes.Length);
    }

    /// <summary>Random byte damage anywhere in the headers and directories: a model or a ModuleFormatException, nothing else.</summary>
    [Theory]
    [InlineData("x86_64", "lkmkit.sys")]
    [InlineData("i386", "lkmkit.sys")]
    [InlineData("x86_64", "lkmkit-signed.sys")]
    public void RandomDamageNeverEscapesAsAnotherException(string arch, string file)
    {
        var original = Fixture(arch, file);
        var random = new Random(4242);
        for (int round = 0; round < 1500; round++)
        {
            var bytes = (byte[])original.Clone();
            int hits = random.Next(1, 4);
            for (int h = 0; h < hits; h++)
            {
                int at = random.Next(0, 4) == 0 ? random.Next(0, 0x400) : random.Next(0, bytes.Length);
                bytes[at] = (byte)random.Next(256);
            }

            try
            {
                ReadAll(bytes);
            }
            catch (ModuleFormatException)
            {
            }
        }
    }
}
