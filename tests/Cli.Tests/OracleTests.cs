using System.Text.Json;
using System.Text.RegularExpressions;

namespace LkmKit.Cli.Tests;

/// <summary>Compares <c>lkm</c> with the reference tools on the fixtures: kmod's modinfo and binutils' readelf.</summary>
public partial class OracleTests
{
    private static IEnumerable<string> Fixtures(params string[] patterns) =>
        patterns.SelectMany(p => Directory.EnumerateFiles(RepoPaths.TestData("linux"), p, SearchOption.AllDirectories)).Order(StringComparer.Ordinal);

    [SkippableFact]
    public void InfoMatchesModinfoByteForByte()
    {
        ExternalTool.Require("modinfo");

        int compared = 0;
        foreach (var file in Fixtures("*.ko", "*.ko.xz", "*.ko.zst"))
        {
            var (expectedCode, expected) = ExternalTool.Run("modinfo", file);
            Assert.Equal(0, expectedCode);
            var stdout = new StringWriter { NewLine = "\n" };
            Assert.Equal(0, LkmApp.Run(["info", file], stdout, new StringWriter()));
            Assert.Equal(expected, stdout.ToString());
            foreach (var field in new[] { "parm", "parmtype", "vermagic", "alias", "depends", "signer", "sig_key", "filename" })
            {
                var (_, expectedField) = ExternalTool.Run("modinfo", "-F", field, file);
                var fieldOut = new StringWriter { NewLine = "\n" };
                Assert.Equal(0, LkmApp.Run(["info", "-F", field, file], fieldOut, new StringWriter()));
                Assert.Equal(expectedField, fieldOut.ToString());
            }

            compared++;
        }

        Assert.True(compared >= 12, $"only {compared} fixtures compared");
    }

    [SkippableFact]
    public void DumpAgreesWithReadelf()
    {
        ExternalTool.Require("readelf");

        foreach (var file in Fixtures("*.ko"))
        {
            var stdout = new StringWriter();
            Assert.Equal(0, LkmApp.Run(["dump", "--json", file], stdout, new StringWriter()));
            using var doc = JsonDocument.Parse(stdout.ToString());
            var root = doc.RootElement;

            var (_, sectionText) = ExternalTool.Run("readelf", "-W", "-S", file);
            var sections = SectionLine().Matches(sectionText).Select(m => (Name: m.Groups[2].Value.Trim(), Type: m.Groups[3].Value, Size: Convert.ToUInt64(m.Groups[4].Value, 16))).ToList();
            var ours = root.GetProperty("sections").EnumerateArray().ToList();
            Assert.Equal(sections.Count, ours.Count);
            for (int i = 0; i < sections.Count; i++)
            {
                Assert.Equal(sections[i].Name, ours[i].GetProperty("name").GetString());
                Assert.Equal(sections[i].Size, ours[i].GetProperty("size").GetUInt64());
            }

            var (_, symbolText) = ExternalTool.Run("readelf", "-W", "-s", file);
            int symbols = int.Parse(SymbolCount().Match(symbolText).Groups[1].Value);
            Assert.Equal(symbols, root.GetProperty("symbols").GetArrayLength());

            var (_, relocationText) = ExternalTool.Run("readelf", "-W", "-r", file);
            var tables = RelocationHeader().Matches(relocationText).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
            var ourTables = root.GetProperty("relocationSections").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("count").GetInt32());
            Assert.Equal(tables, ourTables);
        }
    }

    [GeneratedRegex(@"^\s*\[\s*(\d+)\]\s(.{17,}?)\s+([A-Z_0-9]+)\s+[0-9a-f]{8,16}\s+[0-9a-f]{6,}\s+([0-9a-f]{6,})", RegexOptions.Multiline)]
    private static partial Regex SectionLine();

    [GeneratedRegex(@"Symbol table '\.symtab' contains (\d+) entries")]
    private static partial Regex SymbolCount();

    [GeneratedRegex(@"Relocation section '([^']+)' at offset 0x[0-9a-f]+ contains (\d+) entr")]
    private static partial Regex RelocationHeader();
}
