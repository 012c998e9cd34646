using LkmKit.Formats;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Linker.Converting;

namespace LkmKit.Linker.Tests.Converting;

/// <summary>
/// Legacy a.out LKMs converted to Linux i386 .ko against the kbuild-built i386 fixtures of 6.1.0-50-686-pae: read back,
/// compared with the reference's struct module, its shims decoded.
/// </summary>
public class LinuxConversionTests
{
    /// <summary>lkmdemo_user has module_init and module_exit (the layout); lkmdemo_min adds nothing new but is a second CRC source.</summary>
    internal static readonly string[] ReferenceNames = ["lkmdemo_user", "lkmdemo_min"];

    /// <summary>The LM_MISC fixtures; every other one is refused (below).</summary>
    public static TheoryData<string> Convertible() => new("cvmisc", "fbmisc", "obmisc", "nb4misc");

    [Theory]
    [MemberData(nameof(Convertible))]
    public void ReadsBackAsALinuxModuleWithTheLkmsName(string name)
    {
        using var like = Open(ReferenceNames);
        var module = ReadBack(Convert(name, like.Options()));
        Assert.Equal(ModuleFlavor.Linux, module.Flavor);
        Assert.Equal(name, module.Name);
        Assert.Equal(MachineArchitecture.X86, module.Machine);
        var details = Assert.IsType<LinuxModuleDetails>(module.Details);
        Assert.Equal(name, details.StructModuleName);
        Assert.False(details.InTree);
        Assert.Equal(
            ["license=Proprietary", "depends=", "retpoline=Y", $"name={name}", $"vermagic={like.Modules[0].GetMetadata("vermagic").Single()}"],
            module.Metadata.Select(p => $"{p.Key}={p.Value}"));
        Assert.Equal([EntryPointKind.Init, EntryPointKind.Exit], module.EntryPoints.Select(e => e.Kind));
        Assert.All(module.RelocationSections.SelectMany(t => t.Relocations), r => Assert.Contains(r.RawType, new uint[] { 1, 2 }));
        Assert.DoesNotContain(module.Symbols, s => s.IsUndefined && s.Name is "lkmdispatch" or "lkmexists" or "lkm_nofunc" or "printf");
    }

    [Fact]
    public void StructModuleIsTheReferencesWithItsNameAndTheShimsAsInitAndExit()
    {
        using var like = Open(ReferenceNames);
        var module = ReadBack(Convert("cvmisc", like.Options()));
        var reference = like.Modules[0];
        var theirs = (LinuxModuleDetails)reference.Details!;
        var ours = (LinuxModuleDetails)module.Details!;
        Assert.Equal(theirs.StructModuleSize, ours.StructModuleSize);
        Assert.Equal(theirs.InitFieldOffset, ours.InitFieldOffset);
        Assert.Equal(theirs.ExitFieldOffset, ours.ExitFieldOffset);
        var section = module.Sections.Single(s => s.Name == LinuxModuleReader.ThisModuleSection);
        var referenceSection = reference.Sections.Single(s => s.Name == LinuxModuleReader.ThisModuleSection);
        Assert.Equal(referenceSection.Alignment, section.Alignment);
        Assert.Equal(referenceSection.RawFlags, section.RawFlags);
        var expected = referenceSection.Data.ToArray();
        Array.Clear(expected, 12, 60);
        "cvmisc"u8.CopyTo(expected.AsSpan(12));
        Assert.Equal(expected, section.Data.ToArray());
        var thisModule = module.Symbols.Single(s => s.Name == "__this_module");
        Assert.Equal((SymbolBinding.Global, SymbolType.Object, theirs.StructModuleSize), (thisModule.Binding, thisModule.Type, thisModule.Size));
    }

    [Fact]
    public void VersionsCarryTheReferencesCrcsForTheImportsAndModuleLayout()
    {
        using var like = Open(ReferenceNames);
        var module = ReadBack(Convert("cvmisc", like.Options()));
        var crcs = like.Modules.SelectMany(m => ((LinuxModuleDetails)m.Details!).SymbolVersions).DistinctBy(v => v.Name).ToDictionary(v => v.Name, v => v.Crc);
        var versions = ((LinuxModuleDetails)module.Details!).SymbolVersions;
        Assert.Equal(["_printk", "module_layout"], versions.Select(v => v.Name));
        Assert.All(versions, v => Assert.Equal(crcs[v.Name], v.Crc));
        Assert.Equal(["_printk"], module.Imports.Select(i => i.Name));
    }

    [Fact]
    public void AnImportNoReferenceHasACrcForGetsNoRecord()
    {
        using var like = Open(ReferenceNames);
        var reference = LinuxReference.Read(like.Modules);
        var withoutPrintk = reference with { Crcs = reference.Crcs.Where(c => c.Key != "_printk").ToDictionary() };
        using var file = ModuleReader.Open(RepoPaths.TestData("lkm", "cvmisc.o"));
        var lkm = file.Modules[0];
        var bytes = Formats.Elf.Writing.ElfWriter.Build(LinuxConversion.Build(lkm, (Formats.Flavors.Lkm.LkmModuleDetails)lkm.Details!, like.Options(), withoutPrintk));
        var module = ReadBack(bytes);
        Assert.Equal(["module_layout"], ((LinuxModuleDetails)module.Details!).SymbolVersions.Select(v => v.Name));
        Assert.Equal([("_printk", (uint?)null)], module.Imports.Select(i => (i.Name, i.Crc)));
    }

    [Fact]
    public void InitAndCleanupCallTheOldEntryWithTheTableTheCommandAndTheLkmVersion()
    {
        using var like = Open(ReferenceNames);
        var module = ReadBack(Convert("cvmisc", like.Options()));
        var shim = module.Sections.Single(s => s.Name == ".text.lkmshim");
        var init = module.Symbols.Single(s => s.Name == "init_module");
        var exit = module.Symbols.Single(s => s.Name == "cleanup_module");
        Assert.Equal(
            ["push 1", "push 1", "push 0", "call 0000000Ah", "add esp,0Ch", "neg eax", "ret"],
            Decode(shim.Data.Span.Slice((int)init.Value, (int)init.Size)));
        Assert.Equal(
            ["push 1", "push 2", "push 0", "call 0000000Ah", "add esp,0Ch", "test eax,eax", "je short 00000023h", "push eax", "push 0", "call 0000001Ch", "add esp,8", "ret"],
            Decode(shim.Data.Span.Slice((int)exit.Value, (int)exit.Size)));
        var relocations = module.RelocationSections.Single(t => t.Name == ".rel.text.lkmshim").Relocations;
        foreach (ulong at in new[] { init.Value, exit.Value })
        {
            Assert.Equal(("lkm_table", 1u, 0L), Named(module, relocations, at + 5));
            Assert.Equal(("cvmisc_lkmentry", 2u, -4L), Named(module, relocations, at + 10));
        }

        // An unload the LKM refuses is logged: printk(KERN_WARNING "...%d...", errno).
        Assert.Equal(("lkm_unload_refused", 1u, 0L), Named(module, relocations, exit.Value + 0x17));
        Assert.Equal(("_printk", 2u, -4L), Named(module, relocations, exit.Value + 0x1c));
        var message = module.Sections.Single(s => s.Name == ".rodata.lkmshim").Data.ToArray();
        Assert.Equal("\u00014cvmisc: the LKM refused LKM_E_UNLOAD (errno %d); unloaded anyway\n\0", System.Text.Encoding.UTF8.GetString(message));

        // lkm_table's private (offset 40 in the classic header) points at the descriptor, _module at .data+0.
        var table = module.RelocationSections.Single(t => t.Name == ".rel.data.lkmshim").Relocations.Single();
        Assert.Equal((40ul, SymbolType.Section, ".data"), (table.Offset, module.Symbols[(int)table.SymbolIndex].Type, module.Sections[module.Symbols[(int)table.SymbolIndex].SectionIndex].Name));
    }

    /// <summary>The version each LKM's entry checks, and where its header layout keeps lkm_table's private (NetBSD 4: 8).</summary>
    [Theory]
    [InlineData("fbmisc", 1, 40)]
    [InlineData("obmisc", 2, 40)]
    [InlineData("nb4misc", 2, 8)]
    public void TheShimPassesTheLkmVersionAndTheTableKeepsPrivateWhereTheLayoutDoes(string name, int version, int privateOffset)
    {
        using var like = Open(ReferenceNames);
        var module = ReadBack(Convert(name, like.Options()));
        var shim = module.Sections.Single(s => s.Name == ".text.lkmshim");
        var init = module.Symbols.Single(s => s.Name == "init_module");
        Assert.Equal($"push {version}", Decode(shim.Data.Span.Slice((int)init.Value, (int)init.Size))[0]);
        var table = module.RelocationSections.Single(t => t.Name == ".rel.data.lkmshim").Relocations.Single();
        Assert.Equal((ulong)privateOffset, table.Offset);
    }

    [Fact]
    public void LicenseAndAMatchingReleaseAreTakenAMismatchedReleaseIsRefused()
    {
        using var like = Open(ReferenceNames);
        var module = ReadBack(Convert("cvmisc", like.Options() with { License = "Dual BSD/GPL", Release = "6.1.0-50-686-pae" }));
        Assert.Equal(["Dual BSD/GPL"], module.Licenses);
        var e = Assert.Throws<ConversionException>(() => Convert("cvmisc", like.Options() with { Release = "6.1.0-57-686-pae" }));
        Assert.Contains("is not the release of the --like module's kernel (6.1.0-50-686-pae)", e.Message);
    }

    [Theory]
    [InlineData("mysys", "no kernel function registers a system-call slot")]
    [InlineData("cvsys", "sys_call_table is neither exported to modules")]
    [InlineData("mydev", "register_chrdev/register_blkdev")]
    [InlineData("mycdev4", "struct cdevsw/bdevsw")]
    [InlineData("myexec", "register_binfmt")]
    [InlineData("mymisc", "16-bit relocation field")]
    [InlineData("fbsys", "LM_SYSCALL: this syscall LKM cannot become a Linux module")]
    [InlineData("obsys", "no kernel function registers a system-call slot")]
    [InlineData("nb4sys", "no kernel function registers a system-call slot")]
    [InlineData("fbvfs", "register_filesystem")]
    [InlineData("obvfs", "register_filesystem")]
    [InlineData("nbvfs", "LM_VFS")]
    [InlineData("fbdev", "register_chrdev")]
    [InlineData("obdev", "LM_DEV")]
    [InlineData("fbexec", "register_binfmt")]
    [InlineData("obexec", "LM_EXEC")]
    public void WhatCannotBeConvertedIsRefusedWithTheReason(string name, string reason)
    {
        using var like = Open(ReferenceNames);
        var e = Assert.Throws<ConversionException>(() => Convert(name, like.Options()));
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("", "needs --like")]
    [InlineData("lkmdemo_min", "has no module_exit")]
    [InlineData("../x86_64/lkmdemo_user", "need an i386 kernel's module")]
    [InlineData("../../golden/convert/cvmisc.kmod", "not a Linux module")]
    public void AReferenceThatDoesNotShowTheLayoutIsRefused(string reference, string reason)
    {
        using var like = Open(reference.Length == 0 ? [] : [reference]);
        var e = Assert.Throws<ConversionException>(() => Convert("cvmisc", like.Options()));
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData(LinuxModuleReader.ThisModuleSection, "lkmdemo_user", "its name= 'lkmdemo_user' is not found in struct module")]
    [InlineData("__versions", "module_layout", "__versions has no module_layout CRC")]
    public void AReferenceWhoseStructModuleDoesNotHoldItsNameOrWithoutModuleLayoutIsRefused(string section, string text, string reason)
    {
        var bytes = File.ReadAllBytes(RepoPaths.TestData("linux", "i386", "lkmdemo_user.ko"));
        using (var original = ModuleReader.Open(RepoPaths.TestData("linux", "i386", "lkmdemo_user.ko")))
        {
            var where = original.Modules[0].Sections.Single(s => s.Name == section);
            int at = bytes.AsSpan((int)where.FileOffset, (int)where.Size).IndexOf(System.Text.Encoding.ASCII.GetBytes(text));
            bytes[(int)where.FileOffset + at] ^= 0x20; // lkmdemo_user → Lkmdemo_user, module_layout → Module_layout
        }

        using var source = ModuleSource.FromMemory("patched.ko", bytes);
        var reference = ModuleReader.Read(source)[0];
        var e = Assert.Throws<ConversionException>(() => Convert("cvmisc", new ConversionOptions { Target = ConversionTarget.Linux, Like = [reference] }));
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("6.1.0-50-686-pae", "_printk")]
    [InlineData("5.15.0-1-686", "_printk")]
    [InlineData("5.10.0-28-686-pae", "printk")]
    [InlineData("4.19.0-26-686", "printk")]
    public void PrintfBecomesTheReleasesPrintk(string release, string symbol) => Assert.Equal(symbol, LinuxConversion.PrintkName(release));

    [Theory]
    [InlineData("my-mod", "my_mod")]
    [InlineData("cvmisc", "cvmisc")]
    public void ModuleNamesAreKbuildNames(string lkm, string linux) => Assert.Equal(linux, LinuxConversion.ModuleName(lkm));

    [Fact]
    public void AnImpossibleModuleNameIsRefused()
    {
        Assert.Contains("letters, digits and '_' only", Assert.Throws<ConversionException>(() => LinuxConversion.ModuleName("a.b")).Message);
        Assert.Contains("longer than Linux's 59", Assert.Throws<ConversionException>(() => LinuxConversion.ModuleName(new string('x', 60))).Message);
    }

    [Theory]
    [MemberData(nameof(Convertible))]
    public void MatchesTheCheckedGolden(string name)
    {
        using var like = Open(ReferenceNames);
        var bytes = Convert(name, like.Options());
        string golden = RepoPaths.TestData("golden", "convert", name + ".linux.ko");
        if (Environment.GetEnvironmentVariable(Golden.UpdateVariable) == "1")
        {
            File.WriteAllBytes(golden, bytes);
        }

        Assert.Equal(File.ReadAllBytes(golden), bytes);
    }

    internal static byte[] Convert(string name, ConversionOptions options)
    {
        using var file = ModuleReader.Open(RepoPaths.TestData("lkm", name + ".o"));
        return LkmConverter.Convert(file.Modules[0], options);
    }

    internal static References Open(string[] names) => new([.. names.Select(n => ModuleReader.Open(RepoPaths.TestData("linux", "i386", n.EndsWith(".kmod", StringComparison.Ordinal) ? n : n + ".ko")))]);

    private static KernelModule ReadBack(byte[] bytes) => ModuleReader.Read(ModuleSource.FromMemory("cvmisc.ko", bytes))[0];

    private static (string, uint, long) Named(KernelModule module, IReadOnlyList<ModuleRelocation> relocations, ulong offset)
    {
        var r = relocations.Single(r => r.Offset == offset);
        return (module.Symbols[(int)r.SymbolIndex].Name, r.RawType, r.Addend);
    }

    private static List<string> Decode(ReadOnlySpan<byte> code) => [.. Disassembly.Decode(code.ToArray()).Select(Disassembly.Format)];

    /// <summary>The opened --like modules, disposed together.</summary>
    internal sealed class References(List<ModuleFile> files) : IDisposable
    {
        public IReadOnlyList<KernelModule> Modules { get; } = [.. files.Select(f => f.Modules[0])];

        public ConversionOptions Options() => new() { Target = ConversionTarget.Linux, Like = Modules };

        public void Dispose() => files.ForEach(f => f.Dispose());
    }
}
