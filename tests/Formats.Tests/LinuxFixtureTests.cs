using LkmKit.Formats.IO;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>Reads the kbuild-built fixtures and checks every field against what their sources declare.</summary>
public class LinuxFixtureTests
{
    public static TheoryData<string> Arches => ["x86_64", "aarch64", "i386"];

    private static readonly string[] ExpectedParameters =
        ["unsafe_knob", "buffer_size", "quiet_mask", "ports", "enable_feature", "label", "debug_level"];

    [Theory]
    [MemberData(nameof(Arches))]
    public void CoreModuleIdentity(string arch)
    {
        using var file = ModuleReader.Open(RepoPaths.Linux(arch, "lkmdemo_core.ko"));
        var m = Assert.Single(file.Modules);
        Assert.Equal(ModuleFlavor.Linux, m.Flavor);
        Assert.Equal(ContainerFormat.Elf, m.Container);
        Assert.Equal(arch switch { "x86_64" => MachineArchitecture.X86_64, "aarch64" => MachineArchitecture.AArch64, _ => MachineArchitecture.X86 }, m.Machine);
        Assert.Equal(arch == "i386" ? 32 : 64, m.Bits);
        Assert.Equal(ByteOrder.LittleEndian, m.ByteOrder);
        Assert.Equal("REL", m.FileType);
        Assert.Equal("lkmdemo_core", m.Name);
        Assert.Equal("1.2.3", m.Version);
        Assert.Equal("LkmKit demo module: parameters, exports and metadata", m.Description);
        Assert.Equal(["GPL"], m.Licenses);
        Assert.Equal(["LkmKit Fixture Author Two <two@example.invalid>", "LkmKit Fixture Author One <one@example.invalid>"], m.Authors);
        Assert.Equal(["char-major-240-*", "lkmdemo-alias"], m.Aliases);
        Assert.Equal(["lkmdemo/lkmdemo-fw-1.bin"], m.Firmware);
        Assert.Equal([new ModuleDependency("crc32c", DependencyKind.SoftPre)], m.Dependencies);
        Assert.Null(m.Signature);
        Assert.Empty(m.Diagnostics);
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void CoreModuleVersionMagicAndDetails(string arch)
    {
        using var file = ModuleReader.Open(RepoPaths.Linux(arch, "lkmdemo_core.ko"));
        var m = file.Modules[0];
        var details = Assert.IsType<LinuxModuleDetails>(m.Details);
        var vm = details.VersionMagic!;
        Assert.Equal(arch switch { "x86_64" => "6.1.0-56-amd64", "aarch64" => "6.1.0-56-arm64", _ => "6.1.0-50-686-pae" }, vm.Release);
        Assert.Equal(vm.Release, m.TargetKernel);
        Assert.True(vm.Smp);
        Assert.True(vm.ModuleUnload);
        Assert.True(vm.ModVersions);
        Assert.Equal(arch == "aarch64" ? null : "preempt", vm.Preemption);
        Assert.Equal(arch switch { "x86_64" => [], "aarch64" => ["aarch64"], _ => new[] { "686" } }, vm.Other);
        Assert.Equal("80DCDC344CF65D5A9BF7C96", details.SourceVersion);
        Assert.Equal(arch != "aarch64", details.Retpoline);
        Assert.False(details.InTree);
        Assert.Equal(["DMA_BUF"], details.ImportedNamespaces);
        Assert.Equal(arch == "i386" ? 576UL : 896UL, details.StructModuleSize);
        Assert.Equal("lkmdemo_core", details.StructModuleName);
        Assert.Equal(arch == "i386" ? 204UL : 312UL, details.InitFieldOffset);
        Assert.Equal(arch switch { "x86_64" => 848UL, "aarch64" => 832UL, _ => 524UL }, details.ExitFieldOffset);
        Assert.Equal(vm.Release, details.BuildSalt);
        Assert.Equal(40, details.BuildId!.Length);
        Assert.Equal([EntryPointKind.Init, EntryPointKind.Exit], m.EntryPoints.Select(e => e.Kind));
        Assert.Equal(["init_module", "cleanup_module"], m.EntryPoints.Select(e => e.Symbol));
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void CoreModuleParametersMergeDescriptionAndType(string arch)
    {
        using var file = ModuleReader.Open(RepoPaths.Linux(arch, "lkmdemo_core.ko"));
        var parameters = file.Modules[0].Parameters;
        Assert.Equal(ExpectedParameters, parameters.Select(p => p.Name));
        Assert.Equal(new ModuleParameter("ports", "array of int", "Up to four port numbers"), parameters[3]);
        Assert.Equal(new ModuleParameter("quiet_mask", "uint", null), parameters[2]);
        Assert.Equal(new ModuleParameter("buffer_size", "ulong", "Buffer size in bytes"), parameters[1]);
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void ExportsMatchModuleSymvers(string arch)
    {
        using var file = ModuleReader.Open(RepoPaths.Linux(arch, "lkmdemo_core.ko"));
        var exports = file.Modules[0].Exports;
        var symvers = File.ReadAllLines(RepoPaths.Linux(arch, "Module.symvers"))
            .Select(line => line.Split('\t'))
            .ToDictionary(f => f[1], f => (Crc: Convert.ToUInt32(f[0], 16), Gpl: f[3] == "EXPORT_SYMBOL_GPL", Ns: f[4].Length == 0 ? null : f[4]));
        Assert.Equal(["lkmdemo_add", "lkmdemo_counter", "lkmdemo_ns_data", "lkmdemo_gpl_only", "lkmdemo_ns_func"], exports.Select(e => e.Name));
        foreach (var export in exports)
        {
            var expected = symvers[export.Name];
            Assert.Equal(expected.Crc, export.Crc);
            Assert.Equal(expected.Gpl, export.GplOnly);
            Assert.Equal(expected.Ns, export.Namespace);
        }
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void ImportsCarryVersionCrcs(string arch)
    {
        using var file = ModuleReader.Open(RepoPaths.Linux(arch, "lkmdemo_core.ko"));
        var m = file.Modules[0];
        var details = (LinuxModuleDetails)m.Details!;
        var expected = new List<string> { "_printk", "dma_buf_put", "param_array_ops", "param_ops_bool", "param_ops_charp", "param_ops_int", "param_ops_uint", "param_ops_ulong" };
        if (arch != "aarch64")
        {
            expected.Add("__fentry__");
        }

        if (arch == "x86_64")
        {
            expected.Add("__x86_return_thunk");
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), m.Imports.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.All(m.Imports, i => Assert.NotNull(i.Crc));
        Assert.Equal(expected.Count + 1, details.SymbolVersions.Count);
        var layout = details.SymbolVersions[^1];
        Assert.Equal("module_layout", layout.Name);
        Assert.Equal(arch switch { "x86_64" => 0x9060323fu, "aarch64" => 0xd568a14au, _ => 0x64fba84au }, layout.Crc);
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void UserModuleDependsOnCoreAndUsesItsCrcs(string arch)
    {
        using var core = ModuleReader.Open(RepoPaths.Linux(arch, "lkmdemo_core.ko"));
        using var user = ModuleReader.Open(RepoPaths.Linux(arch, "lkmdemo_user.ko"));
        var u = user.Modules[0];
        Assert.Equal("lkmdemo_user", u.Name);
        Assert.Equal([new ModuleDependency("lkmdemo_core", DependencyKind.Hard)], u.Dependencies);
        Assert.Equal(["pci:v00001234d00005678sv*sd*bc*sc*i*"], u.Aliases);
        Assert.Empty(u.Exports);
        Assert.Empty(u.Parameters);
        foreach (var export in core.Modules[0].Exports)
        {
            var import = Assert.Single(u.Imports, i => i.Name == export.Name);
            Assert.Equal(export.Crc, import.Crc);
        }
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void MinimalModuleHasInitOnly(string arch)
    {
        using var file = ModuleReader.Open(RepoPaths.Linux(arch, "lkmdemo_min.ko"));
        var m = file.Modules[0];
        Assert.Equal("lkmdemo_min", m.Name);
        var entry = Assert.Single(m.EntryPoints);
        Assert.Equal(EntryPointKind.Init, entry.Kind);
        Assert.Empty(m.Exports);
        Assert.Empty(m.Parameters);
        Assert.Null(((LinuxModuleDetails)m.Details!).ExitFieldOffset);
    }

    [Theory]
    [InlineData("lkmdemo_core.signed.ko", CompressionKind.None)]
    [InlineData("lkmdemo_core.signed.ko.gz", CompressionKind.Gzip)]
    [InlineData("lkmdemo_core.signed.ko.xz", CompressionKind.Xz)]
    [InlineData("lkmdemo_core.signed.ko.zst", CompressionKind.Zstd)]
    public void SignedModuleSignatureIsDecoded(string name, CompressionKind compression)
    {
        using var file = ModuleReader.Open(RepoPaths.Linux("x86_64", name));
        var m = file.Modules[0];
        Assert.Equal(compression, m.Compression);
        var s = m.Signature!;
        Assert.Equal("PKCS#7", s.IdType);
        Assert.Equal("LkmKit test signing key", s.Signer);
        Assert.Equal("LkmKit test sig key1"u8.ToArray(), s.KeyId.ToArray());
        Assert.Equal("sha256", s.HashAlgorithm);
        Assert.Equal("rsaEncryption", s.SignatureAlgorithm);
        Assert.Equal(512, s.SignatureBytes.Length);
        long unsignedLength = new FileInfo(RepoPaths.Linux("x86_64", "lkmdemo_core.ko")).Length;
        Assert.Equal(unsignedLength, ((LinuxModuleDetails)m.Details!).ElfLength);
        Assert.Equal(unsignedLength, s.Offset);
        Assert.Equal("lkmdemo_core", m.Name);
        Assert.Equal(5, m.Exports.Count);
    }

    [Fact]
    public void SectionsSymbolsAndRelocationsAreExposed()
    {
        using var file = ModuleReader.Open(RepoPaths.Linux("x86_64", "lkmdemo_core.ko"));
        var m = file.Modules[0];
        Assert.Equal(45, m.Sections.Count);
        var thisModule = m.Sections.Single(s => s.Name == ".gnu.linkonce.this_module");
        Assert.True(thisModule.IsAllocated);
        Assert.True(thisModule.IsWritable);
        Assert.Equal(896UL, thisModule.Size);
        var relocs = m.RelocationSections.Single(r => r.TargetSectionIndex == thisModule.Index);
        Assert.True(relocs.HasExplicitAddends);
        Assert.All(relocs.Relocations, r => Assert.Equal(1u, r.RawType));
        Assert.All(relocs.Relocations, r => Assert.Equal(RelocationKind.Absolute, r.Kind));
        var init = Assert.Single(relocs.Relocations, r => m.Symbols[(int)r.SymbolIndex].Name == "init_module");
        Assert.Equal(312UL, init.Offset);
        Assert.Contains(m.Symbols, s => s.Name == "__this_module" && s.Binding == SymbolBinding.Global && s.SectionIndex == thisModule.Index);
    }

    [Fact]
    public void I386RelocationsReadImplicitAddendsFromThePlace()
    {
        using var file = ModuleReader.Open(RepoPaths.Linux("i386", "lkmdemo_core.ko"));
        var m = file.Modules[0];
        var text = m.RelocationSections.First(r => r.Name == ".rel.init.text");
        Assert.False(text.HasExplicitAddends);
        Assert.All(text.Relocations, r => Assert.True(r.AddendIsImplicit));
        var call = text.Relocations.First(r => r.RawType == 2 && m.Symbols[(int)r.SymbolIndex].Name == "_printk");
        Assert.Equal(-4, call.Addend);
        Assert.Equal(RelocationKind.PcRelative, call.Kind);
    }
}
