using LkmKit.Formats.Flavors.FreeBsd;

namespace LkmKit.Formats.Tests;

/// <summary>kldxref's rules in the library: the hints bytes the CLI's golden file holds, the order, the skipped files.</summary>
public class KldxrefIndexerTests
{
    [Theory]
    [InlineData("amd64")]
    [InlineData("i386")]
    public void Writes_the_hints_of_each_directory_and_reports_what_it_skips(string arch)
    {
        string dir = Directory.CreateTempSubdirectory("lkm-kldxref-lib-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(RepoPaths.TestData("freebsd", arch)))
            {
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            }

            File.WriteAllBytes(Path.Combine(dir, "junk.ko"), [1, 2, 3]);
            File.WriteAllText(Path.Combine(dir, "README.txt"), "skipped by name");
            var read = new List<string>();
            var problems = new List<string>();
            new KldxrefIndexer(KldxrefIndexer.DefaultHintsName, ModuleReader.Default)
            {
                ModuleRead = (path, details) => read.Add(Path.GetFileName(path)),
                Problem = problems.Add,
            }.Run(dir);

            string expected = File.ReadAllText(RepoPaths.TestData("golden", "freebsd", arch, "linker.hints.hex")).Replace("\n", "", StringComparison.Ordinal);
            Assert.Equal(expected, Convert.ToHexString(File.ReadAllBytes(Path.Combine(dir, "linker.hints"))).ToLowerInvariant());
            Assert.Equal(read.Order(StringComparer.Ordinal), read);
            Assert.Contains("fbsd_demo.ko", read);
            Assert.Contains(problems, p => p.Contains("junk.ko", StringComparison.Ordinal));
            Assert.DoesNotContain(problems, p => p.Contains("README", StringComparison.Ordinal));

            // Without writing (kldxref -d) the modules are still seen and a stale file stays as it is.
            File.WriteAllBytes(Path.Combine(dir, "linker.hints"), [9]);
            int seen = 0;
            new KldxrefIndexer(KldxrefIndexer.DefaultHintsName, ModuleReader.Default) { WriteHints = false, ModuleRead = (_, _) => seen++ }.Run(dir);
            Assert.Equal(read.Count, seen);
            Assert.Equal([9], File.ReadAllBytes(Path.Combine(dir, "linker.hints")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
