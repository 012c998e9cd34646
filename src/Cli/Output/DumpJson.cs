using System.Text.Json;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Output;

/// <summary>A JSON view of a module's container: one object per module per line.</summary>
public static class DumpJson
{
    /// <summary>Renders the chosen parts of <paramref name="module"/> as one JSON line (small modules, tests).</summary>
    public static string Render(string path, KernelModule module, DumpParts parts)
    {
        using var output = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Write(output, path, module, parts);
        return output.ToString();
    }

    /// <summary>Writes the chosen parts of <paramref name="module"/> as one JSON line to <paramref name="output"/> as they are read.</summary>
    public static void Write(TextWriter output, string path, KernelModule module, DumpParts parts)
    {
        ReadAhead(module, parts);
        using var line = new JsonLineStream(output);
        var w = line.Writer;
        w.WriteStartObject();
        ModuleJson.WriteIdentity(w, path, module);
        if (parts.Sections)
        {
            WriteSections(line, module);
        }

        if (parts.Symbols)
        {
            WriteSymbols(line, module);
        }

        if (parts.Relocations)
        {
            WriteRelocations(line, module);
        }

        w.WriteEndObject();
        line.Complete();
    }

    /// <summary>
    /// Reads everything the line will show before a byte of it is written: the lazy tables decode on access and a bad
    /// entry throws, and a line cut off in the middle would not be JSON. The relocations are decoded twice (they are not
    /// kept), the price of never printing half a line.
    /// </summary>
    private static void ReadAhead(KernelModule module, DumpParts parts)
    {
        if (parts.Sections || parts.Relocations)
        {
            _ = module.Sections.Count;
        }

        if (parts.Symbols || parts.Relocations)
        {
            _ = module.Symbols.Count;
        }

        if (parts.Relocations)
        {
            foreach (var table in module.RelocationSections)
            {
                foreach (var r in table.Relocations)
                {
                    _ = DumpText.SymbolLabel(module, table, r);
                }
            }
        }
    }

    private static void WriteSections(JsonLineStream line, KernelModule module)
    {
        var w = line.Writer;
        w.WriteStartArray("sections");
        foreach (var s in module.Sections)
        {
            w.WriteStartObject();
            w.WriteNumber("index", s.Index);
            w.WriteString("name", s.Name);
            w.WriteString("type", s.TypeName);
            w.WriteString("flags", module.Container == ContainerFormat.Elf ? ElfNames.SectionFlags(s.RawFlags) : $"0x{s.RawFlags:x}");
            w.WriteString("address", $"0x{s.Address:x}");
            w.WriteNumber("offset", s.FileOffset);
            w.WriteNumber("size", s.Size);
            w.WriteNumber("align", s.Alignment);
            w.WriteNumber("entrySize", s.EntrySize);
            w.WriteNumber("link", s.Link);
            w.WriteNumber("info", s.Info);
            w.WriteEndObject();
            line.FlushIfLarge();
        }

        w.WriteEndArray();
    }

    private static void WriteSymbols(JsonLineStream line, KernelModule module)
    {
        var w = line.Writer;
        w.WriteStartArray("symbols");
        foreach (var s in module.Symbols)
        {
            w.WriteStartObject();
            w.WriteNumber("index", s.Index);
            w.WriteString("name", s.Name);
            w.WriteString("value", $"0x{s.Value:x}");
            w.WriteNumber("size", s.Size);
            w.WriteString("type", Names.SymbolType(s.Type));
            w.WriteString("binding", Names.Binding(s.Binding));
            w.WriteString("definition", s.Definition.ToString().ToLowerInvariant());
            w.WriteNumber("section", s.SectionIndex);
            w.WriteEndObject();
            line.FlushIfLarge();
        }

        w.WriteEndArray();
    }

    private static void WriteRelocations(JsonLineStream line, KernelModule module)
    {
        var w = line.Writer;
        w.WriteStartArray("relocationSections");
        foreach (var table in module.RelocationSections)
        {
            w.WriteStartObject();
            w.WriteString("name", table.Name);
            w.WriteNumber("index", table.Index);
            w.WriteNumber("target", table.TargetSectionIndex);
            w.WriteBoolean("explicitAddends", table.HasExplicitAddends);
            w.WriteNumber("count", table.Relocations.Count);
            w.WriteStartArray("relocations");
            foreach (var r in table.Relocations)
            {
                w.WriteStartObject();
                w.WriteString("offset", $"0x{r.Offset:x}");
                w.WriteString("type", RelocationNames.Describe(module.Container, r));
                w.WriteNumber("rawType", r.RawType);
                w.WriteString("kind", Names.RelocationKind(r.Kind));
                w.WriteNumber("width", r.Width);
                w.WriteNumber("symbol", r.SymbolIndex);
                w.WriteString("symbolName", DumpText.SymbolLabel(module, table, r));
                w.WriteNumber("addend", r.Addend);
                w.WriteEndObject();
                line.FlushIfLarge();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
