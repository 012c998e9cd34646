using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Linker.Indexing;

namespace LkmKit.Linker.Tests.Indexing;

/// <summary>depmod's sparse read of a module must see exactly what a whole read sees, and report damage the same way.</summary>
public class DepmodElfImageTests
{
    public static TheoryData<string> PlainModules => new()
    {
        "lkmdemo_core.ko", "lkmdemo_core.signed.ko", "lkmdemo_min.ko", "lkmdemo_user.ko",
    };

    [Theory]
    [MemberData(nameof(PlainModules))]
    public void Sparse_read_finds_what_the_whole_file_holds(string name)
    {
        string path = RepoPaths.TestData("linux/x86_64/" + name);
        using var sparse = DepmodElfImage.Open(path);
        Assert.True(sparse.IsSparse);
        var fromSparse = DepmodModuleScan.Read(sparse);
        using var whole = DepmodElfImage.OpenWhole(path);
        Assert.False(whole.IsSparse);
        var fromWhole = DepmodModuleScan.Read(whole);

        Assert.Equal(fromWhole.Aliases, fromSparse.Aliases);
        Assert.Equal(fromWhole.Softdeps, fromSparse.Softdeps);
        Assert.Equal(fromWhole.Exports, fromSparse.Exports);
        Assert.Equal(fromWhole.Needs, fromSparse.Needs);
        Assert.Equal(fromWhole.NeedNames, fromSparse.NeedNames);
        Assert.NotEmpty(fromSparse.Needs);
    }

    [Fact]
    public void Compressed_module_is_read_whole()
    {
        using var image = DepmodElfImage.Open(RepoPaths.TestData("linux/x86_64/lkmdemo_core.signed.ko.xz"));
        Assert.False(image.IsSparse);
        Assert.Contains(DepmodModuleScan.Read(image).Exports, e => e.Name == "lkmdemo_add");
    }

    public static TheoryData<string> Damages => new() { "section name past the name table", "symbol table entry size", "symbol name past the string table" };

    [Theory]
    [MemberData(nameof(Damages))]
    public void Damage_found_by_the_sparse_read_gets_the_reader_s_own_error(string damage)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("lkmkit-depmod-image-").FullName, "damaged.ko");
        var bytes = File.ReadAllBytes(RepoPaths.TestData("linux/x86_64/lkmdemo_min.ko"));
        var elf = ElfFile.Parse(bytes.ToArray(), path);
        int symtab = elf.FindSection(".symtab");
        int header = (int)elf.Header.SectionHeaderOffset + symtab * 64;
        switch (damage)
        {
            case "section name past the name table":
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(header), 0xfff0);
                break;
            case "symbol table entry size":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(header + 56), 7);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)elf.Sections[symtab].Offset + 24 * 3), 0x7fff_0000);
                break;
        }

        File.WriteAllBytes(path, bytes);
        try
        {
            var expected = Assert.Throws<ModuleFormatException>(() => DepmodModuleScan.Read(DepmodElfImage.OpenWhole(path)));
            var actual = Assert.Throws<ModuleFormatException>(() => DepmodModuleScan.Read(path));
            Assert.Equal(expected.Message, actual.Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
