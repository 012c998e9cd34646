using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests.Writing;

/// <summary>Every ELF fixture in testdata, read, written by <see cref="ElfWriter"/> and read again.</summary>
public class ElfWriterRoundTripTests
{
    public static TheoryData<string> ElfFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(RepoPaths.TestData(), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(RepoPaths.TestData(), path);
            if (!IsDamagedOnPurpose(relative) && IsElf(path))
            {
                data.Add(relative);
            }
        }

        return data;
    }

    /// <summary>
    /// The fuzzer's caught inputs (<c>testdata/fuzz/</c>) and the bad files of fixture trees (a <c>broken</c> directory)
    /// are damaged on purpose: reader regressions, not fixtures to rewrite.
    /// </summary>
    private static bool IsDamagedOnPurpose(string relative) =>
        relative.Split(Path.DirectorySeparatorChar).Any(part => part is "fuzz" or "broken");

    [Theory]
    [MemberData(nameof(ElfFixtures))]
    public void RewriteReadsBackAsTheSameModel(string fixture)
    {
        var (original, rewritten) = RoundTrip(fixture, null);
        Assert.Equal(original.Count, rewritten.Count);
        for (int i = 0; i < original.Count; i++)
        {
            Assert.Equal(ModelSnapshot.Containers(original[i]), ModelSnapshot.Containers(rewritten[i]));
            Assert.Equal(ModelSnapshot.Flavor(original[i]), ModelSnapshot.Flavor(rewritten[i]));
        }
    }

    public static TheoryData<string> RelocatableFixtures()
    {
        var data = new TheoryData<string>();
        foreach (string fixture in ElfFixtures())
        {
            var bytes = File.ReadAllBytes(RepoPaths.TestData(fixture));
            if (ElfFile.Parse(bytes, fixture).Header.Type == ElfConstants.TypeRel)
            {
                data.Add(fixture);
            }
        }

        return data;
    }

    /// <summary>Only relocatable objects: an image's other tables (.dynamic, .hash) would be copied unswapped.</summary>
    [Theory]
    [MemberData(nameof(RelocatableFixtures))]
    public void ByteOrderFlipReadsBackTheSameSectionsSymbolsAndRelocations(string fixture)
    {
        var elf = ElfFile.Parse(File.ReadAllBytes(RepoPaths.TestData(fixture)), fixture);
        var (original, flipped) = RoundTrip(fixture, elf.IsBigEndian ? ByteOrder.LittleEndian : ByteOrder.BigEndian);
        Assert.NotEqual(original[0].ByteOrder, flipped[0].ByteOrder);
        Assert.Equal(ModelSnapshot.Containers(original[0], withData: false), ModelSnapshot.Containers(flipped[0], withData: false));
    }

    [SkippableTheory]
    [MemberData(nameof(ElfFixtures))]
    public void ReadelfPrintsNoWarningForTheRewrite(string fixture)
    {
        ExternalTool.Require("readelf");
        var bytes = File.ReadAllBytes(RepoPaths.TestData(fixture));
        var elf = ElfFile.Parse(bytes, fixture);
        using var source = ModuleSource.FromMemory(fixture, bytes);
        var module = ModuleReader.Read(source)[0];
        var path = Path.Combine(Path.GetTempPath(), $"lkmkit-rewrite-{Environment.ProcessId}-{Path.GetFileName(fixture)}");
        try
        {
            ElfWriter.Write(ElfRewrite.Describe(module, elf), path);
            Readelf.AssertClean(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static (IReadOnlyList<KernelModule> Original, IReadOnlyList<KernelModule> Rewritten) RoundTrip(string fixture, ByteOrder? order)
    {
        var bytes = File.ReadAllBytes(RepoPaths.TestData(fixture));
        var elf = ElfFile.Parse(bytes, fixture);
        var original = ModelReading.ReadAll(fixture, bytes);
        var written = ElfWriter.Build(ElfRewrite.Describe(original[0], elf, order));
        return (original, ModelReading.ReadAll(fixture, written));
    }

    private static bool IsElf(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return stream.Read(head) == 4 && ElfFile.IsElf(head);
    }
}
