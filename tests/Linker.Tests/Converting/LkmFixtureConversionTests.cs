using Iced.Intel;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Linker.Converting;

namespace LkmKit.Linker.Tests.Converting;

/// <summary>
/// The NASM a.out LKM fixtures of each system (NetBSD 1.x and 4, FreeBSD 2.x, OpenBSD 4.x) and type: what the reader
/// decides they are, and what each target makes of them (the FreeBSD outputs are checked in depth by
/// <see cref="FreeBsdConversionTests"/>; the NetBSD ones of the new systems here, like NetBsdConversionTests does).
/// </summary>
public class LkmFixtureConversionTests
{
    public static TheoryData<string, LkmOperatingSystem?, LkmModuleKind, long> Fixtures() => new()
    {
        { "fbmisc", LkmOperatingSystem.FreeBsd, LkmModuleKind.Misc, 1 },
        { "fbsys", LkmOperatingSystem.FreeBsd, LkmModuleKind.Syscall, 1 },
        { "fbvfs", LkmOperatingSystem.FreeBsd, LkmModuleKind.Vfs, 1 },
        { "fbdev", LkmOperatingSystem.FreeBsd, LkmModuleKind.Device, 1 },
        { "fbexec", LkmOperatingSystem.FreeBsd, LkmModuleKind.Exec, 1 },
        { "obmisc", LkmOperatingSystem.OpenBsd, LkmModuleKind.Misc, 2 },
        { "obsys", LkmOperatingSystem.OpenBsd, LkmModuleKind.Syscall, 2 },
        { "obvfs", LkmOperatingSystem.OpenBsd, LkmModuleKind.Vfs, 2 },
        { "obdev", LkmOperatingSystem.OpenBsd, LkmModuleKind.Device, 2 },
        { "obexec", LkmOperatingSystem.OpenBsd, LkmModuleKind.Exec, 2 },
        { "nbvfs", null, LkmModuleKind.Vfs, 1 },
        { "nb4misc", LkmOperatingSystem.NetBsd4, LkmModuleKind.Misc, 2 },
        { "nb4sys", LkmOperatingSystem.NetBsd4, LkmModuleKind.Syscall, 2 },
    };

    public static TheoryData<string> NetBsdConvertible() => new("fbmisc", "fbsys", "obmisc", "obsys", "nb4misc", "nb4sys");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void EachFixtureReadsAsTheSystemAndTypeItWasWrittenFor(string name, LkmOperatingSystem? os, LkmModuleKind kind, long version)
    {
        using var file = ModuleReader.Open(RepoPaths.TestData("lkm", name + ".o"));
        var module = file.Modules[0];
        Assert.Equal(ModuleFlavor.LegacyLkm, module.Flavor);
        Assert.Equal(name, module.Name);
        var details = Assert.IsType<LkmModuleDetails>(module.Details);
        Assert.Equal(os, details.OperatingSystem);
        Assert.Equal(kind, details.Kind);
        Assert.Equal(version, details.InterfaceVersion);
        Assert.NotNull(details.EntrySymbol);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void BothTargetsConvertMiscAndSyscallAndRefuseTheRestWithTheTable(string name, LkmOperatingSystem? os, LkmModuleKind kind, long version)
    {
        _ = os;
        _ = version;
        foreach (var target in new[] { ConversionTarget.NetBsd, ConversionTarget.FreeBsd })
        {
            if (kind is LkmModuleKind.Misc or LkmModuleKind.Syscall)
            {
                var module = ModuleReader.Read(ModuleSource.FromMemory(name, Convert(name, target)))[0];
                Assert.Equal(target == ConversionTarget.NetBsd ? ModuleFlavor.NetBsd : ModuleFlavor.FreeBsd, module.Flavor);
                Assert.Equal(name, module.Name);
            }
            else
            {
                var e = Assert.Throws<ConversionException>(() => Convert(name, target));
                Assert.Contains(kind switch { LkmModuleKind.Vfs => "vfs", LkmModuleKind.Device => "cdevsw", _ => "execsw" }, e.Message);
                Assert.Contains("source port", e.Message);
            }
        }
    }

    [Theory]
    [InlineData(ConversionTarget.NetBsd)]
    [InlineData(ConversionTarget.FreeBsd)]
    public void AnOpenBsd4EntryIsCalledWithLkmVersion2(ConversionTarget target)
    {
        var module = ModuleReader.Read(ModuleSource.FromMemory("obmisc", Convert("obmisc", target)))[0];
        var code = Disassembly.Decode(module.Sections.Single(s => s.Name == ".text.lkmshim").Data.ToArray());
        var push = code.First(i => i.Mnemonic == Mnemonic.Push && i.Op0Kind is OpKind.Immediate8to32 or OpKind.Immediate8);
        Assert.Equal(2UL, push.GetImmediate(0));
    }

    [Fact]
    public void AnOpenBsd4SyscallHandlerIsReadAfterItsSyFlags()
    {
        // NetBSD target: lkmdispatch copies sy_call out of the old struct sysent, which has int sy_flags before it.
        var module = ModuleReader.Read(ModuleSource.FromMemory("obsys", Convert("obsys", ConversionTarget.NetBsd)))[0];
        var code = Disassembly.Decode(module.Sections.Single(s => s.Name == ".text.lkmshim").Data.ToArray());
        Assert.Contains(code, i => i.Mnemonic == Mnemonic.Mov && i.MemoryBase == Register.EAX && i.MemoryDisplacement32 == 8);
    }

    [Theory]
    [MemberData(nameof(NetBsdConvertible))]
    public void NetBsdConversionReadsBackWithTheLkmsNameAndClass(string name)
    {
        var module = ModuleReader.Read(ModuleSource.FromMemory(name + ".kmod", Convert(name, ConversionTarget.NetBsd)))[0];
        var details = Assert.IsType<NetBsdModuleDetails>(module.Details);
        Assert.Equal("misc", details.Class);
        Assert.Equal($"{name}_modcmd", details.ModuleCommand);
        Assert.DoesNotContain(module.Symbols, s => s.IsUndefined && s.Name is "lkmdispatch" or "lkmexists" or "lkm_nofunc" or "lkm_nullcmd");
    }

    [SkippableTheory]
    [MemberData(nameof(NetBsdConvertible))]
    public void NetBsdConversionPassesReadelfAndLdLld(string name)
    {
        ExternalTool.Require("readelf", "ld.lld");
        string path = Path.Combine(Path.GetTempPath(), $"lkmkit-nb-{Environment.ProcessId}-{name}.kmod");
        try
        {
            File.WriteAllBytes(path, Convert(name, ConversionTarget.NetBsd));
            var (code, output, errors) = ExternalTool.RunWithErrors("readelf", "-a", "-W", path);
            Assert.True(code == 0 && errors.Length == 0, errors);
            Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);
            (code, _, errors) = ExternalTool.RunWithErrors("ld.lld", "-r", "-m", "elf_i386", path, "-o", path + ".r.o");
            Assert.True(code == 0, errors);
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".r.o");
        }
    }

    [Theory]
    [MemberData(nameof(NetBsdConvertible))]
    public void NetBsdConversionMatchesTheCheckedGolden(string name)
    {
        var bytes = Convert(name, ConversionTarget.NetBsd);
        string golden = RepoPaths.TestData("golden", "convert", name + ".kmod");
        if (Environment.GetEnvironmentVariable(Golden.UpdateVariable) == "1")
        {
            File.WriteAllBytes(golden, bytes);
        }

        Assert.Equal(File.ReadAllBytes(golden), bytes);
    }

    private static byte[] Convert(string name, ConversionTarget target)
    {
        using var file = ModuleReader.Open(RepoPaths.TestData("lkm", name + ".o"));
        return LkmConverter.Convert(file.Modules[0], new ConversionOptions { Target = target });
    }
}
