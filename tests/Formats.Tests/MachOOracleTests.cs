using System.Globalization;
using System.Text.Json;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>Sections, symbols and relocations of every Mach-O fixture against llvm-objdump / llvm-nm; Info.plist keys against Python's plistlib.</summary>
public class MachOOracleTests
{
    public static TheoryData<string, string?> Images => new()
    {
        { "objects/demokext.x86_64.o", null }, { "objects/demokext.arm64.o", null }, { "objects/demokext.i386.o", null },
        { "objects/plugin.x86_64.o", null }, { "objects/plugin.arm64e.o", null },
        { "objects/demokext.x86_64.bundle", null }, { "objects/demokext.arm64.bundle", null }, { "objects/plugin.x86_64.bundle", null },
        { "DemoKext.kext/Contents/MacOS/DemoKext", "x86_64" }, { "DemoKext.kext/Contents/MacOS/DemoKext", "i386" },
        { "DemoKext.kext/Contents/MacOS/DemoKext", "arm64" },
    };

    private static KernelModule Module(ModuleFile file, string? arch) => arch is null
        ? Assert.Single(file.Modules)
        : file.Modules.Single(m => ((KextDetails)m.Details!).MachO!.ArchName == arch);

    private static string[] Tool(string tool, string? arch, params string[] args)
    {
        var all = arch is null ? args : [$"--arch={arch}", .. args];
        var (code, output) = ExternalTool.Run(tool, all);
        Assert.Equal(0, code);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [SkippableTheory]
    [MemberData(nameof(Images))]
    public void SectionsMatchLlvmObjdump(string file, string? arch)
    {
        ExternalTool.Require("llvm-objdump");

        string path = RepoPaths.TestData("kext", file);
        // "  0 __text        00000046 0000000000000000 TEXT"
        var expected = Tool("llvm-objdump", arch, "--macho", "--section-headers", path)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 4 && int.TryParse(f[0], out _))
            .Select(f => (f[1], ulong.Parse(f[2], NumberStyles.HexNumber), ulong.Parse(f[3], NumberStyles.HexNumber)))
            .ToList();
        using var opened = ModuleReader.Open(path);
        var actual = Module(opened, arch).Sections.Select(s => (s.Name[(s.Name.IndexOf(',') + 1)..], s.Size, s.Address)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [SkippableTheory]
    [MemberData(nameof(Images))]
    public void SymbolsMatchLlvmNm(string file, string? arch)
    {
        ExternalTool.Require("llvm-nm");

        string path = RepoPaths.TestData("kext", file);
        // "-p -a": table order, stabs included. "0000000000000010 T _demo_start" or "                 U _IOLog".
        var expected = Tool("llvm-nm", arch, "-p", "-a", path).Where(l => !l.EndsWith(':')).Select(l =>
        {
            var parts = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            bool hasValue = !l.StartsWith(' ');
            return (Name: parts[^1], Value: hasValue ? ulong.Parse(parts[0], NumberStyles.HexNumber) : (ulong?)null, Undefined: !hasValue && parts[0] == "U");
        }).ToList();
        using var opened = ModuleReader.Open(path);
        var m = Module(opened, arch);
        bool objectFile = m.FileType == "OBJECT";
        int nlistCount = m.Symbols.Count - 1 - m.Sections.Count;
        var actual = m.Symbols.Skip(1).Take(nlistCount).Select(s => (Name: s.Name,
            Value: s.IsUndefined ? (ulong?)null : s.Value + (objectFile && s.SectionIndex >= 0 && s.Type != SymbolType.Debug ? m.Sections[s.SectionIndex].Address : 0),
            Undefined: s.IsUndefined)).ToList();
        Assert.Equal(expected.Select(e => e.Name), actual.Select(a => a.Name));
        Assert.Equal(expected.Select(e => e.Undefined), actual.Select(a => a.Undefined));
        Assert.Equal(expected.Where(e => e.Value is not null).Select(e => (e.Name, e.Value)), actual.Where(a => !a.Undefined).Select(a => (a.Name, a.Value)));
    }

    [SkippableTheory]
    [MemberData(nameof(Images))]
    public void RelocationsMatchLlvmObjdump(string file, string? arch)
    {
        ExternalTool.Require("llvm-objdump");

        string path = RepoPaths.TestData("kext", file);
        // "address  pcrel length extern type    scattered symbolnum/value"; one block per section, in section order.
        var expected = new List<(ulong Address, string Extern, bool Scattered, string Target)>();
        foreach (var line in Tool("llvm-objdump", arch, "--macho", "-r", path))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith(' ') && f.Length >= 6 && f[3] == "PAIR")
            {
                expected.Add((0, "n/a", true, "")); // objdump prints no address for a PAIR (its r_address is 0 here)
                continue;
            }

            if (f.Length >= 7 && ulong.TryParse(f[0], NumberStyles.HexNumber, null, out ulong address) && f[0].Length == 8)
            {
                // "?( 3)" splits into two fields for arm64 quads.
                int shift = f[2] == "?(" ? 1 : 0;
                string ext = f[3 + shift], type = f[4 + shift], scattered = f[5 + shift];
                string target = string.Join(' ', f.Skip(6 + shift));
                expected.Add((address, ext, scattered == "True", type == "ADDEND" ? "addend" : target));
            }
        }

        using var opened = ModuleReader.Open(path);
        var m = Module(opened, arch);
        int nlistCount = m.Symbols.Count - 1 - m.Sections.Count;
        var actual = new List<(ulong, string, bool, string)>();
        foreach (var table in m.RelocationSections.Where(t => t.TargetSectionIndex >= 0))
        {
            foreach (var r in table.Relocations)
            {
                bool scattered = (r.RawType & MachORelocationTypes.ScatteredFlag) != 0;
                string target;
                string ext;
                if (r.Machine == MachineArchitecture.AArch64 && r.RawType == 10)
                {
                    (ext, target) = ("False", "addend");
                }
                else if (scattered)
                {
                    (ext, target) = ("n/a", "");
                }
                else if (r.SymbolIndex >= 1 && r.SymbolIndex <= nlistCount)
                {
                    (ext, target) = ("True", m.Symbols[(int)r.SymbolIndex].Name);
                }
                else
                {
                    var section = m.Sections[m.Symbols[(int)r.SymbolIndex].SectionIndex];
                    (ext, target) = ("False", $"{section.Index + 1} ({section.Name})");
                }

                actual.Add((r.Offset, ext, scattered, target));
            }
        }

        Assert.Equal(expected.Select(e => (e.Address, e.Extern, e.Scattered, e.Scattered ? "" : e.Target)), actual);
    }

    public static TheoryData<string> Plists => new()
    {
        "DemoKext.kext/Contents/Info.plist", "DemoKext.kext/Contents/PlugIns/DemoPlugin.kext/Contents/Info.plist",
        "DemoKext.kext/Contents/PlugIns/DemoInjector.kext/Contents/Info.plist", "Codeless.kext/Contents/Info.plist",
        "MissingExec.kext/Contents/Info.plist",
    };

    [SkippableTheory]
    [MemberData(nameof(Plists))]
    public void InfoPlistMatchesPlistlib(string file)
    {
        ExternalTool.Require("python3");

        string path = RepoPaths.TestData("kext", file);
        const string script = "import plistlib,json,sys\n" +
            "def conv(v):\n" +
            "    if isinstance(v, dict): return {'dict': [[k, conv(x)] for k, x in v.items()]}\n" +
            "    if isinstance(v, list): return {'array': [conv(x) for x in v]}\n" +
            "    if isinstance(v, bool): return {'bool': v}\n" +
            "    if isinstance(v, int): return {'int': v}\n" +
            "    if isinstance(v, bytes): return {'data': v.hex()}\n" +
            "    return {'string': v}\n" +
            "print(json.dumps(conv(plistlib.load(open(sys.argv[1], 'rb')))))\n";
        var (code, output) = ExternalTool.Run("python3", "-c", script, path);
        Assert.Equal(0, code);
        var actual = PropertyList.Parse(File.ReadAllBytes(path), path, out _);
        var expected = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(expected, Convert(actual)), $"plistlib: {expected.ToJsonString()}\nours: {Convert(actual).ToJsonString()}");
    }

    private static System.Text.Json.Nodes.JsonNode Convert(object value) => value switch
    {
        PlistDictionary d => new System.Text.Json.Nodes.JsonObject { ["dict"] = new System.Text.Json.Nodes.JsonArray(
            d.OrderedKeys.Select(k => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonArray(k, Convert(d[k]))).ToArray()) },
        List<object> l => new System.Text.Json.Nodes.JsonObject { ["array"] = new System.Text.Json.Nodes.JsonArray(l.Select(Convert).ToArray()) },
        bool b => new System.Text.Json.Nodes.JsonObject { ["bool"] = b },
        long n => new System.Text.Json.Nodes.JsonObject { ["int"] = n },
        byte[] bytes => new System.Text.Json.Nodes.JsonObject { ["data"] = System.Convert.ToHexString(bytes).ToLowerInvariant() },
        string s => new System.Text.Json.Nodes.JsonObject { ["string"] = s },
        _ => throw new InvalidOperationException(value.GetType().Name),
    };
}
