using LkmKit.Formats.Flavors.Linux;

namespace LkmKit.Formats.Tests;

/// <summary>The struct module field offsets are found lazily; threads reading them first at the same time all see them.</summary>
public class LinuxDetailsConcurrencyTests
{
    [Fact]
    public void InitAndExitOffsetsAreTheSameOnEveryThreadThatReadsThemFirst()
    {
        (ulong?, ulong?) expected;
        using (var once = ModuleReader.Open(RepoPaths.Linux("x86_64", "lkmdemo_core.ko")))
        {
            var d = (LinuxModuleDetails)once.Modules[0].Details!;
            expected = (d.InitFieldOffset, d.ExitFieldOffset);
        }

        Assert.Equal(312UL, expected.Item1);
        Assert.NotNull(expected.Item2);
        for (int round = 0; round < 20; round++)
        {
            using var file = ModuleReader.Open(RepoPaths.Linux("x86_64", "lkmdemo_core.ko"));
            var details = Assert.IsType<LinuxModuleDetails>(file.Modules[0].Details);
            using var start = new Barrier(8);
            var seen = new (ulong? Init, ulong? Exit)[8];
            var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                seen[i] = (details.InitFieldOffset, details.ExitFieldOffset);
            })).ToArray();
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
            Assert.All(seen, s => Assert.Equal(expected, s));
        }
    }
}
