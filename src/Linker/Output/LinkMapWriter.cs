using System.Text;

namespace LkmKit.Linker.Output;

/// <summary>
/// The text link map: per module, <c>NAME 0xADDRESS 0xSIZE</c> per loaded section in address order, then every
/// symbol as <c>0xADDRESS NAME</c>, undefined ones followed by where they were resolved.
/// </summary>
internal static class LinkMapWriter
{
    /// <summary>Renders the map of <paramref name="image"/>.</summary>
    public static string Render(LinkedImage image)
    {
        var sb = new StringBuilder();
        int digits = image.Bits / 4;
        foreach (var module in image.Modules)
        {
            sb.Append("# module ").Append(module.Name).Append(" (").Append(module.RelocationCount).Append(" relocations");
            if (module.VeneerCount > 0)
            {
                sb.Append(", ").Append(module.VeneerCount).Append(" PLT veneers");
            }

            sb.Append(")\n# sections\n");
            foreach (var s in module.Sections)
            {
                sb.Append(s.Name).Append(" 0x").Append(s.Address.ToString("x" + digits)).Append(" 0x").Append(s.Size.ToString("x")).Append('\n');
            }

            sb.Append("# symbols\n");
            // A symbol table may name the same undefined symbol twice (each entry resolves alike): the first one speaks.
            var sources = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var resolution in module.Resolutions)
            {
                sources.TryAdd(resolution.Name, resolution.Source);
            }

            foreach (var sym in module.Symbols)
            {
                sb.Append("0x").Append(sym.Address.ToString("x" + digits)).Append(' ').Append(sym.Name);
                if (sources.TryGetValue(sym.Name, out var source) && sym.SectionIndex < 0)
                {
                    sb.Append(" [").Append(source).Append(']');
                }

                sb.Append('\n');
            }
        }

        return sb.ToString();
    }
}
