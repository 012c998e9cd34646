using LkmKit.Formats;
using LkmKit.Formats.Model;
using LkmKit.Formats.Pe;

namespace LkmKit.Formats.Tests;

/// <summary>Reads the mingw-w64-built PE fixtures and checks every field against testdata/windows/src/.</summary>
public class WindowsDriverFixtureTests
{
    public static TheoryData<string> Arches => ["x86_64", "i386"];

    private static string Fixture(string arch, string file) => RepoPaths.TestData("windows", arch, file);

    // driver.rc, in file order.
    private static readonly KeyValuePair<string, string>[] VersionStrings =
    [
        new("CompanyName", "LkmKit Fixtures"), new("FileDescription", "LkmKit test driver"), new("FileVersion", "1.2.3.4"),
        new("InternalName", "lkmkit.sys"), new("LegalCopyright", "Public domain"), new("OriginalFilename", "lkmkit.sys"),
        new("ProductName", "LkmKit"), new("ProductVersion", "1.2"),
    ];

    [Theory]
    [MemberData(nameof(Arches))]
    public void DriverIdentityAndMetadata(string arch)
    {
        using var file = ModuleReader.Open(Fixture(arch, "lkmkit.sys"));
        var m = Assert.Single(file.Modules);
        Assert.Equal(ContainerFormat.Pe, m.Container);
        Assert.Equal(ModuleFlavor.WindowsDriver, m.Flavor);
        bool is64 = arch == "x86_64";
        Assert.Equal(is64 ? MachineArchitecture.X86_64 : MachineArchitecture.X86, m.Machine);
        Assert.Equal(is64 ? 0x8664u : 0x14Cu, m.RawMachine);
        Assert.Equal(is64 ? 64 : 32, m.Bits);
        Assert.Equal(is64 ? "PE32+" : "PE32", m.FileType);
        Assert.Equal("lkmkit.sys", m.Name);
        Assert.Equal("1.2.3.4", m.Version);
        Assert.Equal("LkmKit test driver", m.Description);
        Assert.Equal(VersionStrings, m.Metadata);
        Assert.Equal([new ModuleDependency("HAL.dll", DependencyKind.Hard), new ModuleDependency("ntoskrnl.exe", DependencyKind.Hard)], m.Dependencies);
        Assert.Equal(
        [
            new ModuleImport("KeQueryPerformanceCounter", FromModule: "HAL.dll"),
            new ModuleImport("KeStallExecutionProcessor", FromModule: "HAL.dll"),
            new ModuleImport("DbgPrint", FromModule: "ntoskrnl.exe"),
            new ModuleImport("RtlInitUnicodeString", FromModule: "ntoskrnl.exe"),
        ], m.Imports);
        Assert.Equal([new ModuleExport("LkmKitQueryCounter")], m.Exports);
        Assert.Null(m.Signature);
        Assert.Empty(m.Diagnostics);

        var details = Assert.IsType<PeImageDetails>(m.ContainerDetails);
        Assert.Equal(1, details.Subsystem);
        Assert.Equal(0x10000ul, details.ImageBase);
        Assert.Equal("1.2.0.0", details.VersionInfo!.ProductVersion);
        Assert.Equal(3u, details.VersionInfo.FileType);    // VFT_DRV
        Assert.Equal(7u, details.VersionInfo.FileSubtype); // VFT2_DRV_SYSTEM
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void DriverEntryIsInInit(string arch)
    {
        using var file = ModuleReader.Open(Fixture(arch, "lkmkit.sys"));
        var m = file.Modules[0];
        var entry = Assert.Single(m.EntryPoints);
        Assert.Equal(EntryPointKind.DriverEntry, entry.Kind);
        var init = m.Sections.Single(s => s.Name == "INIT");
        Assert.InRange(entry.Address!.Value, init.Address, init.Address + init.Size - 1);
        Assert.Equal("INIT", ((PeImageDetails)m.ContainerDetails!).EntryPointSection);
        Assert.True(init.IsExecutable);
        Assert.True(m.Sections.Single(s => s.Name == "PAGE").IsExecutable);
        Assert.Equal([".text", "PAGE", "INIT", ".data", ".rdata", ".bss", ".edata", ".idata", ".rsrc", ".reloc"], m.Sections.Select(s => s.Name));
        Assert.False(m.Sections.Single(s => s.Name == ".bss").HasContents);
    }

    [Theory]
    [MemberData(nameof(Arches))]
    public void BaseRelocationsCoverThePointerTable(string arch)
    {
        using var file = ModuleReader.Open(Fixture(arch, "lkmkit.sys"));
        var m = file.Modules[0];
        var table = Assert.Single(m.RelocationSections);
        Assert.Equal(-1, table.TargetSectionIndex);
        uint type = arch == "x86_64" ? 10u : 3u;
        byte width = arch == "x86_64" ? (byte)64 : (byte)32;
        foreach (var r in table.Relocations)
        {
            Assert.True(r.RawType == type || r.RawType == 0, $"unexpected type {r.RawType}");
            Assert.Equal(r.RawType == 0 ? RelocationKind.None : RelocationKind.BaseRelative, r.Kind);
            Assert.Equal(r.RawType == 0 ? (byte)0 : width, r.Width);
        }

        // lkmkit_table[] in .data holds three absolute pointers, one relocation each, 4 or 8 bytes apart.
        var data = m.Sections.Single(s => s.Name == ".data");
        var inData = table.Relocations.Where(r => r.Kind != RelocationKind.None && r.Offset >= data.Address && r.Offset < data.Address + data.Size)
            .Select(r => r.Offset - data.Address).ToArray();
        Assert.Equal(new ulong[] { 0, (ulong)width / 8, 2ul * width / 8 }, inData);
        Assert.Equal(arch == "x86_64" ? "IMAGE_REL_BASED_DIR64" : "IMAGE_REL_BASED_HIGHLOW",
            RelocationNames.Describe(ContainerFormat.Pe, table.Relocations.First(r => r.Kind != RelocationKind.None)));
    }

    [Fact]
    public void SignedCopyCarriesAuthenticode()
    {
        using var file = ModuleReader.Open(Fixture("x86_64", "lkmkit-signed.sys"));
        var m = file.Modules[0];
        Assert.Equal(ModuleFlavor.WindowsDriver, m.Flavor);
        var s = Assert.IsType<ModuleSignature>(m.Signature);
        Assert.Equal("Authenticode", s.IdType);
        Assert.Equal("LkmKit Test Signer", s.Signer);
        Assert.Equal("sha256", s.HashAlgorithm);
        Assert.Equal("rsaEncryption", s.SignatureAlgorithm);
        Assert.Equal(256, s.SignatureBytes.Length);
        Assert.Equal(20, s.KeyId.Length);
        // objdump -p: "Entry 4 0000000000001800 00000640 Security Directory"; the blob follows the 8-byte WIN_CERTIFICATE header.
        Assert.Equal(0x1808, s.Offset);
        Assert.InRange(s.Length, 1, 0x640 - 8);

        // osslsigncode hashed the file as Windows does; the digest check agrees, and fails once a code byte changes.
        Assert.Equal("Authenticode image digest matches the file", Assert.Single(m.Diagnostics).Message);
        var damaged = File.ReadAllBytes(Fixture("x86_64", "lkmkit-signed.sys"));
        damaged[(int)m.Sections[0].FileOffset] ^= 0xFF;
        var reread = Assert.Single(ModuleReader.Read(IO.ModuleSource.FromMemory("damaged.sys", damaged)));
        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(reread.Diagnostics).Severity);
        Assert.Equal("Authenticode image digest does not match the file", reread.Diagnostics[0].Message);

        // Everything else matches the unsigned build.
        using var unsigned = ModuleReader.Open(Fixture("x86_64", "lkmkit.sys"));
        Assert.Equal(unsigned.Modules[0].Imports, m.Imports);
        Assert.Equal(unsigned.Modules[0].Metadata, m.Metadata);
    }

    [Fact]
    public void PlainDllIsReadButNotADriver()
    {
        using var file = ModuleReader.Open(Fixture("x86_64", "plain.dll"));
        var m = Assert.Single(file.Modules);
        Assert.Equal(ModuleFlavor.Unknown, m.Flavor);
        Assert.Contains(m.Diagnostics, d => d.Message.StartsWith("not a recognised kernel module", StringComparison.Ordinal));
        Assert.Equal([new ModuleDependency("ordlib.dll", DependencyKind.Hard), new ModuleDependency("KERNEL32.dll", DependencyKind.Hard)], m.Dependencies);
        Assert.Equal(
        [
            new ModuleImport("NamedToo", FromModule: "ordlib.dll"),
            new ModuleImport("#5", FromModule: "ordlib.dll"),
            new ModuleImport("GetTickCount", FromModule: "KERNEL32.dll"),
        ], m.Imports);
        var ordinal = ((PeImageDetails)m.ContainerDetails!).ImportedModules[0].Functions[1];
        Assert.Equal(new PeImportedFunction(null, 5, 0), ordinal);
        Assert.Equal(RelocationKind.BaseRelative, m.RelocationSections.Single().Relocations[0].Kind);
        Assert.Equal([new ModuleExport("PlainAdd"), new ModuleExport("PlainTicks")], m.Exports);
        Assert.Equal(EntryPointKind.ContainerEntry, Assert.Single(m.EntryPoints).Kind);
        Assert.Equal(3, ((PeImageDetails)m.ContainerDetails!).Subsystem);
    }
}
