using LkmKit.Linker.Output;

namespace LkmKit.Linker.Tests;

/// <summary>
/// Runs scripts/link-oracle.sh on the fixtures: ld.lld links each one with every section at lkm's address and every
/// undefined symbol at lkm's value, and every allocated section must be byte-identical.
/// </summary>
public class OracleTests
{
    public static TheoryData<string> Arches => ["x86_64", "i386", "aarch64"];

    [SkippableTheory]
    [MemberData(nameof(Arches))]
    public void FixturesAreByteIdenticalToLld(string arch)
    {
        ExternalTool.Require("ld.lld", "readelf", "python3");

        string[] baseArgs = arch == "aarch64" ? ["--base", "0x" + FixtureLinkTests.AArch64Base.ToString("x")] : [];
        var output = Oracle([.. baseArgs, "--symbols", $"testdata/linker/symbols/relocs-{arch}.map", $"testdata/linker/{arch}/relocs.o"]);
        Assert.Contains("TOTAL modules=1 ", output);
        AssertClean(output);

        output = Oracle([.. baseArgs, "--symbols", $"testdata/linker/symbols/{arch}.System.map",
            $"testdata/linux/{arch}/lkmdemo_core.ko", $"testdata/linux/{arch}/lkmdemo_min.ko"]);
        Assert.Contains("TOTAL modules=2 ", output);
        AssertClean(output);
    }

    [SkippableTheory]
    [MemberData(nameof(Arches))]
    public void SecondModuleOfATwoModuleLinkIsByteIdenticalToLld(string arch)
    {
        ExternalTool.Require("ld.lld", "readelf", "python3");

        var options = new LinkOptions { Base = arch == "aarch64" ? FixtureLinkTests.AArch64Base : null };
        var image = LinkHelper.Link([$"testdata/linux/{arch}/lkmdemo_core.ko", $"testdata/linux/{arch}/lkmdemo_user.ko"],
            [$"testdata/linker/symbols/{arch}.System.map"], options);
        var core = image.Modules[0];
        var user = image.Modules[1];
        string exports = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(exports, core.Symbols.Where(s => s.SectionIndex >= 0 && s.Binding != Formats.Model.SymbolBinding.Local)
                .Select(s => $"{s.Address:x} T {s.Name}"));
            ulong userBase = user.Sections.Min(s => s.Address);
            var output = Oracle(["--base", $"0x{userBase:x}", "--symbols", $"testdata/linker/symbols/{arch}.System.map", "--symbols", exports,
                $"testdata/linux/{arch}/lkmdemo_user.ko"]);
            AssertClean(output);
        }
        finally
        {
            File.Delete(exports);
        }
    }

    internal static void AssertClean(string output)
    {
        var total = output.Split('\n').Single(l => l.StartsWith("TOTAL ", StringComparison.Ordinal));
        Assert.Contains(" mismatches=0 ", total);
        Assert.EndsWith(" failed=0", total.TrimEnd());
        Assert.DoesNotContain(" sections=0 ", total);
    }

    internal static string Oracle(string[] args)
    {
        string lkm = Path.Combine(AppContext.BaseDirectory, "lkm.dll");
        var (code, output, errors) = ExternalTool.RunIn(RepoPaths.Root, new Dictionary<string, string> { ["LKM"] = $"dotnet {lkm}" },
            "bash", [Path.Combine(RepoPaths.Root, "scripts", "link-oracle.sh"), .. args]);
        // The script exits non-zero on any mismatch or failed tool; the TOTAL line says which.
        Assert.True(code == 0, $"link-oracle.sh exited with {code}:\n{output}{errors}");
        return output + errors;
    }

    [SkippableFact]
    public void ElfImageSectionsAreWhereTheMapSaysAndHoldTheRelocatedBytes()
    {
        var image = LinkHelper.Link(["testdata/linux/x86_64/lkmdemo_core.ko"], ["testdata/linker/symbols/x86_64.System.map"]);
        string path = Path.GetTempFileName();
        try
        {
            ElfImageWriter.Write(image, path);
            using var file = Formats.ModuleReader.Open(path);
            var read = file.Modules[0];
            Assert.Equal("EXEC", read.FileType);
            foreach (var section in image.Modules[0].Sections)
            {
                var written = read.Sections.Single(s => s.Name == section.Name && s.Address == section.Address);
                Assert.Equal(section.Size, written.Size);
                if (section.HasContents)
                {
                    Assert.Equal(section.Data, written.Data.ToArray());
                }
            }

            var symbol = read.Symbols.Single(s => s.Name == "lkmdemo_add");
            Assert.Equal(LinkHelper.Symbol(image.Modules[0], "lkmdemo_add"), symbol.Value);
            ExternalTool.Require("readelf");
            var (code, headers) = ExternalTool.Run("readelf", "-lW", path);
            Assert.Equal(0, code);
            Assert.Contains("LOAD", headers);
            Assert.Contains("0xffffffffc0000000", headers);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
