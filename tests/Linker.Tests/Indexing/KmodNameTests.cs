using LkmKit.Linker.Indexing;

namespace LkmKit.Linker.Tests.Indexing;

public class KmodNameTests
{
    [Theory]
    [InlineData("pci:v*d*", "pci:v00008086d000010D3", true)]
    [InlineData("usb:v05ACp*d*dc*", "usb:v05ACp1234d0100dcFF", true)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("[!x]y", "zy", true)]
    [InlineData("[!x]y", "xy", false)]
    [InlineData("[^x]y", "xy", false)]
    [InlineData("v[0-9A-F]", "vB", true)]
    [InlineData("v[0-9A-F]", "vb", false)]
    [InlineData("[]]", "]", true)]
    [InlineData("a[", "a[", true)]
    [InlineData("a\\*", "a*", true)]
    [InlineData("a\\*", "ab", false)]
    [InlineData("*.ko", "x/y.ko", true)]
    [InlineData("*a*b", "xaxxb", true)]
    [InlineData("*a*b", "xaxxbc", false)]
    public void Fnmatch_follows_posix_without_flags(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Fnmatch.Matches(pattern, text));

    [Theory]
    [InlineData("snd-hda-intel", "snd_hda_intel")]
    [InlineData("pci:v[0-9-]*d-x", "pci:v[0-9-]*d_x")]
    public void Aliases_normalise_dashes_outside_brackets(string alias, string expected) =>
        Assert.Equal(expected, KmodNames.NormalizeAlias(alias));

    [Theory]
    [InlineData("a]b")]
    [InlineData("a[b")]
    public void Unmatched_brackets_are_not_valid_aliases(string alias) => Assert.Null(KmodNames.NormalizeAlias(alias));

    [Theory]
    [InlineData("kernel/drivers/net/e1000e.ko.xz", "e1000e")]
    [InlineData("kernel/sound/snd-hda-intel.ko", "snd_hda_intel")]
    [InlineData("/abs/x-y.z.ko", "x_y")]
    public void Module_names_come_from_the_file_name(string path, string expected) =>
        Assert.Equal(expected, KmodNames.ModuleNameFromPath(path));
}
