using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Tests;

/// <summary>
/// Decompression never holds more than the size a stream declares (checked against the 1 GiB limit before a byte is
/// inflated), and a stream that declares nothing is counted under a running limit before memory is taken for it.
/// The bombs in testdata/bombs/ are 2 GiB of zeros made by the xz and zstd tools (scripts/build-bomb-fixtures.sh).
/// </summary>
public sealed class DecompressionLimitTests
{
    private static readonly string Plain = RepoPaths.Linux("x86_64", "lkmdemo_core.signed.ko");

    [Theory]
    [InlineData(".gz")]
    [InlineData(".xz")]
    [InlineData(".zst")]
    public void CompressedFixturesDecompressToThePlainModule(string suffix)
    {
        using var source = ModuleSource.Open(Plain + suffix);
        Assert.Equal(File.ReadAllBytes(Plain), source.Data.ToArray());
    }

    [Theory]
    [InlineData("zeros2g.xz")]
    [InlineData("zeros2g-sized.zst")]
    public void DeclaredBombIsRefusedBeforeInflating(string name)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModuleFormatException>(() => ModuleSource.Open(RepoPaths.TestData("bombs", name)));
        Assert.Contains("declares 2147483648 bytes", e.Message);
        Assert.Contains("refused before decompressing", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20, "no output buffer was allocated");
    }

    [Fact]
    public void UndeclaredBombIsCountedInASmallWindowAndRefused()
    {
        // zstd from a pipe writes no content size: the first pass counts in a 64 KiB window and stops at the limit.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModuleFormatException>(() => ModuleSource.Open(RepoPaths.TestData("bombs", "zeros2g.zst")));
        Assert.Contains("exceeds the limit of 1073741824 bytes", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20, "only the counting window was allocated");
    }

    [Fact]
    public void GzipTrailerDeclaringMoreThanTheLimitIsRefusedAtOnce()
    {
        var bytes = File.ReadAllBytes(Plain + ".gz");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), 0x80000000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModuleFormatException>(() => ModuleSource.FromMemory("bomb.gz", bytes));
        Assert.Contains("declares 2147483648 bytes", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20);
    }

    [Fact]
    public void GzipStreamLongerThanItsTrailerIsRefused()
    {
        // A stream whose real size wrapped past 4 GiB shows a small ISIZE: one byte past it is enough to refuse.
        var bytes = File.ReadAllBytes(Plain + ".gz");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), 16);
        var e = Assert.Throws<ModuleFormatException>(() => ModuleSource.FromMemory("wrapped.gz", bytes));
        Assert.Contains("more than the 16 bytes its trailer records", e.Message);
    }

    [Fact]
    public void XzIndexGivesTheUncompressedSize()
    {
        Assert.Equal(new FileInfo(Plain).Length, XzIndex.DeclaredSize(File.ReadAllBytes(Plain + ".xz")));
        Assert.Null(XzIndex.DeclaredSize(File.ReadAllBytes(Plain)));
    }
}
