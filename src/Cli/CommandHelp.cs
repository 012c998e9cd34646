namespace LkmKit.Cli;

/// <summary>
/// A command's help text: what it does and an example of its use, kept in the command's own file so that
/// <c>lkm --help</c> lists, for every command that exists, what it does and how to call it.
/// </summary>
public static class CommandHelp
{
    /// <summary>The description <paramref name="what"/> followed by one "e.g." line per example.</summary>
    public static string Describe(string what, params string[] examples) =>
        string.Concat(what, string.Concat(examples.Select(e => $"\n  e.g. {e}")));
}
