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
                var (fieldCode, expectedField) = ExternalTool.Run("modinfo", "-F", field, file);
                Assert.True(fieldCode == 0, $"modinfo -F {field} {file} exited with {fieldCode}");
                var fieldOut = new StringWriter { NewLine = "\n" };
                Assert.Equal(0, LkmApp.Run(["info", "-F", field, file], fieldOut, new StringWriter()));
                Assert.Equal(expectedField, fieldOut.ToString());
            }

            compared++;
        }

        Assert.True(compared >= 12, $"only {compared} fixtures compared");
    }

    /// <summary>
    /// <c>lkm dump --json</c> against readelf on every Linux fixture: every section's name, type and size; every
    /// symbol's value, size, type, binding, section index and name (section symbols, which readelf names after their
    /// section, by index only); every relocation's offset, symbol index and raw type (from readelf's r_info), type name,
    /// symbol name and addend — RELA addends as readelf prints them, REL (implicit) addends read from the place in
    /// readelf's hex dump of the patched section.
    /// </summary>
    [SkippableFact]
    public void DumpAgreesWithReadelf()
    {
        ExternalTool.Require("readelf");

        int relocationsCompared = 0;
        foreach (var file in Fixtures("*.ko"))
        {
            var stdout = new StringWriter();
            Assert.Equal(0, LkmApp.Run(["dump", "--json", file], stdout, new StringWriter()));
            using var doc = JsonDocument.Parse(stdout.ToString());
            var root = doc.RootElement;
            bool is64 = root.GetProperty("bits").GetInt32() == 64;

            var sections = SectionLine().Matches(Readelf("-W", "-S", file)).Select(m => (Name: m.Groups[2].Value.Trim(), Type: m.Groups[3].Value, Size: Convert.ToUInt64(m.Groups[4].Value, 16))).ToList();
            var ours = root.GetProperty("sections").EnumerateArray().ToList();
            Assert.Equal(sections.Count, ours.Count);
            for (int i = 0; i < sections.Count; i++)
            {
                Assert.Equal(sections[i].Name, ours[i].GetProperty("name").GetString());
                Assert.Equal(sections[i].Type, ours[i].GetProperty("type").GetString());
                Assert.Equal(sections[i].Size, ours[i].GetProperty("size").GetUInt64());
            }

            string symbolText = Readelf("-W", "-s", file);
            var symbols = SymbolLine().Matches(symbolText).ToList();
            var ourSymbols = root.GetProperty("symbols").EnumerateArray().ToList();
            Assert.Equal(int.Parse(SymbolCount().Match(symbolText).Groups[1].Value), symbols.Count);
            Assert.Equal(symbols.Count, ourSymbols.Count);
            for (int i = 0; i < symbols.Count; i++)
            {
                var (expected, actual) = (symbols[i].Groups, ourSymbols[i]);
                string where = $"{file} symbol {i}";
                Assert.True(Convert.ToUInt64(expected[1].Value, 16) == Hex(actual.GetProperty("value")), $"{where}: value");
                Assert.True(ulong.Parse(expected[2].Value) == actual.GetProperty("size").GetUInt64(), $"{where}: size");
                Assert.Equal(expected[3].Value, actual.GetProperty("type").GetString());
                Assert.Equal(expected[4].Value, actual.GetProperty("binding").GetString());
                if (int.TryParse(expected[5].Value, out int ndx))
                {
                    Assert.True(ndx == actual.GetProperty("section").GetInt32(), $"{where}: section index");
                }

                if (expected[3].Value != "SECTION")
                {
                    Assert.Equal(expected[6].Value, actual.GetProperty("name").GetString());
                }
            }

            var contents = new Dictionary<int, byte[]>();
            var ourTables = root.GetProperty("relocationSections").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
            var blocks = RelocationHeader().Matches(Readelf("-W", "-r", file)).ToList();
            Assert.Equal(blocks.Count, ourTables.Count);
            foreach (var block in blocks)
            {
                var table = ourTables[block.Groups[1].Value];
                var lines = block.Groups[3].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
                var relocations = table.GetProperty("relocations").EnumerateArray().ToList();
                Assert.Equal(int.Parse(block.Groups[2].Value), relocations.Count);
                Assert.Equal(relocations.Count, lines.Count);
                bool rela = table.GetProperty("explicitAddends").GetBoolean();
                for (int i = 0; i < lines.Count; i++)
                {
                    string where = $"{file} {block.Groups[1].Value}[{i}]";
                    var line = (rela ? RelaLine() : RelLine()).Match(lines[i]);
                    Assert.True(line.Success, $"{where}: unexpected readelf line {lines[i]}");
                    var r = relocations[i];
                    ulong offset = Convert.ToUInt64(line.Groups["offset"].Value, 16), info = Convert.ToUInt64(line.Groups["info"].Value, 16);
                    Assert.True(offset == Hex(r.GetProperty("offset")), $"{where}: offset");
                    Assert.True((is64 ? info >> 32 : info >> 8) == r.GetProperty("symbol").GetUInt64(), $"{where}: symbol index");
                    Assert.True((is64 ? info & 0xffffffff : info & 0xff) == r.GetProperty("rawType").GetUInt64(), $"{where}: type");
                    Assert.Equal(line.Groups["type"].Value, r.GetProperty("type").GetString());
                    Assert.Equal(line.Groups["name"].Value, r.GetProperty("symbolName").GetString() ?? "");
                    long addend = rela ? Addend(line) : ImplicitAddend(file, table.GetProperty("target").GetInt32(), offset, r.GetProperty("width").GetInt32(), contents);
                    Assert.True(addend == r.GetProperty("addend").GetInt64(), $"{where}: addend {addend} expected, {r.GetProperty("addend").GetInt64()} read");
                    relocationsCompared++;
                }
            }
        }

        Assert.True(relocationsCompared > 100, $"only {relocationsCompared} relocations compared");
    }

    private static string Readelf(params string[] args)
    {
        var (code, output) = ExternalTool.Run("readelf", args);
        Assert.True(code == 0, $"readelf {string.Join(' ', args)} exited with {code}");
        return output;
    }

    private static ulong Hex(JsonElement value) => Convert.ToUInt64(value.GetString()!, 16);

    private static long Addend(Match line)
    {
        var value = line.Groups["addend"];
        if (!value.Success)
        {
            return 0;
        }

        long magnitude = Convert.ToInt64(value.Value, 16);
        return line.Groups["sign"].Value == "-" ? -magnitude : magnitude;
    }

    /// <summary>The little-endian value of <paramref name="width"/> bits at <paramref name="offset"/> of section <paramref name="section"/>, as readelf -x dumps it (sign-extended).</summary>
    private static long ImplicitAddend(string file, int section, ulong offset, int width, Dictionary<int, byte[]> cache)
    {
        if (!cache.TryGetValue(section, out var bytes))
        {
            var hex = new System.Text.StringBuilder();
            foreach (Match row in HexDumpLine().Matches(Readelf("-x", section.ToString(System.Globalization.CultureInfo.InvariantCulture), file)))
            {
                hex.Append(row.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal));
            }

            cache[section] = bytes = Convert.FromHexString(hex.ToString());
        }

        return width switch
        {
            32 => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)offset)),
            64 => System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)offset)),
            16 => System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan((int)offset)),
            _ => 0,
        };
    }

    [GeneratedRegex(@"^\s*\[\s*(\d+)\]\s(.{17,}?)\s+([A-Z_0-9]+)\s+[0-9a-f]{8,16}\s+[0-9a-f]{6,}\s+([0-9a-f]{6,})", RegexOptions.Multiline)]
    private static partial Regex SectionLine();

    [GeneratedRegex(@"Symbol table '\.symtab' contains (\d+) entries")]
    private static partial Regex SymbolCount();

    [GeneratedRegex(@"^\s*\d+: ([0-9a-f]+)\s+(\d+) (\w+)\s+(\w+)\s+\w+\s+(\w+) ?(.*)$", RegexOptions.Multiline)]
    private static partial Regex SymbolLine();

    [GeneratedRegex(@"Relocation section '([^']+)' at offset 0x[0-9a-f]+ contains (\d+) entr[^\n]*\n((?:[^\n]+\n?)*)")]
    private static partial Regex RelocationHeader();

    [GeneratedRegex(@"^\s*(?<offset>[0-9a-f]+)\s+(?<info>[0-9a-f]+)\s+(?<type>\S+)\s+(?:[0-9a-f]+\s+(?<name>.*?)\s+(?<sign>[+-])\s+(?<addend>[0-9a-f]+)|(?<addend>[0-9a-f]+))?\s*$")]
    private static partial Regex RelaLine();

    [GeneratedRegex(@"^\s*(?<offset>[0-9a-f]+)\s+(?<info>[0-9a-f]+)\s+(?<type>\S+)\s*(?:[0-9a-f]+\s+(?<name>.*?))?\s*$")]
    private static partial Regex RelLine();

    [GeneratedRegex(@"^\s+0x[0-9a-f]+ ([0-9a-f ]{35})", RegexOptions.Multiline)]
    private static partial Regex HexDumpLine();
}
