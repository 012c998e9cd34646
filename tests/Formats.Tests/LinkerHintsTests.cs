using LkmKit.Formats;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Tests;

/// <summary>linker.hints written for the FreeBSD fixtures follow kldxref's layout and read back as written.</summary>
public class LinkerHintsTests
{
    private static FreeBsdModuleDetails Details(string arch, string file)
    {
        using var opened = ModuleReader.Open(BsdFixtureTests.FreeBsd(arch, file));
        return (FreeBsdModuleDetails)opened.Modules[0].Details!;
    }

    [Fact]
    public void LayoutIsKldxrefsByteForByte()
    {
        var writer = new LinkerHintsWriter(bigEndian: false);
        writer.AddKld("fbsd_user.ko", Details("amd64", "fbsd_user.ko"));
        byte[] expected =
        [
            1, 0, 0, 0,                                                         // LINKER_HINTS_VERSION
            28, 0, 0, 0,                                                        // record length (27 rounded up to 4)
            2, 0, 0, 0,                                                         // MDT_MODULE
            9, .. "demo_user"u8, 12, .. "fbsd_user.ko"u8, 0,                    // module, kld, pad
            36, 0, 0, 0,                                                        // record length
            3, 0, 0, 0,                                                         // MDT_VERSION
            9, .. "demo_user"u8, 0, 0,                                          // interface, pad to 4
            2, 0, 0, 0,                                                         // version
            12, .. "fbsd_user.ko"u8, 0, 0, 0,                                   // kld, pad
        ];
        Assert.Equal(expected, writer.ToArray());
        Assert.Equal(2, writer.RecordCount); // MDT_DEPEND produces no record
    }

    [Fact]
    public void NoRecordsGiveNoFile() => Assert.Empty(new LinkerHintsWriter(false).ToArray());

    [Theory]
    [InlineData("amd64", false)]
    [InlineData("i386", false)]
    [InlineData("amd64", true)]
    public void ReadBackGivesTheRecordsWritten(string arch, bool bigEndian)
    {
        var writer = new LinkerHintsWriter(bigEndian);
        var demo = Details(arch, "fbsd_demo.ko");
        var user = Details(arch, "fbsd_user.ko");
        writer.AddKld("fbsd_demo.ko", demo);
        writer.AddKld("fbsd_user.ko", user);
        var (readBigEndian, records) = LinkerHintsReader.Read(writer.ToArray(), "linker.hints");
        Assert.Equal(bigEndian, readBigEndian);
        Assert.Equal(
            ["2 demo_core fbsd_demo.ko", "3 demo_core fbsd_demo.ko 3", "3 demo_extra fbsd_demo.ko 1", "4 pci", "2 demo_user fbsd_user.ko", "3 demo_user fbsd_user.ko 2"],
            records.Select(r => $"{r.Type} {r.Name} {r.KldName} {r.Version}".TrimEnd()));
        var pnp = records[3];
        var source = demo.Records.Single(r => r.Pnp is not null).Pnp!;
        Assert.Equal(source.ConvertedDescriptor, pnp.PnpDescriptor);
        Assert.Equal(source.Entries.Select(e => string.Join('|', e)), pnp.PnpEntries.Select(e => string.Join('|', e)));
        Assert.Equal(0, records[0].Offset % 4);
        Assert.All(records, r => Assert.Equal(0, r.Offset % 4));
    }

    [Fact]
    public void HintOrderPutsTheFirstModuleFirstLikeKldxref()
    {
        var order = LinkerHintsWriter.HintOrder(Details("amd64", "fbsd_demo.ko")).Select(r => $"{r.RawType}:{r.Name}").ToList();
        // The second MDT_MODULE (demo_extra) is not emitted: kldxref's first pass stops at the first one.
        Assert.Equal(["2:demo_core", "1:kernel", "3:demo_core", "1:kernel", "3:demo_extra", "1:demo_core", "4:pci"], order);
    }

    [Fact]
    public void CorruptHintsAreRejected()
    {
        var writer = new LinkerHintsWriter(false);
        writer.AddKld("fbsd_user.ko", Details("amd64", "fbsd_user.ko"));
        byte[] good = writer.ToArray();

        var bad = (byte[])good.Clone();
        bad[0] = 2;
        Assert.Contains("version 2", Assert.Throws<ModuleFormatException>(() => LinkerHintsReader.Read(bad, "h")).Reason);

        bad = (byte[])good.Clone();
        bad[4] = 200;
        Assert.Equal(4, Assert.Throws<ModuleFormatException>(() => LinkerHintsReader.Read(bad, "h")).Offset);

        bad = (byte[])good.Clone();
        bad[12] = 60; // module-name length byte pointing past the record
        Assert.Contains("string runs past", Assert.Throws<ModuleFormatException>(() => LinkerHintsReader.Read(bad, "h")).Reason);

        Assert.Throws<ModuleFormatException>(() => LinkerHintsReader.Read(good.AsSpan(0, 3), "h"));
        Assert.Throws<ModuleFormatException>(() => LinkerHintsReader.Read(good.AsSpan(0, 30), "h"));
    }
}
