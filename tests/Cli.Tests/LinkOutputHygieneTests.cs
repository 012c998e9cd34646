namespace LkmKit.Cli.Tests;

/// <summary><c>lkm link</c> leaves nothing half-written behind and never echoes a binary file into its messages.</summary>
public sealed class LinkOutputHygieneTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lkmkit-link-" + Guid.NewGuid().ToString("n"));
    private static readonly string Module = RepoPaths.Linux("x86_64", "lkmdemo_core.ko");
    private static readonly string Symbols = RepoPaths.TestData("linker", "symbols", "x86_64.System.map");

    public LinkOutputHygieneTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void MapIntoAMissingDirectoryLeavesNoImageBehind()
    {
        string image = Path.Combine(_dir, "linked.elf");
        var (code, _, error) = CliRunner.Run("link", Module, "--symbols", Symbols, "-o", image, "--map", Path.Combine(_dir, "missing", "linked.map"));
        Assert.Equal(1, code);
        Assert.Contains("missing", error);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void BothOutputsAreWrittenWhenTheyCanBe()
    {
        string image = Path.Combine(_dir, "linked.elf"), map = Path.Combine(_dir, "linked.map");
        var (code, _, _) = CliRunner.Run("link", Module, "--symbols", Symbols, "-o", image, "--map", map);
        Assert.Equal(0, code);
        Assert.Equal([image, map], Directory.GetFiles(_dir).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BinarySymbolFileIsNotEchoedRaw()
    {
        string binary = Path.Combine(_dir, "random.bin");
        var bytes = new byte[3000];
        new Random(7).NextBytes(bytes);
        bytes[0] = (byte)'x'; // not ELF, not Module.symvers
        File.WriteAllBytes(binary, bytes);
        var (code, _, error) = CliRunner.Run("link", Module, "--symbols", binary, "-o", Path.Combine(_dir, "linked.elf"));
        Assert.Equal(1, code);
        Assert.Contains("random.bin:1:", error);
        Assert.All(error, c => Assert.True(c == '\n' || c is >= ' ' and < (char)0x7f, $"character U+{(int)c:x4} in the message"));
        Assert.True(error.Length < 400, error);
    }
}
