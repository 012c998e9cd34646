using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Output;

namespace LkmKit.Linker.Tests;

/// <summary>
/// Legacy a.out LKM objects (NASM <c>-f aoutb</c>/<c>-f aout</c>) link to the same bytes as their ELF twins (NASM
/// <c>-f elf32</c> from the same source, testdata/lkm) placed at the same addresses, and to what ld.lld makes of the
/// twin, so the reference does not depend on our own ELF path.
/// <para>Two legitimate differences are compared precisely rather than ignored:</para>
/// <list type="bullet">
/// <item>NASM pads a.out text and data to a multiple of 4 with 0x90 (a_text/a_data), the ELF sections are unpadded:
/// the ELF bytes must equal the a.out prefix and the a.out tail must be untouched 0x90 padding.</item>
/// <item>For pc-relative records whose place is in the data segment, NASM's a.out addend counts from the data
/// segment's start (−r_address), while BSD ld (perform_relocation: pc_relocation = data_start − a_text) expects it
/// to count from object address 0 (−(a_text + r_address)), as every text-segment record does. We link as BSD ld
/// did, so those fields come out exactly a_text more than the ELF twin's (only testdata/linker/aout/relocs.o has them).</item>
/// </list>
/// </summary>
public class AOutLinkTests
{
    private const string LkmMap = "testdata/linker/symbols/lkm-i386.System.map";
    private const string RelocsMap = "testdata/linker/symbols/aout-relocs-i386.map";
    private const string Relocs = "testdata/linker/aout/relocs";

    public static TheoryData<string> Pairs => ["testdata/lkm/mysys", "testdata/lkm/mydev", "testdata/lkm/myexec", "testdata/lkm/mymisc", "testdata/lkm/mycdev4", Relocs];

    /// <summary>Data-segment pc-relative fields of relocs.o (offset, width): NASM's addend convention differs from BSD ld's.</summary>
    private static readonly (int Offset, int Width)[] RelocsDataPcRelative = [(0x10, 4), (0x14, 2)];

    private static string MapFor(string stem) => stem == Relocs ? RelocsMap : LkmMap;

    /// <summary>The first narrow relocation of the ELF twin, which our ELF i386 path refuses as the kernels do, or null.</summary>
    private static string? NarrowElfRelocation(string stem) => stem switch
    {
        "testdata/lkm/mymisc" => "relocation R_386_16 (type 20) in .rel.data at .data+0x2e: unsupported relocation type",
        Relocs => "relocation R_386_PC16 (type 21) in .rel.text at .text+0x2a: unsupported relocation type",
        _ => null,
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void AOutObjectLinksToTheSameBytesAsItsElfTwin(string stem)
    {
        var aout = LinkHelper.Link([stem + ".o"], [MapFor(stem)]).Modules[0];
        var layout = new LayoutFile([.. aout.Sections.Where(s => s.Index >= 0 && s.Size > 0).Select(s => (s.Name, s.Address))]);
        if (NarrowElfRelocation(stem) is { } refused)
        {
            // The twin's 8/16-bit forms are R_386_8/16/PC8/PC16, which the ELF i386 loaders refuse (arch/x86/kernel/module.c,
            // FreeBSD elf_machdep.c); the a.out forms (STD_16, STD_DISP16, ...) are what BSD ld applied. The ld.lld test covers these pairs.
            var e = Assert.Throws<LinkException>(() => LinkHelper.Link([stem + ".elf.o"], [MapFor(stem)], new LinkOptions { Layout = layout }));
            Assert.Contains(refused, e.Message);
            return;
        }

        var elf = LinkHelper.Link([stem + ".elf.o"], [MapFor(stem)], new LinkOptions { Layout = layout }).Modules[0];
        AssertSameBytes(aout, elf.Sections.ToDictionary(s => s.Name, s => (s.Address, s.Data)), stem == Relocs ? RelocsDataPcRelative : []);
        foreach (var symbol in aout.Symbols)
        {
            var twin = elf.Symbols.Where(s => s.Name == symbol.Name).ToList();
            Assert.True(twin.Count == 1, $"{symbol.Name} occurs {twin.Count} times in the ELF twin");
            Assert.True(symbol.Address == twin[0].Address, $"{symbol.Name}: a.out 0x{symbol.Address:x}, ELF 0x{twin[0].Address:x}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Pairs))]
    public void ElfTwinLinkedByLldMatchesTheAOutLink(string stem)
    {
        ExternalTool.Require("ld.lld");

        var aout = LinkHelper.Link([stem + ".o"], [MapFor(stem)]).Modules[0];
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            // Sections at the a.out link's addresses, commons after .bss (as ld and lkm allocate them), every undefined
            // name at the System.map address; --noinhibit-exec lets R_386_16/PC16 fields truncate as BSD ld's md_relocate does.
            var script = new List<string> { "SECTIONS {" };
            script.AddRange(aout.Sections.Where(s => s.Index >= 0 && s.Size > 0).Select(s =>
                $"  {s.Name} 0x{s.Address:x} : {{ *({s.Name}){(s.Name == ".bss" ? " *(COMMON)" : "")} }}"));
            script.Add("}");
            script.AddRange(aout.Resolutions.Select(r => $"{r.Name} = 0x{r.Address:x};"));
            File.WriteAllLines(Path.Combine(dir, "link.ld"), script);
            string output = Path.Combine(dir, "lld.elf");
            var (code, _) = ExternalTool.Run("ld.lld", "-m", "elf_i386", "-O0", "--no-relax", "--noinhibit-exec", "-T", Path.Combine(dir, "link.ld"),
                "-o", output, TwinWithAlignedCommons(stem + ".elf.o", dir));
            Assert.Equal(0, code);
            using var file = ModuleReader.Open(output);
            var lld = file.Modules[0].Sections.Where(s => s.IsAllocated).ToDictionary(s => s.Name, s => (s.Address, s.Data.ToArray()));
            AssertSameBytes(aout, lld, stem == Relocs ? RelocsDataPcRelative : []);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// Every field of relocs.o holds what BSD ld's perform_relocation computes from the raw record (A = the a.out
    /// in-place value; A + S for r_extern, else A + the segment's relocation; minus pc_relocation when r_pcrel), in
    /// its width. This formula is written here independently of the linker's ELF-equivalent addends.
    /// </summary>
    [Fact]
    public void EveryAOutRelocationFormHoldsTheBsdLdValue()
    {
        var image = LinkHelper.Link([Relocs + ".o"], [RelocsMap]);
        var m = image.Modules[0];
        using var file = ModuleReader.Open(Path.Combine(RepoPaths.Root, Relocs + ".o"));
        AssertBsdLdValues(m, file.Modules[0]);
        Assert.Equal(18, m.RelocationCount);
        Golden.Check("linker/aout/relocs.txt", LinkHelper.Render(image)); // checked by this formula and by ld.lld (test above)

        // A few by hand (base 0xf8000000: text there, data at +0x34, bss at +0x50, _cm at +0x54).
        var text = LinkHelper.Section(m, ".text").Data;
        var data = LinkHelper.Section(m, ".data").Data;
        Assert.Equal(0xf8000000u, (uint)LinkHelper.Section(m, ".text").Address);
        Assert.Equal(unchecked(0xf0112b58u - (0xf8000001u + 4)), BinaryPrimitives.ReadUInt32LittleEndian(text.AsSpan(1))); // call _ext_func
        Assert.Equal(0xf01f3a18u, BinaryPrimitives.ReadUInt32LittleEndian(text.AsSpan(6))); // [_ext_data + 8]
        Assert.Equal(0xf8000050u, BinaryPrimitives.ReadUInt32LittleEndian(text.AsSpan(0x10))); // [bss_var]
        Assert.Equal(0xf8000054u, BinaryPrimitives.ReadUInt32LittleEndian(text.AsSpan(0x1f))); // [_cm]: after .bss, 4-aligned
        Assert.Equal(0xf8000034u + 0x18 - (0xf800001au + 4), BinaryPrimitives.ReadUInt32LittleEndian(text.AsSpan(0x1a))); // call data_code
        Assert.Equal(unchecked((ushort)(0xf0112b58u - (0xf800002au + 2))), BinaryPrimitives.ReadUInt16LittleEndian(text.AsSpan(0x2a))); // jmp word _ext_func
        Assert.Equal((ushort)0x0034, BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8))); // dw dword_var, truncated like md_relocate
        Assert.Equal(0x50, data[0xc]); // db bss_var
        Assert.Equal(0xf8000030u, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4))); // dd local_fn
        var common = Assert.Single(m.Sections, s => s.Name == "COMMON");
        Assert.Equal((0xf8000054UL, 8UL, 4UL), (common.Address, common.Size, common.Alignment)); // common _cm 6: 8 bytes, 4-aligned
    }

    [Fact]
    public void SecondAOutModuleUsesTheFirstsGlobalDefinitions()
    {
        var image = LinkHelper.Link([Relocs + ".o", "testdata/linker/aout/user.o"], [RelocsMap]);
        var user = image.Modules[1];
        var text = LinkHelper.Section(user, ".text");
        Assert.Equal(0xf8001000UL, text.Address); // the next page after relocs (which ends at 0xf800005c)
        Assert.Equal(new SymbolResolution("_glob_func", 0xf8000000, "relocs"), user.Resolutions.Single(r => r.Name == "_glob_func"));
        Assert.Equal(unchecked(0xf8000000u - (0xf8001001u + 4)), BinaryPrimitives.ReadUInt32LittleEndian(text.Data.AsSpan(1))); // call _glob_func
        Assert.Equal(0xf8000048u, BinaryPrimitives.ReadUInt32LittleEndian(text.Data.AsSpan(6))); // [_glob_data + 4]
    }

    /// <summary>NASM never writes 8-bit pc-relative a.out records (it drops them); a patched record checks DISP8 anyway.</summary>
    [Fact]
    public void PcRelative8BitRecordIsAppliedAsBsdLdDoes()
    {
        // .rel.data record 5 is `db _ext_data` (STD_8|EXTERN, 0x08); make it STD_DISP8|EXTERN (0x09).
        using var patched = Patch(Relocs + ".o", (bytes, model) => bytes[RelocationRecord(model, data: true, 5) + 7] = 0x09);
        var m = LinkHelper.Link([patched.Path], [RelocsMap]).Modules[0];
        using var file = ModuleReader.Open(patched.Path);
        AssertBsdLdValues(m, file.Modules[0]);
        var dataSection = LinkHelper.Section(m, ".data");
        // The stored 0 counts from object address 0 for BSD ld: S + 0 − pc_relocation = S − (data − a_text).
        Assert.Equal((byte)(0xf01f3a10UL - (dataSection.Address - 0x34)), dataSection.Data[0xd]);
    }

    [Fact]
    public void RelocationPastTheSegmentEndIsAFormatError()
    {
        using var patched = Patch(Relocs + ".o", (bytes, model) => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(RelocationRecord(model, data: false, 1)), 0x32));
        var e = Assert.Throws<Formats.ModuleFormatException>(() => LinkHelper.Link([patched.Path], [RelocsMap]));
        Assert.Contains("a.out text relocation 1", e.Message);
        Assert.Contains("r_address 0x32 (+4 bytes) is outside the text segment (0x34 bytes)", e.Message);
    }

    [Fact]
    public void SymbolNumberOutOfRangeIsAFormatError()
    {
        using var patched = Patch(Relocs + ".o", (bytes, model) => bytes[RelocationRecord(model, data: false, 0) + 4] = 0x63);
        var e = Assert.Throws<Formats.ModuleFormatException>(() => LinkHelper.Link([patched.Path], [RelocsMap]));
        Assert.Contains("a.out text relocation 0", e.Message);
        Assert.Contains("r_symbolnum 99 is out of range (the symbol table has 9 entries)", e.Message);
    }

    [Theory]
    [InlineData(0x10, "STD_32|EXTERN|BASEREL", 28)]
    [InlineData(0x20, "STD_32|EXTERN|JMPTABLE", 44)]
    [InlineData(0x40, "STD_32|EXTERN|RELATIVE", 76)]
    [InlineData(0x80, "STD_32|EXTERN|COPY", 140)]
    [InlineData(0x06, "STD_64|EXTERN", 14)]
    public void SharedLibraryBitsAndWideRecordsAreRefusedByName(byte bits, string name, int type)
    {
        // .rel.text record 1 is `mov eax, [_ext_data + 8]` at .text+0x6 (STD_32|EXTERN, 0x0c); the place has 8 bytes to spare.
        using var patched = Patch(Relocs + ".o", (bytes, model) => bytes[RelocationRecord(model, data: false, 1) + 7] = (byte)(0x0c | bits));
        var e = Assert.Throws<LinkException>(() => LinkHelper.Link([patched.Path], [RelocsMap]));
        Assert.Equal($"relocs: i386 relocation {name} (type {type}) in .rel.text at .text+0x6: unsupported relocation type (the i386 loader refuses it)", e.Message);
    }

    [Fact]
    public void LinkerSetElementsAreRefusedByName()
    {
        // nlist entry 3 is _glob_func (N_TEXT|N_EXT); make it an N_SETT|N_EXT set element.
        using var patched = Patch(Relocs + ".o", (bytes, model) => bytes[(int)model.Sections[5].FileOffset + 3 * 12 + 4] = 0x17);
        var e = Assert.Throws<LinkException>(() => LinkHelper.Link([patched.Path], [RelocsMap]));
        Assert.Equal("relocs: symbol _glob_func (nlist entry 3) is N_SETT|N_EXT: a.out linker sets and indirect symbols are not supported by this linker", e.Message);
    }

    [Fact]
    public void ElfOnlyLayoutsAreRefusedForAOutSegments()
    {
        var e = Assert.Throws<LinkException>(() => LinkHelper.Link([Relocs + ".o"], [RelocsMap], new LinkOptions { Layout = new BsdLayout() }));
        Assert.Equal("relocs: the bsd layout does not place a.out segment .text; use the sequential layout (the default for a.out objects) or a layout file", e.Message);
    }

    [Fact]
    public void LinkedImageIsAnI386ElfWithElfSectionKinds()
    {
        var image = LinkHelper.Link(["testdata/lkm/mysys.o"], [LkmMap]);
        Assert.Equal(3u, image.RawMachine);
        var bytes = ElfImageWriter.Build(image);
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, bytes);
            using var file = ModuleReader.Open(path);
            var read = file.Modules[0];
            Assert.Equal(Formats.Model.MachineArchitecture.X86, read.Machine);
            var text = read.Sections.Single(s => s.Name == ".text");
            Assert.True(text is { RawType: 1, IsAllocated: true, IsExecutable: true, IsWritable: false });
            var bss = read.Sections.Single(s => s.Name == ".bss");
            Assert.True(bss is { RawType: 8, IsAllocated: true, IsWritable: true, HasContents: false });
            Assert.Equal(LinkHelper.Symbol(image.Modules[0], "_mysys_last"), read.Symbols.Single(s => s.Name == "_mysys_last").Value);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CommandLineLinksAnAOutLkm()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = Cli.LkmApp.Run(["link", RepoPaths.TestData("lkm", "mymisc.o"), "--symbols", Path.Combine(RepoPaths.Root, LkmMap),
                "-o", Path.Combine(dir, "out.elf"), "--map", Path.Combine(dir, "out.map")], stdout, stderr);
            Assert.Equal("", stderr.ToString());
            Assert.Equal(0, code);
            string map = File.ReadAllText(Path.Combine(dir, "out.map"));
            Assert.Contains("# module mymisc (9 relocations)", map);
            Assert.Contains("0xf0112b58 _printf [", map);
            Assert.Contains("0xf8000094 _mymisc_ticks", map);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// Compares text and data of the a.out link with the twin's sections of the same name: same address, the twin's
    /// bytes equal to the a.out prefix except <paramref name="dataPcRelative"/> fields, which must be a_text more; the
    /// a.out tail beyond the twin's size is NASM's 0x90 padding.
    /// </summary>
    private static void AssertSameBytes(LinkedModule aout, IReadOnlyDictionary<string, (ulong Address, byte[] Data)> twin, (int Offset, int Width)[] dataPcRelative)
    {
        uint aText = (uint)LinkHelper.Section(aout, ".text").Size;
        foreach (var name in new[] { ".text", ".data" })
        {
            var mine = LinkHelper.Section(aout, name);
            Assert.True(twin.TryGetValue(name, out var theirs), $"the twin has no {name}");
            Assert.Equal(mine.Address, theirs.Address);
            Assert.True(theirs.Data.Length <= mine.Data.Length && mine.Data.Length - theirs.Data.Length < 4, $"{name}: {mine.Data.Length} vs {theirs.Data.Length} bytes");
            Assert.All(mine.Data[theirs.Data.Length..], b => Assert.Equal(0x90, b));
            var expected = theirs.Data.ToArray();
            if (name == ".data")
            {
                foreach (var (offset, width) in dataPcRelative)
                {
                    if (width == 4)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(offset), BinaryPrimitives.ReadUInt32LittleEndian(expected.AsSpan(offset)) + aText);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(expected.AsSpan(offset), (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(expected.AsSpan(offset)) + aText));
                    }
                }
            }

            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(mine.Data.AsSpan(0, theirs.Data.Length)));
        }
    }

    /// <summary>Checks every relocated field of <paramref name="linked"/> against BSD ld's perform_relocation on the raw records of <paramref name="input"/>.</summary>
    private static void AssertBsdLdValues(LinkedModule linked, Formats.Model.KernelModule input)
    {
        ulong[] newAddress = [.. input.Sections.Take(3).Select(s => LinkHelper.Section(linked, s.Name).Address)];
        ulong[] objectAddress = [.. input.Sections.Take(3).Select(s => s.Address)];
        long Delta(int segment) => (long)(newAddress[segment] - objectAddress[segment]);
        foreach (var table in input.RelocationSections)
        {
            int place = table.TargetSectionIndex;
            var bytes = LinkHelper.Section(linked, input.Sections[place].Name).Data;
            foreach (var r in table.Relocations)
            {
                uint flags = r.RawType;
                long a = r.Addend; // the a.out in-place value as read (md_get_addend)
                var symbol = input.Symbols[(int)r.SymbolIndex];
                long relocation = (flags & 0x08) != 0
                    ? a + (long)linked.Symbols.Single(s => s.Name == symbol.Name).Address
                    : r.SymbolIndex == 0 ? a : a + Delta(symbol.SectionIndex);
                if ((flags & 0x01) != 0)
                {
                    relocation -= Delta(place);
                }

                int width = 1 << (int)((flags >> 1) & 3);
                ulong actual = width switch
                {
                    1 => bytes[r.Offset],
                    2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)r.Offset)),
                    _ => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)r.Offset)),
                };
                ulong mask = width == 4 ? 0xffffffff : (1UL << (8 * width)) - 1;
                Assert.True(((ulong)relocation & mask) == actual, $"{table.Name}+0x{r.Offset:x} ({flags:x2}): 0x{actual:x}, BSD ld gives 0x{(ulong)relocation & mask:x}");
            }
        }
    }

    /// <summary>A patched copy of a fixture, under its own name in a temporary directory that <see cref="Dispose"/> removes.</summary>
    /// <summary>
    /// NASM's elf32 <c>common NAME SIZE</c> leaves st_value (the alignment) 0, which ld.lld refuses ("invalid alignment:
    /// 0"); the copy handed to ld.lld gets 4, the alignment BSD ld gives every i386 common (and lkm after it).
    /// </summary>
    private static string TwinWithAlignedCommons(string twin, string dir)
    {
        string source = Path.Combine(RepoPaths.Root, twin);
        var bytes = File.ReadAllBytes(source);
        using (var file = ModuleReader.Open(source))
        {
            var module = file.Modules[0];
            var symtab = module.Sections.Single(s => s.Name == ".symtab");
            foreach (var common in module.Symbols.Where(s => s.Definition == Formats.Model.SymbolDefinition.Common))
            {
                Assert.Equal(0UL, common.Value);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)symtab.FileOffset + common.Index * 16 + 4), 4);
            }
        }

        string path = Path.Combine(dir, Path.GetFileName(twin));
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private sealed record PatchedFile(string Path) : IDisposable
    {
        public void Dispose() => Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, true);
    }

    /// <summary>Copies a fixture into a temporary file after <paramref name="edit"/> changed its bytes (the model gives the offsets).</summary>
    private static PatchedFile Patch(string stem, Action<byte[], Formats.Model.KernelModule> edit)
    {
        string source = Path.Combine(RepoPaths.Root, stem);
        var bytes = File.ReadAllBytes(source);
        using (var file = ModuleReader.Open(source))
        {
            edit(bytes, file.Modules[0]);
        }

        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, Path.GetFileName(source));
        File.WriteAllBytes(path, bytes);
        return new PatchedFile(path);
    }

    /// <summary>The file offset of relocation record <paramref name="index"/> of the text or data table.</summary>
    private static int RelocationRecord(Formats.Model.KernelModule model, bool data, int index) =>
        (int)model.Sections[data ? 4 : 3].FileOffset + index * 8;
}
