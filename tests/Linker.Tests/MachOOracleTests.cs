using System.Globalization;
using LkmKit.Formats;
using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.Tests;

/// <summary>
/// The reference linker for Mach-O: ld64.lld links each fixture object into an MH_EXECUTE (no PIE, classic dyld
/// opcodes, so the on-disk pointers are the link-time values) with every undefined symbol defined as an absolute
/// symbol; lkm then links the same object with every section at ld64.lld's address and the same symbol values, and
/// every section with contents must be byte-identical. (scripts/link-oracle-macho.sh does the same from the shell.)
/// ld64.lld cannot put an image above 2^63 (-pagezero_size is parsed as a signed number), so the comparison runs at
/// 0x1_0000_0000; GOT_LOAD fixtures are left out because ld64.lld relaxes them to LEA/ADD while lkm refuses them.
/// ld64.lld also applies an object's linker optimization hints (clang's LC_LINKER_OPTIMIZATION_HINT: ADRP+ADD becomes
/// ADR+NOP in demokext.arm64.o); kxld does not know them, so the reference link passes -ignore_optimization_hints.
/// </summary>
public class MachOOracleTests
{
    private const string Ld64 = "ld64.lld-16";
    private const ulong KernelSymbolBase = 0x100800000;

    public static TheoryData<string, string> Fixtures => new()
    {
        { "x86_64", "testdata/kext/objects/demokext.x86_64.o" },
        { "arm64", "testdata/kext/objects/demokext.arm64.o" },
        { "x86_64", "testdata/linker/macho/x86_64relocs.o" },
        { "x86_64", "testdata/linker/macho/x86_64subtractor.o" },
        { "arm64", "testdata/linker/macho/arm64relocs.o" },
        { "x86_64", "testdata/kext/objects/plugin.x86_64.o" },
        { "arm64", "testdata/kext/objects/plugin.arm64e.o" },
    };

    [SkippableTheory]
    [MemberData(nameof(Fixtures))]
    public void SectionsAreByteIdenticalToLd64Lld(string arch, string fixture)
    {
        ExternalTool.Require(Ld64, "llvm-mc");

        string dir = Directory.CreateTempSubdirectory("lkm-macho-oracle").FullName;
        try
        {
            string obj = Path.Combine(RepoPaths.Root, fixture);
            var (kernel, entry) = KernelFor(obj);
            string abs = Path.Combine(dir, "abs.s"), absObj = Path.Combine(dir, "abs.o"), image = Path.Combine(dir, "image");
            File.WriteAllText(abs, string.Concat(kernel.Select(k => $".globl {k.Name}\n.set {k.Name}, 0x{k.Address:x}\n")));
            Assert.Equal(0, ExternalTool.Run("llvm-mc", "-triple", $"{arch}-apple-macos11", "-filetype=obj", abs, "-o", absObj).ExitCode);
            var (code, _) = ExternalTool.Run(Ld64, "-arch", arch, "-platform_version", "macos", "11.0", "11.0", "-execute", "-no_pie",
                "-pagezero_size", "100000000", "-e", entry, "-no_fixup_chains", "-ignore_optimization_hints", "-o", image, obj, absObj);
            Assert.Equal(0, code);

            using var reference = ModuleReader.Open(image);
            var referenceSections = reference.Modules[0].Sections.ToDictionary(s => s.Name, StringComparer.Ordinal);
            using var input = ModuleReader.Open(obj);
            var module = input.Modules[0];
            var entries = module.Sections.Where(s => referenceSections.ContainsKey(s.Name)).Select(s => (s.Name, referenceSections[s.Name].Address)).ToList();
            var symbols = new KernelSymbols();
            symbols.Add(new KernelSymbolList("oracle", kernel));
            var linked = new ModuleLinker(symbols, new LinkOptions { Layout = new LayoutFile(entries) }).Link([module]).Modules[0];

            int compared = 0;
            foreach (var section in linked.Sections.Where(s => s.HasContents))
            {
                var expected = referenceSections[section.Name];
                Assert.Equal(expected.Address, section.Address);
                Assert.True(Hex(expected.Data.Span) == Hex(section.Data), $"{fixture} {section.Name}:\nld64.lld {Hex(expected.Data.Span)}\nlkm      {Hex(section.Data)}");
                compared++;
            }

            Assert.True(compared >= 2, $"only {compared} sections compared");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>An absolute address for each undefined symbol of the object, and a global code symbol to name as the entry.</summary>
    private static (List<KernelSymbol> Kernel, string Entry) KernelFor(string obj)
    {
        using var file = ModuleReader.Open(obj);
        var module = file.Modules[0];
        var names = module.Symbols.Where(s => s.Definition == SymbolDefinition.Undefined && s.Name.Length > 0).Select(s => s.Name).Distinct().ToList();
        var globals = module.Symbols.Where(s => s.Definition == SymbolDefinition.Section && s.Binding == SymbolBinding.Global).ToList();
        string entry = (globals.FirstOrDefault(s => module.Sections[s.SectionIndex].IsExecutable) ?? globals[0]).Name;
        return (names.Select((n, i) => new KernelSymbol(n, KernelSymbolBase + (ulong)i * 0x40, 'T')).ToList(), entry);
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);
}
