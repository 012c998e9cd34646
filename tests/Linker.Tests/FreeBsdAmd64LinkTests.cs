using LkmKit.Formats.Model;

namespace LkmKit.Linker.Tests;

/// <summary>
/// FreeBSD amd64 ET_REL modules (link_elf_obj): laid out by the BSD policy, link sets bound by link_elf_fix_link_set,
/// relocated with the amd64 loader's set of types; compared byte for byte with ld.lld by scripts/link-oracle.sh.
/// </summary>
public class FreeBsdAmd64LinkTests
{
    private const string KernelMap = "testdata/linker/freebsd-amd64/amd64.kernel.map";
    private const string Demo = "testdata/linker/freebsd-amd64/fbsd_demo.ko", User = "testdata/linker/freebsd-amd64/fbsd_user.ko";

    [Fact]
    public void LinkSetBoundsAreTheSectionsBounds()
    {
        var demo = LinkHelper.Link([Demo], [KernelMap]).Modules[0];
        var set = LinkHelper.Section(demo, "set_modmetadata_set");
        Assert.Equal(set.Address, LinkHelper.Symbol(demo, "__start_set_modmetadata_set"));
        Assert.Equal(set.Address + set.Size, LinkHelper.Symbol(demo, "__stop_set_modmetadata_set"));
        Assert.DoesNotContain(demo.Resolutions, r => r.Name.StartsWith("__st", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void ModulesAreByteIdenticalToLld()
    {
        ExternalTool.Require("ld.lld", "readelf", "python3");

        var output = OracleTests.Oracle(["--symbols", KernelMap, Demo]);
        Assert.Contains("TOTAL modules=1 ", output);
        OracleTests.AssertClean(output);

        var image = LinkHelper.Link([Demo, User], [KernelMap]);
        var (demo, user) = (image.Modules[0], image.Modules[1]);
        Assert.Contains(user.Resolutions, r => r is { Name: "demo_core_api", Source: "demo_core" });
        string exports = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(exports, demo.Symbols.Where(s => s.SectionIndex >= 0 && s.Binding != SymbolBinding.Local).Select(s => $"{s.Address:x} T {s.Name}"));
            ulong userBase = user.Sections.Min(s => s.Address);
            output = OracleTests.Oracle(["--base", $"0x{userBase:x}", "--symbols", KernelMap, "--symbols", exports, User]);
            Assert.Contains("TOTAL modules=1 ", output);
            OracleTests.AssertClean(output);
        }
        finally
        {
            File.Delete(exports);
        }
    }

    [Fact]
    public void R_X86_64_32IsRefusedAsFreeBsdsAmd64LoaderDoes()
    {
        // testdata/freebsd/amd64 is built without -mcmodel=kernel: `mov $str, %edi` became R_X86_64_32.
        var e = Assert.Throws<LinkException>(() => LinkHelper.Link(["testdata/freebsd/amd64/fbsd_demo.ko"], [KernelMap]));
        Assert.Equal("demo_core: x86_64 relocation R_X86_64_32 (type 10) in .rela.text at .text+0x1c: unsupported relocation type " +
            "(the x86_64 loader refuses it)", e.Message);
    }

    [Fact]
    public void R_X86_64_32SIsNotOverflowCheckedOnFreeBsd()
    {
        // The kernel writes the low 32 bits of S + A whatever they are; Linux would refuse (-mcmodel=kernel overflow).
        var demo = LinkHelper.Link([Demo], [KernelMap], new LinkOptions { Base = 0x100000000 }).Modules[0];
        Assert.Equal(0x100000000UL, demo.Sections.Min(s => s.Address) & ~0xfffUL);
    }
}
