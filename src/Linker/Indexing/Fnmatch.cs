namespace LkmKit.Linker.Indexing;

/// <summary>POSIX <c>fnmatch(pattern, text, 0)</c>: <c>*</c>, <c>?</c>, bracket expressions with ranges and
/// <c>!</c>/<c>^</c> negation, and backslash escapes; <c>/</c> and leading dots are ordinary characters.</summary>
internal static class Fnmatch
{
    /// <summary>True when <paramref name="pattern"/> matches all of <paramref name="text"/>.</summary>
    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length)
            {
                char c = pattern[p];
                if (c == '*')
                {
                    starP = ++p;
                    starT = t;
                    continue;
                }

                if (c == '?')
                {
                    p++;
                    t++;
                    continue;
                }

                if (c == '[' && TryMatchBracket(pattern, p, text[t], out int next, out bool matched))
                {
                    if (matched)
                    {
                        p = next;
                        t++;
                        continue;
                    }
                }
                else
                {
                    if (c == '\\' && p + 1 < pattern.Length)
                    {
                        c = pattern[++p];
                    }

                    if (c == text[t])
                    {
                        p++;
                        t++;
                        continue;
                    }
                }
            }

            if (starP < 0)
            {
                return false;
            }

            p = starP;
            t = ++starT;
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>True when the text holds a character fnmatch treats specially.</summary>
    public static bool HasWildcard(ReadOnlySpan<char> text) => text.IndexOfAny("*?[") >= 0;

    private static bool TryMatchBracket(ReadOnlySpan<char> pattern, int open, char ch, out int next, out bool matched)
    {
        int i = open + 1;
        bool negate = i < pattern.Length && pattern[i] is '!' or '^';
        if (negate)
        {
            i++;
        }

        bool found = false;
        bool firstItem = true;
        while (i < pattern.Length && (pattern[i] != ']' || firstItem))
        {
            firstItem = false;
            char lo = pattern[i];
            if (lo == '\\' && i + 1 < pattern.Length)
            {
                lo = pattern[++i];
            }

            char hi = lo;
            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                hi = pattern[i + 2];
                if (hi == '\\' && i + 3 < pattern.Length)
                {
                    hi = pattern[++i + 2];
                }

                i += 2;
            }

            if (ch >= lo && ch <= hi)
            {
                found = true;
            }

            i++;
        }

        if (i >= pattern.Length)
        {
            // No closing bracket: '[' is an ordinary character.
            next = open;
            matched = false;
            return false;
        }

        next = i + 1;
        matched = found != negate;
        return true;
    }
}
