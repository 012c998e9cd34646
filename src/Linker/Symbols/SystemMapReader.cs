using System.Text;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// Reads <c>nm</c>-format symbol lists: <c>System.map</c> (<c>ADDRESS TYPE NAME</c>) and <c>/proc/kallsyms</c>
/// (the same, with an optional <c>\t[module]</c> suffix naming the owning module).
/// </summary>
public static class SystemMapReader
{
    /// <summary>Checks and indexes the UTF-8 text <paramref name="utf8"/>; <paramref name="description"/> names the file in errors.</summary>
    /// <exception cref="LinkException">A line is not <c>ADDRESS TYPE NAME</c>.</exception>
    public static SystemMapSymbols Parse(ReadOnlyMemory<byte> utf8, string description) => new(utf8, description);

    /// <summary>Checks and indexes <paramref name="text"/>; <paramref name="description"/> names the file in errors.</summary>
    /// <exception cref="LinkException">A line is not <c>ADDRESS TYPE NAME</c>.</exception>
    public static SystemMapSymbols Parse(string text, string description) => new(Encoding.UTF8.GetBytes(text), description);
}
