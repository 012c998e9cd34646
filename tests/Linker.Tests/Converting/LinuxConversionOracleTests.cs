using System.Globalization;
using LkmKit.Cli;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Linker.Indexing;

namespace LkmKit.Linker.Tests.Converting;

/// <summary>
/// The converted Linux module against the tools that judge real ones: readelf, llvm-objdump, ld.lld, kmod's modinfo and
/// depmod (with LkmKit's depmod byte for byte), and LkmKit's loader and linker on a model 6.1.0-50-686-pae kernel whose
/// Module.symvers is made of the CRCs the reference modules recorded for that kernel.
/// </summary>
public sealed class LinuxConversionOracleTests : IDisposable
{
    private const string Release = "6.1.0-50-686-pae";
    private readonly string _dir = Directory.CreateTempSubdirectory("lkmkit-cvlinux-").FullName;
    private string _module = "";

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Converts fixture <paramref name="name"/> into the temporary directory.</summary>
    private void Convert(string name)
    {
        using var like = LinuxConversionTests.Open(LinuxConversionTests.ReferenceNames);
        _module = Path.Combine(_dir, name + ".ko");
        File.WriteAllBytes(_module, LinuxConversionTests.Convert(name, like.Options()));
    }

    [SkippableTheory]
    [MemberData(nameof(LinuxConversionTests.Convertible), MemberType = typeof(LinuxConversionTests))]
    public void ReadelfPrintsNoWarningAndLldLinksIt(string name)
    {
        ExternalTool.Require("readelf", "ld.lld");
        Convert(name);
        var (code, output, errors) = Run("readelf", "-a", "-W", _module);
        Assert.True(code == 0 && errors.Length == 0, errors);
        Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Machine:                           Intel 80386", output);
        Assert.Contains("Type:                              REL (Relocatable file)", output);
        Assert.DoesNotMatch(@"R_386_(?!32 |PC32 )\w+", output);
        (code, _, errors) = Run("ld.lld", "-r", "-m", "elf_i386", _module, "-o", _module + ".r.o");
        Assert.True(code == 0 && errors.Length == 0, errors);
    }

    [SkippableFact]
    public void ObjdumpShowsTheShimsCallingTheOldEntry()
    {
        ExternalTool.Require("llvm-objdump");
        Convert("cvmisc");
        var (code, output, errors) = Run("llvm-objdump", "-d", "-r", "--no-show-raw-insn", "-j", ".text.lkmshim", _module);
        Assert.True(code == 0, errors);
        Assert.Matches(@"<init_module>:\s+0:\s+pushl\s+\$1\s+2:\s+pushl\s+\$1\s+4:\s+pushl\s+\$0\s+00000005:\s+R_386_32\s+lkm_table\s+9:\s+calll\s+\S+ <init_module\+0xa>\s+0000000a:\s+R_386_PC32\s+cvmisc_lkmentry\s+e:\s+addl\s+\$12, %esp\s+11:\s+negl\s+%eax\s+13:\s+retl", output);
        Assert.Matches(@"<cleanup_module>:\s+20:\s+pushl\s+\$1\s+22:\s+pushl\s+\$2\s+24:\s+pushl\s+\$0\s+00000025:\s+R_386_32\s+lkm_table\s+29:\s+calll\s+\S+ <cleanup_module\+0xa>\s+0000002a:\s+R_386_PC32\s+cvmisc_lkmentry\s+2e:\s+addl\s+\$12, %esp\s+31:\s+testl\s+%eax, %eax\s+33:\s+je\s+\S+ <cleanup_module\+0x23>\s+35:\s+pushl\s+%eax\s+36:\s+pushl\s+\$0\s+00000037:\s+R_386_32\s+lkm_unload_refused\s+3b:\s+calll\s+\S+ <cleanup_module\+0x1c>\s+0000003c:\s+R_386_PC32\s+_printk\s+40:\s+addl\s+\$8, %esp\s+43:\s+retl", output);
        Assert.Matches(@"<lkmdispatch>:\s+\w+:\s+xorl\s+%eax, %eax\s+\w+:\s+retl", output);
    }

    [SkippableTheory]
    [MemberData(nameof(LinuxConversionTests.Convertible), MemberType = typeof(LinuxConversionTests))]
    public void ModinfoPrintsItsFields(string name)
    {
        ExternalTool.Require("modinfo");
        Convert(name);
        var (code, output, errors) = Run("modinfo", _module);
        Assert.True(code == 0 && errors.Length == 0, errors);
        Assert.Matches(@"(?m)^license:\s+Proprietary$", output);
        Assert.Matches(@"(?m)^depends:\s*$", output);
        Assert.Matches(@"(?m)^retpoline:\s+Y$", output);
        Assert.Matches($@"(?m)^name:\s+{name}$", output);
        Assert.Matches(@"(?m)^vermagic:\s+6\.1\.0-50-686-pae SMP preempt mod_unload modversions 686 $", output);
        Assert.Equal(name + "\n", Run("modinfo", "-F", "name", _module).Output);
    }

    public static TheoryData<string, bool> DepmodRuns()
    {
        var runs = new TheoryData<string, bool>();
        foreach (var name in LinuxConversionTests.Convertible())
        {
            runs.Add(name, false);
            runs.Add(name, true);
        }

        return runs;
    }

    [SkippableTheory]
    [MemberData(nameof(DepmodRuns))]
    public void DepmodAcceptsItWithoutWarningsAndLkmDepmodWritesTheSameFiles(string name, bool withSymvers)
    {
        ExternalTool.Require("depmod");
        Convert(name);
        string[] options = withSymvers ? ["-e", "-E", WriteSymvers()] : [];
        string kmod = Tree("kmod"), ours = Tree("lkm");
        var (code, _, errors) = Run("depmod", [.. options, "-b", kmod, "-C", EmptyConfig(), Release]);
        Assert.True(code == 0, errors);
        Assert.Equal("", errors);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, LkmApp.Run(["depmod", .. options, "-b", ours, "-C", EmptyConfig(), Release], stdout, stderr));
        Assert.Equal("", stderr.ToString());
        foreach (string index in Depmod.OutputNames)
        {
            Assert.True(
                File.ReadAllBytes(ModuleDirectory(kmod, index)).AsSpan().SequenceEqual(File.ReadAllBytes(ModuleDirectory(ours, index))),
                $"{index} differs from depmod's");
        }

        Assert.Equal($"extra/{name}.ko:\n", File.ReadAllText(ModuleDirectory(kmod, "modules.dep")));
    }

    [Theory]
    [MemberData(nameof(LinuxConversionTests.Convertible), MemberType = typeof(LinuxConversionTests))]
    public void LkmLoadAcceptsItOnAModelOfItsKernelAndUnloadsIt(string name)
    {
        Convert(name);
        string state = Path.Combine(_dir, "state.json");
        var (code, output) = Lkm(
            "kernel", "new", "--os", "linux", "--release", Release, "--modules", Tree("load"), "--symvers", WriteSymvers(),
            "--assume-kernel-symbols", "--set", $"vermagic={Release} SMP preempt mod_unload modversions 686 ", "-o", state);
        Assert.True(code == 0, output);
        (code, output) = Lkm("load", "--state", state, _module);
        Assert.True(code == 0, output);
        Assert.Matches($@"load {name}: loaded .*{name}\.ko at 0x[0-9a-f]+ size \d+ taint POE", output);
        Assert.Contains("module license 'Proprietary' taints kernel", output);
        Assert.DoesNotContain("no symbol version", output);
        (code, output) = Lkm("unload", "--state", state, name);
        Assert.True(code == 0, output);
        Assert.Contains($"unload {name}: unloaded", output);
    }

    /// <summary>The same model with another build's options (no preempt) refuses it: the loader checks what the test above accepted.</summary>
    [Fact]
    public void LkmLoadRefusesItOnAKernelBuiltWithOtherOptions()
    {
        Convert("cvmisc");
        string state = Path.Combine(_dir, "state.json");
        Assert.Equal(0, Lkm(
            "kernel", "new", "--os", "linux", "--release", Release, "--modules", Tree("load"), "--symvers", WriteSymvers(),
            "--assume-kernel-symbols", "--set", $"vermagic={Release} SMP mod_unload modversions 686 ", "-o", state).Code);
        var (code, output) = Lkm("load", "--state", state, _module);
        Assert.Equal(1, code);
        Assert.Contains("refused: ENOEXEC", output);
        Assert.Contains("version magic", output);
    }

    [Fact]
    public void LkmLinkResolvesTheShimsAndPrintk()
    {
        Convert("cvmisc");
        string symbols = Path.Combine(_dir, "System.map");
        File.WriteAllText(symbols, "c1000000 T _printk\n");
        string image = Path.Combine(_dir, "cvmisc.elf"), map = Path.Combine(_dir, "cvmisc.map");
        var (code, output) = Lkm("link", _module, "--symbols", symbols, "-o", image, "--map", map);
        Assert.True(code == 0, output);
        var lines = File.ReadAllLines(map);
        Assert.Contains("0xc1000000 _printk [kernel]", lines);
        ulong init = Address(lines, "init_module"), entry = Address(lines, "cvmisc_lkmentry");
        Assert.True(init != 0 && entry != 0);
    }

    private static ulong Address(string[] map, string symbol) =>
        ulong.Parse(map.Single(l => l.EndsWith(" " + symbol, StringComparison.Ordinal)).Split(' ')[0][2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>A BASEDIR with the module in extra/ and the empty files a kernel's modules directory has.</summary>
    private string Tree(string name)
    {
        string modules = Path.Combine(_dir, name, "lib", "modules", Release);
        Directory.CreateDirectory(Path.Combine(modules, "extra"));
        File.Copy(_module, Path.Combine(modules, "extra", Path.GetFileName(_module)));
        foreach (string file in new[] { "modules.order", "modules.builtin", "modules.builtin.modinfo" })
        {
            File.WriteAllText(Path.Combine(modules, file), "");
        }

        return name == "load" ? modules : Path.Combine(_dir, name);
    }

    private static string ModuleDirectory(string baseDirectory, string name) => Path.Combine(baseDirectory, "lib", "modules", Release, name);

    private string EmptyConfig()
    {
        string path = Path.Combine(_dir, "depmod.conf");
        File.WriteAllText(path, "");
        return path;
    }

    /// <summary>vmlinux's exports as Module.symvers lines, from the CRCs the reference modules recorded for the kernel.</summary>
    private string WriteSymvers()
    {
        using var like = LinuxConversionTests.Open(LinuxConversionTests.ReferenceNames);
        var lines = like.Modules.SelectMany(m => ((LinuxModuleDetails)m.Details!).SymbolVersions)
            .Where(v => !v.Name.StartsWith("lkmdemo_", StringComparison.Ordinal)).DistinctBy(v => v.Name)
            .Select(v => $"0x{v.Crc:x8}\t{v.Name}\tvmlinux\tEXPORT_SYMBOL\t\n");
        string path = Path.Combine(_dir, "Module.symvers");
        File.WriteAllText(path, string.Concat(lines));
        return path;
    }

    private static (int Code, string Output) Lkm(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        int code = LkmApp.Run(args, output, output);
        return (code, output.ToString());
    }

    private static (int Code, string Output, string Errors) Run(string tool, params string[] args) => ExternalTool.RunWithErrors(tool, args);
}
