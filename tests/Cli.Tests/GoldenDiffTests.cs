namespace LkmKit.Cli.Tests;

/// <summary>The golden helper's diff shows what changed and nothing of the common head and tail.</summary>
public class GoldenDiffTests
{
    [Fact]
    public void DiffShowsOnlyTheChangedLines()
    {
        string diff = Golden.Diff("a\nb\nc\nd\n", "a\nB\nX\nd\n");
        Assert.Equal("@@ line 2 @@\n- b\n- c\n+ B\n+ X\n", diff);
    }

    [Fact]
    public void DiffOfAnAppendedLineHasNoRemovals()
    {
        Assert.Equal("@@ line 2 @@\n+ b\n", Golden.Diff("a\n", "a\nb\n"));
    }
}
