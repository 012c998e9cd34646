using LkmKit.Formats;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>
/// Tests written to catch deliberate one-line bugs that no other test caught (scripts/mutation-check.sh applies each
/// bug and checks that these fail).
/// </summary>
public class MutationCatchingTests
{
    /// <summary>
    /// kmod's modinfo keeps the last of repeated <c>parm=</c>/<c>parmtype=</c> entries of one parameter (checked with
    /// modinfo 30 on a module whose <c>.modinfo</c> had a second <c>parm=dbg:</c> appended with objcopy), in the order
    /// of the name's first appearance.
    /// </summary>
    [Fact]
    public void RepeatedParameterDescriptionKeepsTheLastOne()
    {
        var merged = Modinfo.MergeParameters(
        [
            new("parm", "dbg:first description"),
            new("parmtype", "dbg:uint"),
            new("parm", "level:how loud"),
            new("parm", "dbg:second description"),
            new("parmtype", "dbg:int"),
        ]);

        Assert.Equal(
            [new ModuleParameter("dbg", "int", "second description"), new ModuleParameter("level", null, "how loud")],
            merged);
    }

    /// <summary>
    /// testdata/mutation/freebsd-i386/fbsd_addend.ko (scripts/build-mutation-fixtures.sh): every metadata pointer points
    /// into the middle of a global object, so ld.lld made each an R_386_32 against the symbol with the offset as the
    /// implicit addend; without the addend the reader lands on element 0 ("wrong", version 3, range 9..9).
    /// </summary>
    [Fact]
    public void FreeBsdI386MetadataPointersKeepTheirR386_32Addends()
    {
        using var file = ModuleReader.Open(RepoPaths.TestData("mutation", "freebsd-i386", "fbsd_addend.ko"));
        var module = Assert.Single(file.Modules);
        Assert.Equal("fbsd_addend", module.Name);
        Assert.Equal("7", module.Version);
        var details = Assert.IsType<FreeBsdModuleDetails>(module.Details);
        var depend = Assert.Single(details.Records, r => r.Type == FreeBsdMetadataType.Depend);
        Assert.Equal("fbsd_dep", depend.Name);
        Assert.Equal(new FreeBsdDependRange(1, 2, 3), depend.Depend);
        var declared = Assert.Single(details.Records, r => r.Type == FreeBsdMetadataType.Module).Module!;
        Assert.Equal("fbsd_addend", declared.Name);
        Assert.Equal("addend_handler", declared.Handler);
    }
}
