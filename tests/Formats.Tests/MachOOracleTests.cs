using System.Globalization;
using System.Numerics;
using System.Text.Json;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;
using LkmKit.Formats.PropertyLists;

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
        : file.Modules.Single(m => ((MachODetails)m.ContainerDetails!).ArchName == arch);

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

    /// <summary>llvm-objdump's short names of <c>r_type</c>, indexed by the type number.</summary>
    private static readonly Dictionary<MachineArchitecture, string[]> ObjdumpTypeNames = new()
    {
        [MachineArchitecture.X86_64] = ["UNSIGND", "SIGNED", "BRANCH", "GOT_LD", "GOT", "SUB", "SIGNED1", "SIGNED2", "SIGNED4", "TLV"],
        [MachineArchitecture.AArch64] = ["UNSIGND", "SUB", "BR26", "PAGE21", "PAGOF12", "GOTLDP", "GOTLDPOF", "PTRTGOT", "TLVLDP", "TLVLDPOF", "ADDEND"],
        [MachineArchitecture.X86] = ["VANILLA", "PAIR", "SECTDIF", "PBLAPTR", "LOCSDIF", "TLV"],
    };

    /// <summary>
    /// Every relocation record against <c>llvm-objdump --macho -r</c>: address, extern, scattered, target (symbol, or
    /// section ordinal and name), type, pcrel (for the kinds that say whether the place is PC-relative) and length.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Images))]
    public void RelocationsMatchLlvmObjdump(string file, string? arch)
    {
        ExternalTool.Require("llvm-objdump");

        string path = RepoPaths.TestData("kext", file);
        using var opened = ModuleReader.Open(path);
        var m = Module(opened, arch);
        string[] typeNames = ObjdumpTypeNames[m.Machine];

        // Fixed columns under "address  pcrel length extern type    scattered symbolnum/value"; one block per section,
        // in section order. The type column is 8 wide and runs into the next one for 8-letter names (GOTLDPOF).
        var expected = new List<(ulong Address, string Extern, bool Scattered, string Target, string Type, string PcRel, int Length)>();
        foreach (var line in Tool("llvm-objdump", arch, "--macho", "-r", path))
        {
            if (line.Length < 48 || !(line[..8].Trim() is var a && (a.Length == 0 || ulong.TryParse(a, NumberStyles.HexNumber, null, out _))) || line.StartsWith("address", StringComparison.Ordinal))
            {
                continue;
            }

            string type = line[29..37].Trim();
            // objdump prints no address for a PAIR (its r_address is 0 here).
            ulong address = line[..8].Trim() is { Length: > 0 } hex ? ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : 0;
            int length = line[15..22].Trim() switch { "byte" => 0, "word" => 1, "long" => 2, "quad" or "?( 3)" => 3, var other => throw new Xunit.Sdk.XunitException($"length {other}") };
            bool scattered = line[37..47].Trim() == "True";
            string target = type is "ADDEND" ? "addend" : scattered ? "" : line[47..].Trim();
            expected.Add((address, line[22..29].Trim(), scattered, target, type, line[9..15].Trim(), length));
        }

        int nlistCount = m.Symbols.Count - 1 - m.Sections.Count;
        var actual = new List<(ulong, string, bool, string, string, string, int)>();
        foreach (var table in m.RelocationSections.Where(t => t.TargetSectionIndex >= 0))
        {
            foreach (var r in table.Relocations)
            {
                bool scattered = (r.RawType & MachORelocationTypes.ScatteredFlag) != 0;
                uint type = r.RawType & 0xF;
                string target;
                string ext;
                if (r.Machine == MachineArchitecture.AArch64 && type == MachORelocationTypes.Arm64Addend)
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

                actual.Add((scattered && type == MachORelocationTypes.GenericPair ? 0 : r.Offset, ext, scattered, target,
                    type < typeNames.Length ? typeNames[type] : $"type {type}", "", BitOperations.Log2(r.Width) - 3));
            }
        }

        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var r = m.RelocationSections.Where(t => t.TargetSectionIndex >= 0).SelectMany(t => t.Relocations).ElementAt(i);
            // The model keeps pcrel in the kind: an UNSIGNED/VANILLA with pcrel set reads as PcRelative.
            string pcRel = r.Kind switch
            {
                RelocationKind.PcRelative or RelocationKind.Branch or RelocationKind.PageRelative => "True",
                RelocationKind.Absolute or RelocationKind.PageOffset => "False",
                _ => e.PcRel,
            };
            Assert.Equal(e, actual[i] with { Item6 = pcRel });
        }
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
        var actual = PropertyList.Parse(File.ReadAllBytes(path), path, "Info.plist", out _);
        var expected = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(expected, Convert(actual)), $"plistlib: {expected.ToJsonString()}\nours: {Convert(actual).ToJsonString()}");
    }

    private static System.Text.Json.Nodes.JsonNode Convert(object value) => value switch
    {
        PlistDictionary d => new System.Text.Json.Nodes.JsonObject { ["dict"] = new System.Text.Json.Nodes.JsonArray(
            d.OrderedKeys.Select(k => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonArray(k, Convert(d[k]))).ToArray()) },
        List<object> l => new System.Text.Json.Nodes.JsonObject { ["array"] = new System.Text.Json.Nodes.JsonArray(l.Select(Convert).ToArray()) },
        bool b => new System.Text.Json.Nodes.JsonObject { ["bool"] = b },
        PlistInteger n => new System.Text.Json.Nodes.JsonObject { ["int"] = n.Value },
        PlistData data => new System.Text.Json.Nodes.JsonObject { ["data"] = System.Convert.ToHexString(data.Bytes).ToLowerInvariant() },
        string s => new System.Text.Json.Nodes.JsonObject { ["string"] = s },
        _ => throw new InvalidOperationException(value.GetType().Name),
    };
}
