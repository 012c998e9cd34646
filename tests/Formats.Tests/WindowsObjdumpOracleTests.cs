using System.Globalization;
using System.Text.RegularExpressions;
using LkmKit.Formats;
using LkmKit.Formats.Model;
using LkmKit.Formats.Pe;

namespace LkmKit.Formats.Tests;

/// <summary>
/// Compares the PE reader with mingw-w64 <c>objdump -p</c> (Debian binutils-mingw-w64-*): subsystem, image base,
/// entry point, imports by DLL, exports and every base relocation.
/// </summary>
public partial class WindowsObjdumpOracleTests
{
    public static TheoryData<string, string> Fixtures => new()
    {
        { "x86_64", "lkmkit.sys" }, { "x86_64", "lkmkit-signed.sys" }, { "x86_64", "plain.dll" }, { "i386", "lkmkit.sys" },
    };

    [GeneratedRegex(@"^\t[0-9a-f]+\s+(\d+)\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex ImportLine();

    [GeneratedRegex(@"^\treloc\s+\d+ offset\s+[0-9a-f]+ \[([0-9a-f]+)\] (\S+)", RegexOptions.Multiline)]
    private static partial Regex RelocLine();

    [GeneratedRegex(@"^\t\[\s*\d+\] (\S+)$", RegexOptions.Multiline)]
    private static partial Regex ExportLine();

    [SkippableTheory]
    [MemberData(nameof(Fixtures))]
    public void MatchesObjdump(string arch, string file)
    {
        string tool = arch == "x86_64" ? "x86_64-w64-mingw32-objdump" : "i686-w64-mingw32-objdump";
        ExternalTool.Require(tool);

        string path = RepoPaths.TestData("windows", arch, file);
        var (code, output) = ExternalTool.Run(tool, "-p", path);
        Assert.Equal(0, code);
        using var opened = ModuleReader.Open(path);
        var m = opened.Modules[0];
        var pe = Assert.IsType<PeImageDetails>(m.ContainerDetails);

        Assert.Equal(pe.Subsystem, int.Parse(Field(output, "Subsystem"), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        Assert.Equal(pe.ImageBase, ulong.Parse(Field(output, "ImageBase"), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        Assert.Equal(pe.EntryPointRva, uint.Parse(Field(output, "AddressOfEntryPoint"), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        Assert.Equal(pe.CheckSum, uint.Parse(Field(output, "CheckSum"), NumberStyles.HexNumber, CultureInfo.InvariantCulture));

        // "DLL Name: X" then "\tvma  hint  name" lines up to the next blank line.
        var expectedImports = new List<string>();
        foreach (string block in output.Split("\tDLL Name: ")[1..])
        {
            string dll = block[..block.IndexOf('\n', StringComparison.Ordinal)];
            string members = block.Split("\n\n")[0];
            foreach (Match line in ImportLine().Matches(members))
            {
                // By-ordinal imports print as "<none>" with the ordinal in the hint column.
                expectedImports.Add($"{dll}!{line.Groups[2].Value} hint {int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture)}");
            }
        }

        var actualImports = pe.ImportedModules.SelectMany(d => d.Functions.Select(f => $"{d.Module}!{f.Name ?? "<none>"} hint {f.Ordinal ?? f.Hint}")).ToList();
        Assert.NotEmpty(expectedImports);
        Assert.Equal(expectedImports, actualImports);

        int exportTable = output.IndexOf("[Ordinal/Name Pointer] Table", StringComparison.Ordinal);
        var expectedExports = exportTable < 0 ? [] :
            ExportLine().Matches(output[exportTable..].Split("\n\n")[0]).Select(x => x.Groups[1].Value).ToList();
        Assert.Equal(expectedExports, m.Exports.Select(e => e.Name).ToList());

        var expectedRelocations = RelocLine().Matches(output)
            .Select(x => $"{ulong.Parse(x.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture):x} {x.Groups[2].Value}").ToList();
        var actualRelocations = m.RelocationSections.SelectMany(t => t.Relocations)
            .Select(r => $"{r.Offset:x} {RelocationNames.Describe(ContainerFormat.Pe, r)["IMAGE_REL_BASED_".Length..]}").ToList();
        Assert.NotEmpty(expectedRelocations);

        Assert.Equal(expectedRelocations, actualRelocations);
    }

    [GeneratedRegex(@"^\s+\d+ (\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", RegexOptions.Multiline)]
    private static partial Regex SectionLine();

    [SkippableTheory]
    [MemberData(nameof(Fixtures))]
    public void SectionsMatchObjdump(string arch, string file)
    {
        string tool = arch == "x86_64" ? "x86_64-w64-mingw32-objdump" : "i686-w64-mingw32-objdump";
        ExternalTool.Require(tool);

        string path = RepoPaths.TestData("windows", arch, file);
        var (code, output) = ExternalTool.Run(tool, "-h", path);
        Assert.Equal(0, code);
        using var opened = ModuleReader.Open(path);
        var m = opened.Modules[0];
        ulong imageBase = ((PeImageDetails)m.ContainerDetails!).ImageBase;

        // objdump -h: name, size, VMA (image base included), LMA, file offset (0 for .bss).
        var expected = SectionLine().Matches(output).Select(x =>
            $"{x.Groups[1].Value} size {ulong.Parse(x.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture):x} " +
            $"rva {ulong.Parse(x.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) - imageBase:x} " +
            $"off {ulong.Parse(x.Groups[4].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture):x}").ToList();
        var actual = m.Sections.Select(s => $"{s.Name} size {s.Size:x} rva {s.Address:x} off {s.FileOffset:x}").ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    private static string Field(string output, string name)
    {
        var match = Regex.Match(output, $@"^{name}\s+([0-9a-fA-F]+)", RegexOptions.Multiline);
        Assert.True(match.Success, $"objdump printed no {name}");
        return match.Groups[1].Value;
    }
}
