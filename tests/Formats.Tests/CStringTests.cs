using System.Text;
using LkmKit.Formats;
using LkmKit.Formats.Text;
using Xunit;

namespace LkmKit.Formats.Tests;

public class CStringTests
{
    [Fact]
    public void A_padded_field_ends_at_its_first_NUL_or_is_whole_when_full()
    {
        Assert.Equal("ab", Encoding.ASCII.GetString(CString.Field("ab\0\0c\0"u8)));
        Assert.Equal("abcd", Encoding.ASCII.GetString(CString.Field("abcd"u8)));
        Assert.True(CString.Field("\0abc"u8).IsEmpty);
    }

    [Fact]
    public void A_terminated_string_needs_its_NUL_before_the_end()
    {
        Assert.True(CString.TryRead("name\0rest"u8, out var value));
        Assert.Equal("name", Encoding.ASCII.GetString(value));
        Assert.False(CString.TryRead("name"u8, out _));

        var error = Assert.Throws<ModuleFormatException>(() => CString.Read("abc"u8, "/x.ko", 0x40, "some table", "name has no end"));
        Assert.Equal("/x.ko: offset 0x40: some table: name has no end", error.Message);
    }

    [Fact]
    public void A_string_table_offset_is_bounds_checked_and_names_the_string()
    {
        byte[] table = "\0first\0second"u8.ToArray();
        Assert.Equal("first", CString.At(table, 1, "/t", 0x100, "strtab"));
        Assert.Equal("", CString.At(table, 0, "/t", 0x100, "strtab"));
        Assert.Equal("", CString.At([], 0, "/t", 0x100, "strtab"));

        var past = Assert.Throws<ModuleFormatException>(() => CString.At(table, 99, "/t", 0x100, "strtab"));
        Assert.Equal(0x100, past.Offset);
        Assert.Contains("past the end of its string table (13 bytes)", past.Message);

        var open = Assert.Throws<ModuleFormatException>(() => CString.At(table, 7, "/t", 0x100, "strtab"));
        Assert.Equal(0x107, open.Offset);
        Assert.Contains("not NUL-terminated", open.Message);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { (byte)'i', (byte)'n', (byte)'i', (byte)'t', (byte)'_', (byte)'m', (byte)'o', (byte)'d', (byte)'u', (byte)'l', (byte)'e' })]
    [InlineData(new byte[] { (byte)'s', 0xc3, 0xa4, (byte)'g', (byte)'e' })] // "säge": not ASCII, decoded as UTF-8
    [InlineData(new byte[] { 0xef, 0xbf, 0xbf, (byte)'x' })] // a real U+FFFF first, the char the fast path marks with
    [InlineData(new byte[] { (byte)'a', 0x80, 0xff })] // invalid UTF-8: replacement characters, as the BCL decodes them
    public void Decode_gives_what_the_UTF8_decoder_gives(byte[] bytes)
    {
        Assert.Equal(Encoding.UTF8.GetString(bytes), CString.Decode(bytes));
    }

    [Fact]
    public void Split_gives_the_non_empty_strings_and_a_last_one_without_its_NUL()
    {
        var items = new List<string>();
        foreach (var item in CString.Split("\0\0a=1\0\0b\0tail"u8))
        {
            items.Add(Encoding.ASCII.GetString(item));
        }

        Assert.Equal(["a=1", "b", "tail"], items);
        Assert.False(CString.Split(""u8).MoveNext());
    }
}
