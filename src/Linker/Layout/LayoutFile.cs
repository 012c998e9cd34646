using System.Globalization;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Layout;

/// <summary>
/// An explicit layout: <c>NAME 0xADDRESS</c> per line (<c>#</c> starts a comment). Each line places the first
/// allocated section of that name not yet placed; unlisted allocated sections follow sequentially after the
/// highest listed one.
/// </summary>
internal sealed class LayoutFile : ILayoutPolicy
{
    private readonly IReadOnlyList<(string Name, ulong Address)> _entries;

    /// <summary>Creates the policy from parsed entries.</summary>
    public LayoutFile(IReadOnlyList<(string Name, ulong Address)> entries) => _entries = entries;

    /// <inheritdoc />
    public string Name => "file";

    /// <inheritdoc />
    public bool AllocatesCommons => true;

    /// <summary>Parses the layout file text; <paramref name="description"/> names it in errors.</summary>
    /// <exception cref="LinkException">A line is not <c>NAME 0xADDRESS</c>.</exception>
    public static LayoutFile Parse(string text, string description)
    {
        var entries = new List<(string, ulong)>();
        int lineNumber = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = raw;
            int hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }

            line = line.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            int space = line.LastIndexOfAny(' ', '\t');
            var addressText = space > 0 ? line[(space + 1)..] : default;
            if (space <= 0 || !addressText.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                || !ulong.TryParse(addressText[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong address))
            {
                throw new LinkException($"{description}:{lineNumber}: expected 'NAME 0xADDRESS', got '{raw}'");
            }

            entries.Add((line[..space].TrimEnd().ToString(), address));
        }

        return new LayoutFile(entries);
    }

    /// <inheritdoc />
    SectionLayout ILayoutPolicy.Lay(KernelModule module, LayoutRequest request)
    {
        var layout = new SectionLayout(module.Sections.Count);
        foreach (var (name, address) in _entries)
        {
            var section = module.Sections.FirstOrDefault(s => s.IsAllocated && s.Name == name && !layout.IsPlaced(s.Index))
                ?? throw new LinkException($"layout file names section '{name}', which the module has no (further) allocated section of");
            ulong alignment = request.AlignmentOf(section);
            if (alignment > 1 && address % alignment != 0)
            {
                throw new LinkException($"layout file places '{name}' at 0x{address:x}, not a multiple of its alignment {alignment}");
            }

            layout.Place(section.Index, address, request.SizeOf(section));
        }

        ulong cursor = _entries.Count == 0 ? request.Base : layout.End;
        foreach (var section in module.Sections)
        {
            if (section.IsAllocated && !layout.IsPlaced(section.Index))
            {
                cursor = SequentialLayout.PlaceNext(layout, section, cursor, request);
            }
        }

        return layout;
    }
}
