using System.Globalization;
using System.Text.RegularExpressions;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>Checks the pointers resolved through relocations against binutils' readelf on the BSD fixtures.</summary>
public partial class BsdOracleTests
{
    public static TheoryData<string, string> FreeBsdFiles => new()
    {
        { "amd64", "fbsd_demo.ko" }, { "amd64", "fbsd_user.ko" }, { "i386", "fbsd_demo.ko" }, { "i386", "fbsd_user.ko" },
        { "i386", "kld/fbsd_demo.kld" }, { "i386", "kld/fbsd_user.kld" },
    };

    /// <summary>(name → value) of the .symtab symbols readelf lists.</summary>
    private static Dictionary<string, ulong> ReadelfSymbols(string file)
    {
        var (code, text) = ExternalTool.Run("readelf", "-W", "-s", file);
        Assert.Equal(0, code);
        var result = new Dictionary<string, ulong>();
        bool inSymtab = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("Symbol table", StringComparison.Ordinal))
            {
                inSymtab = line.Contains("'.symtab'", StringComparison.Ordinal);
                continue;
            }

            var m = SymbolLine().Match(line);
            if (inSymtab && m.Success)
            {
                result.TryAdd(m.Groups[2].Value, ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }

        return result;
    }

    [SkippableTheory]
    [MemberData(nameof(FreeBsdFiles))]
    public void EverySetEntryPointsWhereReadelfSaysTheRecordIs(string arch, string file)
    {
        ExternalTool.Require("readelf");

        string path = BsdFixtureTests.FreeBsd(arch, file);
        var symbols = ReadelfSymbols(path);
        using var opened = ModuleReader.Open(path);
        var details = (FreeBsdModuleDetails)opened.Modules[0].Details!;
        ulong set = opened.Modules[0].Sections.Single(s => s.Name == FreeBsdMetadataReader.SetSection).Address;
        int pointer = opened.Modules[0].Bits / 8;
        // Slot i of the set is the static pointer __set_modmetadata_set_sym_<record>; the record is the object <record>.
        var expected = symbols.Where(p => p.Key.StartsWith("__set_modmetadata_set_sym_", StringComparison.Ordinal))
            .OrderBy(p => p.Value)
            .Select(p => symbols[p.Key["__set_modmetadata_set_sym_".Length..]])
            .ToList();
        Assert.Equal(details.Records.Count, expected.Count);
        Assert.Equal(expected, details.Records.Select(r => r.Address));
        Assert.Equal(Enumerable.Range(0, expected.Count).Select(i => set + (ulong)(i * pointer)),
            symbols.Where(p => p.Key.StartsWith("__set_modmetadata_set_sym_", StringComparison.Ordinal)).Select(p => p.Value).Order());

        // Each MDT_MODULE handler address is where readelf puts the handler function.
        foreach (var record in details.Records.Where(r => r.Module is not null))
        {
            Assert.Equal(symbols[record.Module!.Handler!], record.Module.HandlerAddress);
        }
    }

    [SkippableTheory]
    [InlineData("amd64")]
    [InlineData("i386")]
    public void NetBsdModinfoAndModcmdAreWhereReadelfSays(string arch)
    {
        ExternalTool.Require("readelf");

        foreach (var name in new[] { "nbsd_base", "nbsd_demo", "nbsd_empty_req" })
        {
            string path = BsdFixtureTests.NetBsd(arch, name + ".kmod");
            var symbols = ReadelfSymbols(path);
            using var opened = ModuleReader.Open(path);
            var module = opened.Modules[0];
            var details = (NetBsdModuleDetails)module.Details!;
            Assert.Equal(name == "nbsd_empty_req" ? "nbsd_secdemo_modinfo" : name + "_modinfo", details.ModinfoSymbol);
            Assert.Equal(symbols[details.ModuleCommand!], Assert.Single(module.EntryPoints).Address);
        }
    }

    [GeneratedRegex(@"^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+\w+\s+\w+\s+\w+\s+\S+\s+(\S+)$")]
    private static partial Regex SymbolLine();
}
