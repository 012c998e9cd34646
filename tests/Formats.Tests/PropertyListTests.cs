using System.Text;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.PropertyLists;

namespace LkmKit.Formats.Tests;

/// <summary>The one property-list parser, as the kext (Info.plist) and NetBSD (.prop) readers use it.</summary>
public class PropertyListTests
{
    private static byte[] Xml(string body) => Encoding.UTF8.GetBytes($"<?xml version=\"1.0\"?><plist version=\"1.0\">{body}</plist>");

    [Fact]
    public void The_same_file_gives_values_to_the_kext_reader_and_flattened_properties_to_the_NetBSD_reader()
    {
        byte[] prop = File.ReadAllBytes(BsdFixtureTests.NetBsd("amd64", "nbsd_demo.prop"));

        var root = Assert.IsType<PlistDictionary>(PropertyList.Parse(prop, "p", "Info.plist", out string format));
        Assert.Equal("xml", format);
        Assert.Equal(["verbose", "max-units", "label", "ports"], root.OrderedKeys);
        var ports = Assert.IsType<List<object>>(root["ports"]);
        Assert.Equal(new PlistInteger(0x3f8, "0x3f8"), ports[0]);

        var flat = PropertyListReader.Parse(prop, "p");
        Assert.Equal(new NetBsdProperty("ports[0]", "integer", "0x3f8"), flat[3]);
        Assert.Equal(new NetBsdProperty("label", "string", "demo & test"), flat[2]);
    }

    [Fact]
    public void Proplib_refuses_what_it_does_not_have_with_the_one_exception()
    {
        var real = Assert.Throws<ModuleFormatException>(() => PropertyListReader.Parse(Xml("<dict><key>r</key><real>1.5</real></dict>"), "n.prop"));
        Assert.Equal("property list", real.Structure);
        Assert.Contains("<real> at r", real.Reason);

        var notDict = Assert.Throws<ModuleFormatException>(() => PropertyListReader.Parse(Xml("<array/>"), "n.prop"));
        Assert.Contains("does not start with a <dict>", notDict.Reason);

        var binary = File.ReadAllBytes(RepoPaths.TestData("kext", "DemoKext.kext", "Contents", "PlugIns", "DemoInjector.kext", "Contents", "Info.plist"));
        Assert.IsType<PlistDictionary>(PropertyList.Parse(binary, "Info.plist", "Info.plist", out string format));
        Assert.Equal("binary", format);
        Assert.Throws<ModuleFormatException>(() => PropertyListReader.Parse(binary, "n.prop"));

        var bad = Assert.Throws<ModuleFormatException>(() => PropertyListReader.Parse(Xml("<dict><key>i</key><integer>x1</integer></dict>"), "n.prop"));
        Assert.Contains("not an integer", bad.Reason);
    }

    [Fact]
    public void Empty_containers_are_one_property_each()
    {
        var flat = PropertyListReader.Parse(Xml("<dict><key>a</key><dict/><key>b</key><array></array><key>c</key><data> AAE= </data></dict>"), "n.prop");
        Assert.Equal([new("a", "dict", ""), new("b", "array", ""), new NetBsdProperty("c", "data", "AAE=")], flat);
    }
}
