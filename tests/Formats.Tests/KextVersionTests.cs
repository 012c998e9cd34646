using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.MachO;

namespace LkmKit.Formats.Tests;

/// <summary>The kext version grammar and chained-fixup pointer decoding, against the examples of the reference.</summary>
public class KextVersionTests
{
    [Theory]
    [InlineData("1", 1_000_000_000_000L + 9000)]
    [InlineData("1.2.3", 1_000_000_000_000L + 200_000_000 + 30_000 + 9000)]
    [InlineData("1..2", 1_000_000_000_000L + 20_000 + 9000)]
    [InlineData("1.2.", 1_000_000_000_000L + 200_000_000 + 9000)]
    [InlineData("1.2 x", 1_000_000_000_000L + 200_000_000 + 9000)]
    [InlineData("1.0d0", 1_000_000_000_000L + 1000)]
    [InlineData("1.7.0fc16", 1_000_000_000_000L + 700_000_000 + 7016)]
    [InlineData("1200.12.2b1", 1200_000_000_000_000L + 1_200_000_000 + 20_000 + 5001)]
    [InlineData("1.0.0.", -1)]
    [InlineData(" 1.0", -1)]
    [InlineData("v1.0", -1)]
    [InlineData("1.0f0", -1)]
    [InlineData("1.0fc0", -1)]
    [InlineData("1.0b", -1)]
    [InlineData("1.0b256", -1)]
    [InlineData("12345", -1)]
    [InlineData("1.0x1", -1)]
    [InlineData("", -1)]
    public void ParsesLikeOSKextParseVersionString(string text, long expected) => Assert.Equal(expected, KextVersion.Parse(text));

    [Fact]
    public void OrdersStagesBeforeRelease()
    {
        string[] ordered = ["1.0d1", "1.0a1", "1.0b1", "1.0fc1", "1.0", "1.0.1d0", "1.123"];
        for (int i = 1; i < ordered.Length; i++)
        {
            Assert.True(KextVersion.Compare(ordered[i - 1], ordered[i]) < 0, $"{ordered[i - 1]} < {ordered[i]}");
        }

        Assert.Equal(0, KextVersion.Compare("1.0f1", "1.0fc1"));
        Assert.True(KextVersion.IsCompatible("2.2.2", "2.2.2", "2.2.2"));
        Assert.True(KextVersion.IsCompatible("1200.12.2b1", "1.0", "600.0"));
        Assert.False(KextVersion.IsCompatible("1.2.3", "1.0", "1.3"));
        Assert.False(KextVersion.IsCompatible("1.2.3", null, "1.0"));
    }

    [Fact]
    public void DecodesTheArm64eKernelAuthRebaseOfTheReference()
    {
        // USBInjectAll arm64e: kmod_info.start = 0x8010E4FE00005A6C, format 7 (DYLD_CHAINED_PTR_ARM64E_KERNEL).
        var (fixup, next) = ChainedFixups.Decode(0x8010E4FE00005A6CUL, 7, 0x1000, 0);
        Assert.Equal((false, true, 0x5A6CUL, (ushort)0xE4FE, (byte)0, false), (fixup.IsBind, fixup.IsAuthenticated, fixup.Target, fixup.Diversity, fixup.Key, fixup.AddressDiversity));
        Assert.Equal(2UL, next);
        Assert.Equal(4, ChainedFixups.Stride(7));

        // An arm64e plain bind with a negative 19-bit addend and ordinal 5.
        ulong bind = (1UL << 62) | (3UL << 51) | ((ulong)(-8L & 0x7FFFF) << 32) | 5;
        var (b, n) = ChainedFixups.Decode(bind, 9, 0, 0);
        Assert.Equal((true, false, 5UL, -8L, 3UL), (b.IsBind, b.IsAuthenticated, b.Target, b.Addend, n));
        Assert.Equal("DYLD_CHAINED_PTR_32_FIRMWARE", ChainedFixups.FormatName(5));
    }
}
