using Iced.Intel;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Linker.Converting;

namespace LkmKit.Linker.Tests.Converting;

/// <summary>Legacy a.out LKMs converted to NetBSD .kmod: read back, disassembled, checked by readelf, ld.lld and llvm-objdump.</summary>
public class NetBsdConversionTests
{
    public static TheoryData<string> Convertible() => new("cvmisc", "cvsys");

    [Theory]
    [MemberData(nameof(Convertible))]
    public void ReadsBackAsANetBsdModuleWithTheLkmsNameAndClass(string name)
    {
        var module = ReadBack(name);
        Assert.Equal(ModuleFlavor.NetBsd, module.Flavor);
        Assert.Equal(name, module.Name);
        var details = Assert.IsType<NetBsdModuleDetails>(module.Details);
        Assert.Equal("misc", details.Class);
        Assert.Equal(1_000_000_000u, details.RawVersion);
        Assert.Equal($"{name}_modcmd", details.ModuleCommand);
        Assert.Null(details.Required);
        Assert.All(module.RelocationSections.SelectMany(t => t.Relocations), r => Assert.Contains(r.RawType, new uint[] { 1, 2 }));
        Assert.DoesNotContain(module.Symbols, s => s.IsUndefined && s.Name is "lkmdispatch" or "lkmexists" or "lkm_nofunc");
    }

    [Fact]
    public void ReleaseSetsMiVersion()
    {
        var bytes = Convert("cvmisc", new ConversionOptions { Target = ConversionTarget.NetBsd, Release = "9.3" });
        using var source = ModuleSource.FromMemory("cvmisc.kmod", bytes);
        Assert.Equal(903_000_000u, Assert.IsType<NetBsdModuleDetails>(ModuleReader.Read(source)[0].Details).RawVersion);
    }

    [Fact]
    public void ModcmdCallsTheOldEntryWithTheTableTheCommandPlusOneAndTheLkmVersion()
    {
        var module = ReadBack("cvmisc");
        var shim = module.Sections.Single(s => s.Name == ".text.lkmshim");
        var code = Decode(shim.Data.ToArray());
        Assert.Equal(
            ["mov eax,[esp+4]", "cmp eax,2", "ja short 0000001Dh", "inc eax", "push 1", "push eax", "push 0", "call 00000015h", "add esp,0Ch", "ret", "mov eax,19h", "ret"],
            code.TakeWhile(i => i.Code != Code.Int3).Select(Format));
        var relocations = module.RelocationSections.Single(t => t.Name == ".rel.text.lkmshim").Relocations;
        Assert.Equal(("lkm_table", 1u, 0L), Named(module, relocations, 0x10));
        Assert.Equal(("cvmisc_lkmentry", 2u, -4L), Named(module, relocations, 0x15));
    }

    [Fact]
    public void SyscallDispatchEstablishesTheSlotFromTheOldSysent()
    {
        var module = ReadBack("cvsys");
        var package = module.Sections.Single(s => s.Name == ".data.lkmshim").Data.Span[64..];
        Assert.Equal(210, System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(package));
        var relocations = module.RelocationSections.Single(t => t.Name == ".rel.text.lkmshim").Relocations;
        var names = relocations.Select(r => module.Symbols[(int)r.SymbolIndex].Name).ToList();
        Assert.Contains("syscall_establish", names);
        Assert.Contains("syscall_disestablish", names);
        // lkmdispatch reads lkm_sysent (descriptor + 16) through the .data section symbol: the descriptor is at .data+0x0.
        var sysent = relocations.Single(r => module.Symbols[(int)r.SymbolIndex].Type == SymbolType.Section);
        Assert.Equal(16, sysent.Addend);
    }

    [Theory]
    [InlineData("mymisc", "16-bit relocation field")]
    [InlineData("mysys", "lkm_offset -1 (any free slot)")]
    [InlineData("mydev", "struct cdevsw/bdevsw in the old release's layout")]
    [InlineData("myexec", "struct execsw/emul")]
    [InlineData("mycdev4", "class driver")]
    public void WhatCannotBeConvertedIsRefusedWithTheReason(string name, string reason)
    {
        var e = Assert.Throws<ConversionException>(() => Convert(name, new ConversionOptions { Target = ConversionTarget.NetBsd }));
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [MemberData(nameof(Convertible))]
    public void MatchesTheCheckedGolden(string name)
    {
        var bytes = Convert(name, new ConversionOptions { Target = ConversionTarget.NetBsd });
        string golden = RepoPaths.TestData("golden", "convert", name + ".kmod");
        if (Environment.GetEnvironmentVariable(Golden.UpdateVariable) == "1")
        {
            File.WriteAllBytes(golden, bytes);
        }

        Assert.Equal(File.ReadAllBytes(golden), bytes);
    }

    [SkippableTheory]
    [MemberData(nameof(Convertible))]
    public void ReadelfLldAndObjdumpAcceptTheOutput(string name)
    {
        ExternalTool.Require("readelf", "ld.lld", "llvm-objdump");
        string path = Path.Combine(Path.GetTempPath(), $"lkmkit-convert-{Environment.ProcessId}-{name}.kmod");
        string relinked = path + ".r.o";
        try
        {
            File.WriteAllBytes(path, Convert(name, new ConversionOptions { Target = ConversionTarget.NetBsd }));
            var (code, output, errors) = Run("readelf", "-a", "-W", path);
            Assert.True(code == 0 && errors.Length == 0, errors);
            Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);
            (code, _, errors) = Run("ld.lld", "-r", "-m", "elf_i386", path, "-o", relinked);
            Assert.True(code == 0, errors);
            (code, output, errors) = Run("llvm-objdump", "-d", "-r", "--no-show-raw-insn", path);
            Assert.True(code == 0, errors);
            Assert.Matches($@"<{name}_modcmd>:", output);
            Assert.Matches($@"R_386_PC32\s+{name}_lkmentry", output);
            Assert.Matches(@"R_386_32\s+lkm_table", output);
            Assert.Matches(@"<lkmdispatch>:", output);
        }
        finally
        {
            File.Delete(path);
            File.Delete(relinked);
        }
    }

    private static byte[] Convert(string name, ConversionOptions options)
    {
        using var file = ModuleReader.Open(RepoPaths.TestData("lkm", name + ".o"));
        return LkmConverter.Convert(file.Modules[0], options);
    }

    private static KernelModule ReadBack(string name)
    {
        var bytes = Convert(name, new ConversionOptions { Target = ConversionTarget.NetBsd });
        var source = ModuleSource.FromMemory(name + ".kmod", bytes);
        return ModuleReader.Read(source)[0];
    }

    private static (string, uint, long) Named(KernelModule module, IReadOnlyList<ModuleRelocation> relocations, ulong offset)
    {
        var r = relocations.Single(r => r.Offset == offset);
        return (module.Symbols[(int)r.SymbolIndex].Name, r.RawType, r.Addend);
    }

    private static List<Instruction> Decode(byte[] code)
    {
        var decoder = Decoder.Create(32, code, 0);
        var result = new List<Instruction>();
        while (decoder.IP < (ulong)code.Length)
        {
            result.Add(decoder.Decode());
        }

        return result;
    }

    private static string Format(Instruction instruction)
    {
        var formatter = new IntelFormatter();
        var output = new StringOutput();
        formatter.Format(instruction, output);
        return output.ToStringAndReset();
    }

    private static (int Code, string Output, string Errors) Run(string tool, params string[] args) => ExternalTool.RunWithErrors(tool, args);
}
