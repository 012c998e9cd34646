using System.Globalization;
using System.Text.RegularExpressions;
using LkmKit.Formats.AOut;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>
/// No reference reader for a.out is available here (Debian's binutils, even binutils-multiarch, is built without
/// a.out targets), so the a.out fixtures are checked against two independent records of the same assembly: NASM's
/// listing (<c>-l</c>), which marks every relocated field, and the ELF32 twin NASM builds from the same source.
/// </summary>
public partial class AOutOracleTests
{
    public static TheoryData<string> Fixtures =>
        ["mysys", "mydev", "mymisc", "myexec", "mycdev4", "nbvfs", "nb4misc", "nb4sys", "fbmisc", "fbsys", "fbvfs", "fbdev", "fbexec", "obmisc", "obsys", "obvfs", "obdev", "obexec"];

    private static string Fixture(string name) => RepoPaths.TestData("lkm", name);

    [GeneratedRegex(@"^\s*\d+\s+([0-9A-F]{8})\s+([0-9A-F\[\]\(\)]+)")]
    private static partial Regex ListingBytes();

    [GeneratedRegex(@"^\s*\d+\s+(<\d+>)?\s*section\s+\.(text|data|bss)\b")]
    private static partial Regex ListingSection();

    /// <summary>Relocated fields marked in a NASM listing: [..] for an absolute reference, (..) for a pc-relative one.</summary>
    private static List<(string Section, ulong Offset, int Width, bool PcRelative, long Shown)> ListingRelocations(string listing)
    {
        var result = new List<(string, ulong, int, bool, long)>();
        string section = "text";
        foreach (var line in File.ReadLines(listing))
        {
            var s = ListingSection().Match(line);
            if (s.Success)
            {
                section = s.Groups[2].Value;
                continue;
            }

            var m = ListingBytes().Match(line);
            if (!m.Success)
            {
                continue;
            }

            ulong offset = ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            string bytes = m.Groups[2].Value;
            int digits = 0;
            for (int i = 0; i < bytes.Length; i++)
            {
                char c = bytes[i];
                if (c is '[' or '(')
                {
                    int end = bytes.IndexOf(c == '[' ? ']' : ')', i);
                    string hex = bytes[(i + 1)..end];
                    var le = Convert.FromHexString(hex);
                    long shown = le.Length switch
                    {
                        1 => (sbyte)le[0],
                        2 => BitConverter.ToInt16(le),
                        _ => BitConverter.ToInt32(le),
                    };
                    result.Add((section, offset + (ulong)(digits / 2), hex.Length / 2, c == '(', shown));
                    digits += hex.Length;
                    i = end;
                }
                else
                {
                    digits++;
                }
            }
        }

        return result;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void RelocationsMatchTheNasmListing(string name)
    {
        var expected = ListingRelocations(Fixture(name + ".lst"));
        using var file = ModuleReader.Open(Fixture(name + ".o"));
        var m = file.Modules[0];
        var actual = new List<(string, ulong, int, bool, long)>();
        foreach (var table in m.RelocationSections)
        {
            foreach (var r in table.Relocations)
            {
                bool pcRelative = r.Kind == RelocationKind.PcRelative;
                long shown = r.Addend;
                if (r.SymbolIndex is >= 1 and <= 3)
                {
                    shown -= (long)m.Sections[(int)r.SymbolIndex - 1].Address; // the listing shows segment-relative values
                }

                actual.Add((m.Sections[table.TargetSectionIndex].Name.TrimStart('.'), r.Offset, r.Width / 8, pcRelative, pcRelative ? 0 : shown));
            }
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(e => (e.Section, e.Offset, e.Width, e.PcRelative, e.PcRelative ? 0 : e.Shown)).Order(), actual.Order());
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void RelocationsAndSymbolsMatchTheElfTwin(string name)
    {
        using var aoutFile = ModuleReader.Open(Fixture(name + ".o"));
        using var elfFile = ModuleReader.Open(Fixture(name + ".elf.o"));
        var a = aoutFile.Modules[0];
        var e = elfFile.Modules[0];
        ulong Base(int section) => a.Sections[section].Address;

        foreach (var (aoutTable, elfName) in new[] { (".rel.text", ".rel.text"), (".rel.data", ".rel.data") })
        {
            var at = a.RelocationSections.SingleOrDefault(t => t.Name == aoutTable);
            var et = e.RelocationSections.SingleOrDefault(t => t.Name == elfName);
            Assert.Equal(et?.Relocations.Count ?? 0, at?.Relocations.Count ?? 0);
            if (at is null || et is null)
            {
                continue;
            }

            for (int i = 0; i < at.Relocations.Count; i++)
            {
                var ar = at.Relocations[i];
                var er = et.Relocations[i];
                Assert.Equal(er.Offset, ar.Offset);
                Assert.Equal(er.Width, ar.Width);
                Assert.Equal(er.Kind, ar.Kind);
                var esym = e.Symbols[(int)er.SymbolIndex];
                var asym = a.Symbols[(int)ar.SymbolIndex];
                string elfTarget = esym.Type == SymbolType.Section ? e.Sections[esym.SectionIndex].Name : esym.Name;
                string aoutTarget = asym.Type == SymbolType.Section ? a.Sections[asym.SectionIndex].Name : asym.Name;
                Assert.Equal(elfTarget, aoutTarget);

                // a.out -> ELF addends (reference 2.11): segment-relative targets lose their segment base, pc-relative
                // fields gain the place's object address.
                long expected = ar.Addend;
                if (asym.Type == SymbolType.Section)
                {
                    expected -= (long)Base(asym.SectionIndex);
                }

                if (ar.Kind == RelocationKind.PcRelative)
                {
                    expected += (long)(Base(at.TargetSectionIndex) + ar.Offset);
                }

                Assert.Equal(er.Addend, expected);
            }
        }

        foreach (var sym in a.Symbols.Skip(AOutModelBuilder.FirstFileSymbol))
        {
            var twin = Assert.Single(e.Symbols, s => s.Name == sym.Name);
            Assert.Equal(twin.Definition, sym.Definition);
            Assert.Equal(twin.Binding, sym.Binding);
            if (sym.Definition == SymbolDefinition.Section)
            {
                Assert.Equal(e.Sections[twin.SectionIndex].Name, a.Sections[sym.SectionIndex].Name);
                Assert.Equal(twin.Value, sym.Value - Base(sym.SectionIndex));
            }
            else if (sym.Definition == SymbolDefinition.Common)
            {
                Assert.Equal(twin.Size, sym.Size);
            }
        }

        // Segment contents agree except where a relocation's in-place value differs, and NASM's a.out padding.
        foreach (var section in new[] { ".text", ".data" })
        {
            var aBytes = a.Sections.Single(s => s.Name == section).Data.ToArray();
            var eBytes = e.Sections.Single(s => s.Name == section).Data.ToArray();
            Assert.True(aBytes.Length >= eBytes.Length && aBytes.Length - eBytes.Length < 4);
            var places = a.RelocationSections.Where(t => a.Sections[t.TargetSectionIndex].Name == section)
                .SelectMany(t => t.Relocations).SelectMany(r => Enumerable.Range((int)r.Offset, r.Width / 8)).ToHashSet();
            for (int i = 0; i < eBytes.Length; i++)
            {
                if (!places.Contains(i))
                {
                    Assert.True(aBytes[i] == eBytes[i], $"{section} byte 0x{i:x} differs");
                }
            }

            Assert.All(aBytes.Skip(eBytes.Length), b => Assert.Equal(0x90, b));
        }
    }
}
