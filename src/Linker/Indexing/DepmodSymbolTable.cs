using System.Globalization;

namespace LkmKit.Linker.Indexing;

/// <summary>depmod's symbol table: kernel symbols (owner null) and module exports; a later export replaces an earlier one.</summary>
internal sealed class DepmodSymbolTable
{
    private static readonly string[] FakeKernelSymbols = ["__this_module", "_GLOBAL_OFFSET_TABLE_", "TOC."];

    internal readonly record struct Entry(string Name, ulong Crc, DepmodModule? Owner);

    private readonly Dictionary<string, Entry> _entries;
    private readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    private readonly char _prefix;

    /// <param name="prefix">depmod's <c>-P</c> character, dropped from the front of names; '\0' for none.</param>
    public DepmodSymbolTable(char prefix = '\0')
    {
        _prefix = prefix;
        _entries = new(StringComparer.Ordinal);
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Adds (or replaces) a symbol; its name loses the architecture prefix unless <paramref name="prefixSkipped"/>.</summary>
    public void Add(string name, ulong crc, DepmodModule? owner, bool prefixSkipped = false)
    {
        if (!prefixSkipped && _prefix != '\0' && name.StartsWith(_prefix))
        {
            name = name[1..];
        }

        _entries[name] = new Entry(name, crc, owner);
    }

    public bool TryFind(ReadOnlySpan<char> name, out Entry entry)
    {
        if (name.StartsWith('.'))
        {
            name = name[1..];
        }

        if (_prefix != '\0' && name.StartsWith(_prefix))
        {
            name = name[1..];
        }

        return _bySpan.TryGetValue(name, out entry);
    }

    /// <summary>The entries in kmod hash iteration order (2048 buckets), which modules.symbols follows.</summary>
    public List<Entry> InIterationOrder()
    {
        var list = _entries.Values.ToList();
        KmodHash.SortInIterationOrder(list, e => e.Name, 2048);
        return list;
    }

    /// <summary>Loads the <c>__ksymtab_</c> names of a System.map as kernel symbols.</summary>
    public void LoadSystemMap(string path, Action<DepmodMessage> report)
    {
        const string prefix = "__ksymtab_";
        int number = 0;
        foreach (string line in File.ReadLines(path, System.Text.Encoding.Latin1))
        {
            number++;
            int first = line.IndexOf(' ');
            int second = first < 0 ? -1 : line.IndexOf(' ', first + 1);
            if (second < 0)
            {
                report(new(DepmodMessageKind.Error, $"{path}:{number}: invalid line: {line}"));
                continue;
            }

            var name = line.AsSpan(second + 1);
            if (_prefix != '\0' && name.StartsWith(_prefix))
            {
                name = name[1..];
            }

            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                Add(name[prefix.Length..].ToString(), 0, null, prefixSkipped: true);
            }
        }

        AddFakeSymbols();
    }

    /// <summary>Loads the vmlinux entries of a Module.symvers (CRC, name) as kernel symbols.</summary>
    public void LoadModuleSymvers(string path, Action<DepmodMessage> report)
    {
        int number = 0;
        foreach (string line in File.ReadLines(path, System.Text.Encoding.Latin1))
        {
            number++;
            var fields = ConfigFiles.Tokens(line);
            if (fields.Length < 3 || fields[2] != "vmlinux")
            {
                continue;
            }

            string version = fields[0];
            var digits = version.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? version.AsSpan(2) : version.AsSpan();
            if (!ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong crc))
            {
                report(new(DepmodMessageKind.Error, $"{path}:{number} Invalid symbol version {version}: Invalid argument"));
                continue;
            }

            Add(fields[1], crc, null);
        }

        AddFakeSymbols();
    }

    private void AddFakeSymbols()
    {
        foreach (string name in FakeKernelSymbols)
        {
            Add(name, 0, null, prefixSkipped: true);
        }
    }
}
