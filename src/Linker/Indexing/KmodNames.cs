namespace LkmKit.Linker.Indexing;

/// <summary>kmod's name rules: module names from paths, '-'/'_' folding, alias normalisation.</summary>
internal static class KmodNames
{
    /// <summary>The module name of a file: base name up to the first '.', every '-' as '_' (kmod path_to_modname).</summary>
    public static string ModuleNameFromPath(ReadOnlySpan<char> path)
    {
        int slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];
        int dot = name.IndexOf('.');
        return Underscores(dot >= 0 ? name[..dot] : name);
    }

    /// <summary>Every '-' as '_' (kmod modname_normalize).</summary>
    public static string Underscores(ReadOnlySpan<char> name) => name.ToString().Replace('-', '_');

    /// <summary>
    /// '-' as '_' outside bracket expressions (kmod alias_normalize); null when a bracket is unmatched.
    /// </summary>
    public static string? NormalizeAlias(string alias)
    {
        if (alias.AsSpan().IndexOfAny("-[]") < 0)
        {
            return alias;
        }

        var buffer = alias.ToCharArray();
        for (int i = 0; i < buffer.Length; i++)
        {
            switch (buffer[i])
            {
                case '-':
                    buffer[i] = '_';
                    break;
                case ']':
                    return null;
                case '[':
                    while (i < buffer.Length && buffer[i] != ']')
                    {
                        i++;
                    }

                    if (i == buffer.Length)
                    {
                        return null;
                    }

                    break;
            }
        }

        return new string(buffer);
    }

    /// <summary>
    /// kmod's <c>underscores()</c> for names read from configuration: '-' as '_' outside brackets; a bracket
    /// expression is copied as is; an unmatched bracket is tolerated.
    /// </summary>
    public static string ConfigName(string name)
    {
        var buffer = name.ToCharArray();
        for (int i = 0; i < buffer.Length; i++)
        {
            if (buffer[i] == '-')
            {
                buffer[i] = '_';
            }
            else if (buffer[i] == '[')
            {
                while (i < buffer.Length && buffer[i] != ']')
                {
                    i++;
                }
            }
        }

        return new string(buffer);
    }
}
