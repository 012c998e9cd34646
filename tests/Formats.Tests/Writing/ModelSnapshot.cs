using System.Text;
using System.Text.Json;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests.Writing;

/// <summary>A text rendering of a module's model to compare a rewrite with its original (file offsets left out).</summary>
internal static class ModelSnapshot
{
    private static readonly uint[] GeneratedTypes = [ElfConstants.ShtSymTab, ElfConstants.ShtStrTab, ElfConstants.ShtRel, ElfConstants.ShtRela];

    public static string Containers(KernelModule m, bool withData = true)
    {
        var b = new StringBuilder();
        b.AppendLine($"{m.Container} {m.Machine} {m.RawMachine} {m.Bits} {m.FileType}");
        foreach (var s in m.Sections)
        {
            bool generated = GeneratedTypes.Contains(s.RawType);
            b.Append($"section {s.Index} {s.Name} {s.RawType} {s.TypeName} {s.RawFlags:x} {s.Address:x} {(s.RawType == ElfConstants.ShtStrTab ? "-" : s.Size)} ")
             .Append($"{s.Alignment} {s.EntrySize} {s.Link} {s.Info} {s.HasContents}");
            if (withData && !generated)
            {
                b.Append(' ').Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(s.Data.Span)));
            }

            b.AppendLine();
        }

        foreach (var s in m.Symbols)
        {
            b.AppendLine($"symbol {s.Index} {s.Name} {s.Value:x} {s.Size} {s.Binding} {s.Type} {s.Definition} {s.SectionIndex} {s.RawSectionIndex:x} {s.RawInfo:x} {s.RawOther:x}");
        }

        foreach (var t in m.RelocationSections)
        {
            b.AppendLine($"relocations {t.Index} {t.Name} {t.TargetSectionIndex} {t.SymbolTableIndex} {t.HasExplicitAddends} {t.Symbols?.Count}");
            foreach (var r in t.Relocations)
            {
                b.AppendLine($"  {r}");
            }
        }

        return b.ToString();
    }

    public static string Flavor(KernelModule m)
    {
        var b = new StringBuilder();
        b.AppendLine($"{m.Flavor} {m.Name} {m.Version} {m.Description} {m.TargetKernel}");
        b.AppendLine(string.Join(",", m.Authors) + "|" + string.Join(",", m.Licenses) + "|" + string.Join(",", m.Aliases) + "|" + string.Join(",", m.Firmware));
        b.AppendLine(string.Join("\n", m.Dependencies) + string.Join("\n", m.Parameters));
        b.AppendLine(string.Join("\n", m.Exports) + string.Join("\n", m.Imports) + string.Join("\n", m.EntryPoints));
        b.AppendLine(string.Join("\n", m.Metadata));
        b.AppendLine(string.Join("\n", m.Diagnostics));
        if (m.Details is { } details)
        {
            // ElfLength is where the file's sections end: layout, like the file offsets, not content.
            var json = JsonSerializer.Serialize(details, details.GetType(), new JsonSerializerOptions { WriteIndented = true });
            b.AppendLine(System.Text.RegularExpressions.Regex.Replace(json, "\"ElfLength\": \\d+", "\"ElfLength\": -"));
        }

        return b.ToString();
    }
}
