namespace LkmKit.Cli.Tests;

/// <summary>What people at a terminal see: help, empty directories, progress.</summary>
public class TerminalTests
{
    [Fact]
    public void InfoOfADirectoryWithoutModulesSaysSoAndFails()
    {
        string dir = Directory.CreateTempSubdirectory("lkm-empty").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "no module here");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Assert.Equal(1, LkmApp.Run(["info", dir], stdout, stderr));
            Assert.Equal("", stdout.ToString());
            Assert.Contains($"lkm: {dir}: no module found", stderr.ToString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void InfoOfAnEmptyDirectoryNextToAModuleStillPrintsTheModule()
    {
        string dir = Directory.CreateTempSubdirectory("lkm-empty").FullName;
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Assert.Equal(1, LkmApp.Run(["info", "-F", "name", RepoPaths.Linux("x86_64", "lkmdemo_min.ko"), dir], stdout, stderr));
            Assert.Equal("lkmdemo_min\n", stdout.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
            Assert.Contains("no module found", stderr.ToString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void HelpListsEveryCommandWithAnExample()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, LkmApp.Run(["--help"], stdout, new StringWriter()));
        string help = stdout.ToString();
        var commands = help[help.IndexOf("Commands:", StringComparison.Ordinal)..].Split('\n')
            .Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.StartsWith("   ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.NotEmpty(commands);
        foreach (string name in commands)
        {
            Assert.Contains($"e.g. lkm {name} ", help);
            var own = new StringWriter();
            Assert.Equal(0, LkmApp.Run([name, "--help"], own, new StringWriter()));
        }
    }

    [Fact]
    public void ProgressIsSilentWhenStderrIsNotTheTerminal()
    {
        var stderr = new StringWriter();
        using (var progress = ProgressReporter.Create(stderr, "test", forPeople: true))
        {
            Assert.False(progress.Visible);
            progress.Advance(10);
        }

        Assert.Equal("", stderr.ToString());
    }
}
