using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using LkmKit.Formats.AOut;
using LkmKit.Formats.Elf;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Pe;

namespace LkmKit.Formats.Tests;

/// <summary>Every container gives its own header facts in <see cref="KernelModule.ContainerDetails"/>, apart from the flavour's details.</summary>
public class ContainerDetailsTests
{
    public static TheoryData<string> ElfFixtures => new()
    {
        "linux/x86_64/lkmdemo_core.ko", "linux/i386/lkmdemo_user.ko", "linux/aarch64/lkmdemo_core.ko",
        "freebsd/amd64/fbsd_demo.ko", "freebsd/i386/fbsd_demo.ko", "netbsd/amd64/nbsd_demo.kmod",
    };

    [SkippableTheory]
    [MemberData(nameof(ElfFixtures))]
    public void ElfDetailsAreWhatReadelfPrints(string fixture)
    {
        ExternalTool.Require("readelf");
        string path = RepoPaths.TestData(fixture.Split('/'));
        var (code, output) = ExternalTool.Run("readelf", "-hW", path);
        Assert.Equal(0, code);
        string Field(string name) => Regex.Match(output, $@"^\s*{Regex.Escape(name)}:\s*(.*?)\s*$", RegexOptions.Multiline).Groups[1].Value;
        ulong Number(string name) => Field(name).Split(' ')[0] is var t && t.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.Parse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : ulong.Parse(t, CultureInfo.InvariantCulture);

        using var file = ModuleReader.Open(path);
        var m = Assert.Single(file.Modules);
        var elf = Assert.IsType<ElfDetails>(m.ContainerDetails);
        var ident = Field("Magic").Split(' ').Select(b => byte.Parse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(ident[7], elf.OsAbi);
        Assert.Equal(Number("ABI Version"), elf.AbiVersion);
        Assert.Equal(Number("Version"), elf.Version);
        Assert.Equal(Number("Entry point address"), elf.Entry);
        Assert.Equal(Number("Start of program headers"), elf.ProgramHeaderOffset);
        Assert.Equal(Number("Start of section headers"), elf.SectionHeaderOffset);
        Assert.Equal(Number("Flags"), elf.Flags);
        Assert.Equal(Number("Size of this header"), elf.HeaderSize);
        Assert.Equal(Number("Size of program headers"), elf.ProgramHeaderEntrySize);
        Assert.Equal(Number("Number of program headers"), (ulong)elf.ProgramHeaderCount);
        Assert.Equal(Number("Size of section headers"), elf.SectionHeaderEntrySize);
        Assert.Equal(Number("Number of section headers"), (ulong)elf.SectionHeaderCount);
        Assert.Equal(Number("Section header string table index"), (ulong)elf.SectionNameTableIndex);
        Assert.Equal(m.FileType, Field("Type").Split(' ')[0]);
        Assert.Equal(m.FileKind == ModuleFileKind.Relocatable ? 1 : 3, elf.RawFileType);
    }

    [Theory]
    [InlineData("mysys.o")]
    [InlineData("mymisc.o")]
    [InlineData("fbsys.o")]
    public void AOutDetailsAreTheExecHeaderWords(string fixture)
    {
        string path = RepoPaths.TestData("lkm", fixture);
        var bytes = File.ReadAllBytes(path);
        using var file = ModuleReader.Open(path);
        var m = Assert.Single(file.Modules);
        var aout = Assert.IsType<AOutDetails>(m.ContainerDetails);
        uint Word(int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
        Assert.Equal(Word(0), aout.RawMidmag);
        Assert.Equal((Word(4), Word(8), Word(12), Word(16), Word(20), Word(24), Word(28)),
            (aout.TextSize, aout.DataSize, aout.BssSize, aout.SymbolTableSize, aout.Entry, aout.TextRelocationSize, aout.DataRelocationSize));
        Assert.Equal(0x107, aout.Magic); // OMAGIC: every LKM is an object file
        Assert.Equal(m.RawMachine, aout.MachineId);
        Assert.Equal((ulong)aout.TextSize, m.Sections.Single(s => s.Name == ".text").Size);
    }

    [Fact]
    public void MachOAndPeDetailsAreContainerDetailsAndTheFlavourKeepsItsOwn()
    {
        using (var kext = ModuleReader.Open(RepoPaths.TestData("kext", "objects", "demokext.x86_64.o")))
        {
            var m = Assert.Single(kext.Modules);
            Assert.Equal(ModuleFlavor.Kext, m.Flavor);
            Assert.IsType<Flavors.Kext.KextDetails>(m.Details);
            Assert.Equal("x86_64", Assert.IsType<MachODetails>(m.ContainerDetails).ArchName);
        }

        using var driver = ModuleReader.Open(RepoPaths.TestData("windows", "x86_64", "lkmkit.sys"));
        var pe = Assert.IsType<PeImageDetails>(Assert.Single(driver.Modules).ContainerDetails);
        Assert.Equal(pe.VersionInfo!.FileVersion, pe.FileVersion);
        Assert.Equal("1.2.0.0", pe.ProductVersion);
        Assert.Null(Assert.Single(driver.Modules).Details);
    }

    [Fact]
    public void ACodelessKextHasNoContainerDetails()
    {
        using var file = ModuleReader.Open(RepoPaths.TestData("kext", "Codeless.kext"));
        var m = Assert.Single(file.Modules);
        Assert.Equal(ModuleFileKind.Codeless, m.FileKind);
        Assert.Null(m.ContainerDetails);
        Assert.IsType<Flavors.Kext.KextDetails>(m.Details);
    }
}
