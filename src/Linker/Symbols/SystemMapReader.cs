using System.Text;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// Reads <c>nm</c>-format symbol lists: <c>System.map</c> (<c>ADDRESS TYPE NAME</c>) and <c>/proc/kallsyms</c>
/// (the same, with an optional <c>\t[module]</c> suffix naming the owning module).
/// </summary>
internal static class SystemMapReader
{
    /// <summary>The symbols of the UTF-8 text <paramref name="utf8"/>; <paramref name="description"/> names the file in errors (lines are checked on first use).</summary>
    public static SystemMapSymbols Parse(ReadOnlyMemory<byte> utf8, string description) => new(utf8, description);

    /// <summary>The symbols of <paramref name="text"/>; <paramref name="description"/> names the file in errors (lines are checked on first use).</summary>
    public static SystemMapSymbols Parse(string text, string description) => new(Encoding.UTF8.GetBytes(text), description);
}
