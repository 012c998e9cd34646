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
    public void BuffersFreedOnAnotherThreadAreReusedWithTheRightBytes()
    {
        // One thread reads, another frees (the read buffers go to the shared pool), a third reads files both smaller
        // and larger than the pooled blocks: every read must give exactly the file's bytes.
        string dir = Directory.CreateTempSubdirectory("lkm-pool-").FullName;
        try
        {
            var random = new Random(3);
            var paths = new[] { 1 << 20, 200, 70_000, 3 << 20, 5000, 1 << 20 }.Select((size, i) =>
            {
                var content = new byte[size];
                random.NextBytes(content);
                string path = Path.Combine(dir, $"f{i}.bin");
                File.WriteAllBytes(path, content);
                return path;
            }).ToArray();

            var opened = RunOnNewThread(() => paths.Take(3).Select(ModuleSource.Open).ToList());
            RunOnNewThread(() =>
            {
                opened.ForEach(source => source.Dispose());
                return 0;
            });
            var contents = RunOnNewThread(() => paths.Reverse().Select(path =>
            {
                using var source = ModuleSource.Open(path);
                return (path, bytes: source.Data.ToArray());
            }).ToList());
            foreach (var (path, bytes) in contents)
            {
                Assert.Equal(File.ReadAllBytes(path), bytes);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static T RunOnNewThread<T>(Func<T> work)
    {
        T result = default!;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
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
