using System.Globalization;
using System.Text;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Output;

/// <summary>What <c>lkm dump</c> shows.</summary>
/// <param name="Sections">The section table.</param>
/// <param name="Symbols">The symbol table.</param>
/// <param name="Relocations">Every relocation table.</param>
public readonly record struct DumpParts(bool Sections, bool Symbols, bool Relocations);

/// <summary>A readelf-like text view of a module's container, through the common model.</summary>
public static class DumpText
{
    /// <summary>Text is handed to the writer in chunks of about this many characters, so a huge table never sits in memory whole.</summary>
    private const int ChunkCharacters = 1 << 16;

    /// <summary>Renders the chosen parts of <paramref name="module"/> as one string (small modules, tests).</summary>
    public static string Render(string path, KernelModule module, DumpParts parts)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        Write(output, path, module, parts);
        return output.ToString();
    }

    /// <summary>Writes the chosen parts of <paramref name="module"/> to <paramref name="output"/> as they are read.</summary>
    public static void Write(TextWriter output, string path, KernelModule module, DumpParts parts)
    {
        var text = new StringBuilder(4096);
        text.Append(CultureInfo.InvariantCulture, $"File: {path}\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Format: {Names.Container(module.Container)} {module.FileType}, {Names.Machine(module)}, {module.Bits}-bit {(module.ByteOrder == ByteOrder.LittleEndian ? "little" : "big")}-endian, flavor {Names.Flavor(module.Flavor)}\n");
        if (parts.Sections)
        {
            AppendSections(text, output, module);
        }

        if (parts.Symbols)
        {
            AppendSymbols(text, output, module);
        }

        if (parts.Relocations)
        {
            AppendRelocations(text, output, module);
        }

        output.Write(text);
    }

    /// <summary>Hands the text gathered so far to the writer once it is large.</summary>
    private static void FlushIfLarge(StringBuilder text, TextWriter output)
    {
        if (text.Length >= ChunkCharacters)
        {
            output.Write(text);
            text.Clear();
        }
    }

    private static void AppendSections(StringBuilder text, TextWriter output, KernelModule module)
    {
        text.Append(CultureInfo.InvariantCulture, $"\nSection Headers ({module.Sections.Count}):\n");
        text.Append("  [Nr] Name                           Type             Address          Off      Size     ES Flg Lk Inf Al\n");
        foreach (var s in module.Sections)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"  [{s.Index,2}] {s.Name,-30} {s.TypeName,-16} {s.Address:x16} {s.FileOffset:x8} {s.Size:x8} {s.EntrySize:x2} {FlagLetters(module, s),3} {s.Link,2} {s.Info,3} {s.Alignment,2}\n");
            FlushIfLarge(text, output);
        }
    }

    private static string FlagLetters(KernelModule module, ModuleSection s) =>
        module.Container == ContainerFormat.Elf ? ElfNames.SectionFlags(s.RawFlags) : $"{s.RawFlags:x}";

    private static void AppendSymbols(StringBuilder text, TextWriter output, KernelModule module)
    {
        text.Append(CultureInfo.InvariantCulture, $"\nSymbol table contains {module.Symbols.Count} entries:\n");
        text.Append("   Num:    Value          Size Type    Bind   Ndx Name\n");
        foreach (var s in module.Symbols)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{s.Index,6}: {s.Value:x16} {s.Size,5} {Names.SymbolType(s.Type),-7} {Names.Binding(s.Binding),-6} {SectionLabel(s),3} {s.Name}\n");
            FlushIfLarge(text, output);
        }
    }

    private static string SectionLabel(ModuleSymbol s) => s.Definition switch
    {
        SymbolDefinition.Undefined => "UND",
        SymbolDefinition.Absolute => "ABS",
        SymbolDefinition.Common => "COM",
        SymbolDefinition.Section => s.SectionIndex.ToString(CultureInfo.InvariantCulture),
        _ => $"0x{s.RawSectionIndex:x}",
    };

    private static void AppendRelocations(StringBuilder text, TextWriter output, KernelModule module)
    {
        foreach (var table in module.RelocationSections)
        {
            string target = table.TargetSectionIndex >= 0 && table.TargetSectionIndex < module.Sections.Count
                ? module.Sections[table.TargetSectionIndex].Name : "(image)";
            text.Append(CultureInfo.InvariantCulture,
                $"\nRelocation section '{table.Name}' for '{target}' contains {table.Relocations.Count} entries:\n");
            text.Append("    Offset           Type                           Kind           Width Symbol + Addend\n");
            foreach (var r in table.Relocations)
            {
                string type = RelocationNames.Describe(module.Container, r);
                string symbol = SymbolLabel(module, table, r);
                string addend = r.Addend < 0 ? $"- {(ulong)-r.Addend:x}" : $"+ {r.Addend:x}";
                text.Append(CultureInfo.InvariantCulture,
                    $"    {r.Offset:x16} {type,-30} {Names.RelocationKind(r.Kind),-14} {r.Width,5} {symbol} {addend}{(r.AddendIsImplicit ? " (implicit)" : "")}\n");
                FlushIfLarge(text, output);
            }
        }
    }

    /// <summary>The name a relocation's symbol is shown by: its name, or its section's name for section symbols.</summary>
    public static string SymbolLabel(KernelModule module, ModuleRelocationSection table, ModuleRelocation r)
    {
        var symbols = table.Symbols ?? module.Symbols;
        if (r.SymbolIndex == 0 || table.SymbolTableIndex <= 0 || r.SymbolIndex >= symbols.Count)
        {
            return "*ABS*";
        }

        var symbol = symbols[(int)r.SymbolIndex];
        if (symbol.Name.Length == 0 && symbol.Type == SymbolType.Section && symbol.SectionIndex >= 0)
        {
            return module.Sections[symbol.SectionIndex].Name;
        }

        return symbol.Name;
    }
}
