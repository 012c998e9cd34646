using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Linker.Indexing;

namespace LkmKit.Linker.Tests.Indexing;

public class KmodIndexTests
{
    /// <summary>The keys of libkmod-index.c's comment, inserted in this order (facts: loader-depmod-convert.md §2.3).</summary>
    private static byte[] CommentExample()
    {
        var writer = new KmodIndexWriter();
        foreach (var (key, value) in new[] { ("ask", "v1"), ("ate", "v2"), ("on", "v3"), ("once", "v4"), ("one", "v5") })
        {
            writer.Insert(key, value, 0);
        }

        return writer.ToArray();
    }

    [Fact]
    public void Writes_the_comment_example_post_order_like_kmod_30()
    {
        string hex = Convert.ToHexString(CommentExample()).ToLowerInvariant();
        Assert.Equal(161 * 2, hex.Length);
        Assert.StartsWith("b007f457" + "00020001" + "20000063" + "6b00" + "00000001" + "00000000" + "763100", hex);
        // The root comes last, at 0x63: no prefix, children 'a'..'o' (only 'a' and 'o' present).
        Assert.Equal("616f" + "20000026" + string.Concat(Enumerable.Repeat("00000000", 13)) + "e0000048", hex[(0x63 * 2)..]);
    }

    [Fact]
    public void Empty_index_is_a_header_whose_root_is_an_empty_node()
    {
        var bytes = new KmodIndexWriter().ToArray();
        Assert.Equal("b007f457000200010000000c", Convert.ToHexString(bytes).ToLowerInvariant());
        Assert.Empty(KmodIndex.FromBytes(bytes, "empty").Entries());
    }

    [Fact]
    public void Reader_finds_every_key_and_only_those()
    {
        var index = KmodIndex.FromBytes(CommentExample(), "example");
        Assert.Equal("v4", Assert.Single(index.Lookup("once")).Value);
        Assert.Equal("v3", Assert.Single(index.Lookup("on")).Value);
        Assert.Empty(index.Lookup("o"));
        Assert.Empty(index.Lookup("onces"));
        Assert.Empty(index.Lookup("as"));
        Assert.Equal(["ask v1", "ate v2", "on v3", "once v4", "one v5"], index.Entries().Select(e => $"{e.Key} {e.Value.Value}"));
    }

    [Fact]
    public void Values_sort_by_priority_and_a_new_value_goes_before_equal_ones()
    {
        var writer = new KmodIndexWriter();
        Assert.False(writer.Insert("k", "late", 5));
        Assert.False(writer.Insert("k", "first", 0));
        Assert.False(writer.Insert("k", "second", 0));
        Assert.True(writer.Insert("k", "first", 9));
        var values = KmodIndex.FromBytes(writer.ToArray(), "values").Lookup("k");
        Assert.Equal(["second", "first", "late", "first"], values.Select(v => v.Value));
        Assert.Equal([0u, 0u, 5u, 9u], values.Select(v => v.Priority));
    }

    [Fact]
    public void Wildcard_lookup_matches_stored_patterns_with_fnmatch()
    {
        var writer = new KmodIndexWriter();
        writer.Insert("pci:v00008086d*sv*", "e1000e", 7);
        writer.Insert("pci:v0000808?d0000*", "igb", 3);
        writer.Insert("pci:v[0-9]*", "any", 9);
        writer.Insert("pci:v00008086d00001234sv0001", "exact", 1);
        writer.Insert("usb:x", "other", 0);
        var index = KmodIndex.FromBytes(writer.ToArray(), "alias");
        Assert.Equal(["exact", "igb", "e1000e", "any"], index.LookupWildcard("pci:v00008086d00001234sv0001").Select(v => v.Value));
        Assert.Equal(["any"], index.LookupWildcard("pci:v9").Select(v => v.Value));
        Assert.Empty(index.LookupWildcard("usb:y"));
    }

    [Fact]
    public void Keys_outside_seven_bit_ascii_are_refused_as_depmod_does()
    {
        var writer = new KmodIndexWriter();
        Assert.Throws<ArgumentException>(() => writer.Insert("caf\u00e9", "x", 0));
        Assert.Throws<ArgumentException>(() => writer.Insert("cafe", "\u00ff", 0));
    }

    [Theory]
    [InlineData("00", "shorter than the 12-byte header")]
    [InlineData("deadbeef000200010000000c", "magic")]
    [InlineData("b007f457000300010000000c", "major version 2")]
    [InlineData("b007f45700020001800000ff", "past the end")]
    [InlineData("b007f457000200012000000c61", "truncated child range")]
    [InlineData("b007f45700020001c000000c6100", "value count")]
    public void Malformed_indexes_throw_naming_the_file(string hex, string reason)
    {
        var bytes = Convert.FromHexString(hex);
        var e = Assert.Throws<ModuleFormatException>(() =>
        {
            var index = KmodIndex.FromBytes(bytes, "bad.bin");
            index.Entries();
            index.Lookup("ab");
        });
        Assert.Contains("bad.bin", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_child_pointing_at_its_parent_ends_with_an_error_not_a_hang()
    {
        // Root at 16: children 'a'..'a' whose only child word points back at the root.
        var index = KmodIndex.FromBytes(Convert.FromHexString("b007f4570002000120000010" + "00000000" + "616120000010"), "loop.bin");
        var e = Assert.Throws<ModuleFormatException>(() => index.Entries());
        Assert.Contains("loop.bin", e.Message);
        Assert.Empty(index.Lookup("aaaa"));
        Assert.Empty(index.LookupWildcard("aaaa"));
    }
}
