namespace LkmKit.Linker;

/// <summary>A module cannot be linked: an unsupported or overflowing relocation, a refused symbol, a bad layout.</summary>
public class LinkException : Exception
{
    /// <summary>Creates the exception with a message that names what failed and where.</summary>
    public LinkException(string message) : base(message)
    {
    }
}

/// <summary>Symbols that no source defines, reported all at once as the kernel reports them one by one.</summary>
public sealed class UnresolvedSymbolsException : LinkException
{
    /// <summary>Creates the exception for <paramref name="module"/> and its unresolved <paramref name="names"/>.</summary>
    public UnresolvedSymbolsException(string module, IReadOnlyList<string> names)
        : base(string.Join('\n', names.Select(n => $"{module}: Unknown symbol {n}")))
    {
        Module = module;
        Names = names;
    }

    /// <summary>The module whose symbols stayed unresolved.</summary>
    public string Module { get; }

    /// <summary>The unresolved names, in symbol-table order.</summary>
    public IReadOnlyList<string> Names { get; }
}
