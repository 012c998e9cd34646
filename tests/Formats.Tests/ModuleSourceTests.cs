using LkmKit.Formats;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>Opening files: small ones are read, large ones mapped; both refuse use after dispose.</summary>
public class ModuleSourceTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(ModuleSource.ReadInsteadOfMapLimit + 4096)]
    public void ReadAndMappedFilesGiveTheSameModelAndRefuseUseAfterDispose(int padding)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lkm-source-{Guid.NewGuid():N}.ko");
        var bytes = File.ReadAllBytes(RepoPaths.Linux("x86_64", "lkmdemo_core.ko"));
        File.WriteAllBytes(path, [.. bytes, .. new byte[padding]]);
        try
        {
            ModuleSection modinfo;
            using (var file = ModuleReader.Open(path))
            {
                var module = Assert.Single(file.Modules);
                Assert.Equal("lkmdemo_core", module.Name);
                Assert.Equal(bytes.Length + padding, module.FileSize);
                Assert.Equal(5, module.Exports.Count);
                modinfo = module.Sections.Single(s => s.Name == ".modinfo");
                Assert.Equal((byte)'i', modinfo.Data.Span[0]);
            }

            Assert.Throws<ObjectDisposedException>(() => modinfo.Data.Span[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EmptyFileIsAFormatError()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lkm-empty-{Guid.NewGuid():N}.ko");
        File.WriteAllBytes(path, []);
        try
        {
            var e = Assert.Throws<ModuleFormatException>(() => ModuleReader.Open(path));
            Assert.Equal("file is empty", e.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x1f, 0x8b, 0x08, 0 }, CompressionKind.Gzip)]
    [InlineData(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }, CompressionKind.Xz)]
    [InlineData(new byte[] { 0x28, 0xb5, 0x2f, 0xfd }, CompressionKind.Zstd)]
    [InlineData(new byte[] { 0x7f, 0x45, 0x4c, 0x46 }, CompressionKind.None)]
    public void CompressionIsDetectedByMagic(byte[] head, CompressionKind expected) =>
        Assert.Equal(expected, ModuleSource.DetectCompression(head));
}
