using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Tests;

/// <summary>Hostile FreeBSD and NetBSD modules: bad pointers, link sets, records and strings give a <see cref="ModuleFormatException"/>.</summary>
public class BsdCorruptInputTests
{
    private const string Name = "corrupt.ko";

    private static byte[] FreeBsd(string arch = "amd64", string file = "fbsd_demo.ko") => File.ReadAllBytes(BsdFixtureTests.FreeBsd(arch, file));

    private static byte[] NetBsd(string arch = "amd64", string file = "nbsd_demo.kmod") => File.ReadAllBytes(BsdFixtureTests.NetBsd(arch, file));

    private static void ReadAll(byte[] bytes) => ModelReading.ReadAll(Name, bytes);

    private static ModuleFormatException Fails(byte[] bytes) => ModelReading.Fails(Name, bytes);

    private static ElfSectionHeader Section(byte[] elf, string name)
    {
        var parsed = ElfFile.Parse(elf, Name);
        return parsed.Sections[parsed.FindSection(name)];
    }

    /// <summary>File offset of section <paramref name="name"/>'s 64-bit header.</summary>
    private static int Header64(byte[] elf, string name)
    {
        var parsed = ElfFile.Parse(elf, Name);
        return (int)parsed.Header.SectionHeaderOffset + parsed.FindSection(name) * 64;
    }

    /// <summary>File offset of the 24-byte RELA entry of <paramref name="table"/> whose r_offset is <paramref name="place"/>.</summary>
    private static int RelaEntry(byte[] elf, string table, ulong place)
    {
        var s = Section(elf, table);
        for (int at = (int)s.Offset; at < (int)(s.Offset + s.Size); at += 24)
        {
            if (BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(at)) == place)
            {
                return at;
            }
        }

        throw new InvalidOperationException($"no relocation at 0x{place:x} in {table}");
    }

    [Fact]
    public void FreeBsdSetPointerOutOfRange()
    {
        var elf = FreeBsd();
        BinaryPrimitives.WriteInt64LittleEndian(elf.AsSpan(RelaEntry(elf, ".relaset_modmetadata_set", 8) + 16), 0x100000);
        var e = Fails(elf);
        Assert.Equal("mod_metadata 1", e.Structure);
        Assert.Contains("run past the end of section .data", e.Reason);
    }

    [Fact]
    public void FreeBsdMetadataRecordStraddlingTheEndOfItsSection()
    {
        var elf = FreeBsd();
        ulong dataSize = Section(elf, ".data").Size;
        BinaryPrimitives.WriteInt64LittleEndian(elf.AsSpan(RelaEntry(elf, ".relaset_modmetadata_set", 0) + 16), (long)dataSize - 8);
        var e = Fails(elf);
        Assert.Contains("24 bytes at offset", e.Reason);
        Assert.Equal((long)(Section(elf, ".data").Offset + dataSize - 8), e.Offset);
    }

    [Fact]
    public void FreeBsdSetOfTheWrongSize()
    {
        var elf = FreeBsd();
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(Header64(elf, "set_modmetadata_set") + 32), 12);
        var e = Fails(elf);
        Assert.Equal("set_modmetadata_set", e.Structure);
        Assert.Contains("not a whole number of 8-byte pointers", e.Reason);
    }

    [Fact]
    public void FreeBsdPointersAreNeverGuessedFromRawBytes()
    {
        // Without its relocation section, the set holds only zeros: NULL entries, not records at offset 0.
        var elf = FreeBsd();
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(Header64(elf, ".relaset_modmetadata_set") + 4), ElfConstants.ShtProgBits);
        Assert.Contains("NULL pointer", Fails(elf).Reason);

        // An i386 ET_DYN set holds link-time addresses; with the R_386_RELATIVE turned into R_386_NONE it is refused.
        elf = FreeBsd("i386");
        var reldyn = Section(elf, ".rel.dyn");
        var set = Section(elf, "set_modmetadata_set");
        for (int at = (int)reldyn.Offset; at < (int)(reldyn.Offset + reldyn.Size); at += 8)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at)) == set.Address)
            {
                elf[at + 4] = 0; // r_info type R_386_NONE
            }
        }

        Assert.Contains("does not store an address", Fails(elf).Reason);
    }

    [Fact]
    public void FreeBsdUnterminatedName()
    {
        // md_cval of record 0 ("kernel") pointed at the last byte of .rodata.str1.1, whose NUL is overwritten.
        var elf = FreeBsd();
        var strings = Section(elf, ".rodata.str1.1");
        elf[(int)(strings.Offset + strings.Size - 1)] = (byte)'x';
        BinaryPrimitives.WriteInt64LittleEndian(elf.AsSpan(RelaEntry(elf, ".rela.data", 16) + 16), (long)strings.Size - 1);
        var e = Fails(elf);
        Assert.Contains("md_cval", e.Structure);
        Assert.Contains("not NUL-terminated", e.Reason);
    }

    [Fact]
    public void FreeBsdAbsurdPnpTableSize()
    {
        var elf = FreeBsd();
        var rodata = Section(elf, ".rodata");
        var parsed = ElfFile.Parse(elf, Name);
        // The mod_pnp_match_info is the only 32-byte object in .rodata; num_entry is at +28.
        var symbols = parsed.GetSymbolTable(parsed.FindSectionOfType(ElfConstants.ShtSymTab));
        ulong pnp = Enumerable.Range(0, symbols.Count).Select(i => symbols[i]).Single(s => symbols.GetName(s) == "_module_pnp_pci_demo").Value;
        BinaryPrimitives.WriteInt32LittleEndian(elf.AsSpan((int)(rodata.Offset + pnp + 28)), 0x7fff0000);
        Assert.Contains("plausible table", Fails(elf).Reason);
        BinaryPrimitives.WriteInt32LittleEndian(elf.AsSpan((int)(rodata.Offset + pnp + 28)), 1000);
        Assert.Contains("run past the end of section .rodata", Fails(elf).Reason);
    }

    [Fact]
    public void FreeBsdPnpTableOfZeroLengthEntriesIsRefused()
    {
        // entry_len 0 (at +24) with 6 M entries: no bytes of the file back them, so the table is refused at once.
        var elf = FreeBsd();
        var rodata = Section(elf, ".rodata");
        var parsed = ElfFile.Parse(elf, Name);
        var symbols = parsed.GetSymbolTable(parsed.FindSectionOfType(ElfConstants.ShtSymTab));
        ulong pnp = Enumerable.Range(0, symbols.Count).Select(i => symbols[i]).Single(s => symbols.GetName(s) == "_module_pnp_pci_demo").Value;
        BinaryPrimitives.WriteInt32LittleEndian(elf.AsSpan((int)(rodata.Offset + pnp + 24)), 0);
        BinaryPrimitives.WriteInt32LittleEndian(elf.AsSpan((int)(rodata.Offset + pnp + 28)), 6_000_000);
        Assert.Contains("does not describe a table stored in the file", Fails(elf).Reason);
    }

    [Fact]
    public void NetBsdLinkSetOfTheWrongSize()
    {
        var elf = NetBsd();
        int header = Header64(elf, "link_set_modules");
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(header + 32), 16);
        var e = Fails(elf);
        Assert.Equal("link_set_modules", e.Structure);
        Assert.Equal((long)Section(elf, "link_set_modules").Offset, e.Offset);
        Assert.Contains("exactly one 8-byte pointer", e.Reason);
    }

    [Fact]
    public void NetBsdModinfoPointerOutOfRange()
    {
        var elf = NetBsd();
        BinaryPrimitives.WriteInt64LittleEndian(elf.AsSpan(RelaEntry(elf, ".relalink_set_modules", 0) + 16), 0x7fffffff);
        var e = Fails(elf);
        Assert.Equal("modinfo_t", e.Structure);
        Assert.Contains("run past the end of section .rodata", e.Reason);
    }

    [Fact]
    public void NetBsdNameRunningOffTheSection()
    {
        var elf = NetBsd();
        var rodata = Section(elf, ".rodata");
        elf[(int)(rodata.Offset + rodata.Size - 1)] = (byte)'x';
        BinaryPrimitives.WriteInt64LittleEndian(elf.AsSpan(RelaEntry(elf, ".rela.rodata", 16) + 16), (long)rodata.Size - 1);
        var e = Fails(elf);
        Assert.Equal("modinfo_t mi_name", e.Structure);
        Assert.Contains("not NUL-terminated", e.Reason);
    }

    [Fact]
    public void NetBsdModuleRequiringItselfIsReportedNotLooped()
    {
        // mi_required pointed at mi_name's string: a cycle the kernel refuses with EDEADLK.
        var elf = NetBsd();
        long nameAddend = BinaryPrimitives.ReadInt64LittleEndian(elf.AsSpan(RelaEntry(elf, ".rela.rodata", 16) + 16));
        BinaryPrimitives.WriteInt64LittleEndian(elf.AsSpan(RelaEntry(elf, ".rela.rodata", 24) + 16), nameAddend);
        using var source = ModuleSource.FromMemory(Name, elf);
        var m = ModuleReader.Read(source)[0];
        Assert.Equal([new Model.ModuleDependency("nbsd_demo", Model.DependencyKind.Hard)], m.Dependencies);
        Assert.Contains(m.Diagnostics, d => d.Message.Contains("requires itself", StringComparison.Ordinal));
    }

    [Fact]
    public void NetBsdNullModinfoPointer()
    {
        var elf = NetBsd();
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(Header64(elf, ".relalink_set_modules") + 4), ElfConstants.ShtProgBits);
        Assert.Contains("NULL pointer", Fails(elf).Reason);
    }

    [Fact]
    public void MalformedPropertiesFileIsADiagnostic()
    {
        string dir = Directory.CreateTempSubdirectory("lkm-prop-").FullName;
        try
        {
            string module = Path.Combine(dir, "nbsd_demo.kmod");
            File.Copy(BsdFixtureTests.NetBsd("amd64", "nbsd_demo.kmod"), module);
            File.WriteAllText(Path.Combine(dir, "nbsd_demo.prop"), "<plist><dict><key>a</key><string>unterminated</dict></plist>");
            using (var file = ModuleReader.Open(module))
            {
                Assert.Contains(file.Modules[0].Diagnostics, d => d.Message.StartsWith("nbsd_demo.prop: not a valid XML plist: line 1", StringComparison.Ordinal));
            }

            File.WriteAllText(Path.Combine(dir, "nbsd_demo.prop"), "<plist><dict>" + string.Concat(Enumerable.Repeat("<key>k</key><dict>", 40)) + "</dict></plist>");
            using (var file = ModuleReader.Open(module))
            {
                Assert.Contains(file.Modules[0].Diagnostics, d => d.Message.Contains("nesting deeper", StringComparison.Ordinal));
            }

            File.WriteAllText(Path.Combine(dir, "nbsd_demo.prop"), new string(' ', PropertyListReader.KernelSizeLimit));
            using (var file = ModuleReader.Open(module))
            {
                Assert.Contains(file.Modules[0].Diagnostics, d => d.Message.Contains("ignores property files", StringComparison.Ordinal));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    public static TheoryData<string, string, string> Fixtures => new()
    {
        { "freebsd", "amd64", "fbsd_demo.ko" }, { "freebsd", "i386", "fbsd_demo.ko" }, { "freebsd", "i386", "kld/fbsd_demo.kld" },
        { "netbsd", "amd64", "nbsd_demo.kmod" }, { "netbsd", "i386", "nbsd_demo.kmod" },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void TruncationAndByteFlipsOnlyEverGiveModuleFormatException(string flavor, string arch, string file)
    {
        var original = File.ReadAllBytes(RepoPaths.TestData(flavor, arch, file));
        for (int length = 0; length < original.Length; length += 13)
        {
            Survives(original[..length]);
        }

        var random = new Random(1234);
        for (int round = 0; round < 400; round++)
        {
            var bytes = (byte[])original.Clone();
            for (int flips = 0; flips < 4; flips++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            Survives(bytes);
        }
    }

    [Theory]
    [InlineData("freebsd", "fbsd_demo.ko")]
    [InlineData("netbsd", "nbsd_demo.kmod")]
    public void HostileAddendsInEveryRelocationOnlyEverGiveModuleFormatException(string flavor, string file)
    {
        var original = File.ReadAllBytes(RepoPaths.TestData(flavor, "amd64", file));
        var parsed = ElfFile.Parse(original, Name);
        long[] addends = [-1, -8, -24, long.MinValue, long.MaxValue, 0x7fffffff, 0x100000000];
        int patched = 0;
        foreach (var section in parsed.Sections.ToArray().Where(s => s.Type == ElfConstants.ShtRela))
        {
            for (ulong at = section.Offset; at < section.Offset + section.Size; at += 24)
            {
                foreach (long addend in addends)
                {
                    var bytes = (byte[])original.Clone();
                    BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan((int)at + 16), addend);
                    Survives(bytes);
                    patched++;
                }
            }
        }

        Assert.True(patched > 50);
    }

    private static void Survives(byte[] bytes)
    {
        try
        {
            ReadAll(bytes);
        }
        catch (ModuleFormatException e)
        {
            Assert.Equal(Name, e.FilePath);
        }
    }
}
