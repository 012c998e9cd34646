using System.Text.RegularExpressions;

namespace LkmKit.Linker.Indexing;

/// <summary>depmod.d configuration: <c>search</c>, <c>override</c>, <c>exclude</c> and <c>external</c> lines.</summary>
internal sealed class DepmodConfig
{
    /// <summary>Where depmod looks when no <c>-C</c> is given (kmod 30's defaults).</summary>
    public static readonly string[] DefaultPaths = ["/etc/depmod.d", "/run/depmod.d", "/usr/local/lib/depmod.d", "/lib/depmod.d"];

    /// <summary>Search entries in priority order; <c>null</c> stands for <c>built-in</c> (the kernel directory).</summary>
    public List<string?> Searches { get; } = [];
    /// <summary>Overrides as (module name, subdirectory relative to the module directory).</summary>
    public List<(string Module, string Subdirectory)> Overrides { get; } = [];
    /// <summary>Directory names never descended into.</summary>
    public HashSet<string> Excludes { get; } = new(StringComparer.Ordinal) { "build", "source" };
    /// <summary>External module directories (absolute), searched after the kernel directory.</summary>
    public List<string> Externals { get; } = [];

    public static DepmodConfig Load(IEnumerable<string> paths, string kernelRelease, Action<string> warn)
    {
        var config = new DepmodConfig();
        foreach (string file in ConfigFiles.List(paths))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException e)
            {
                warn($"could not open {file}: {e.Message}");
                continue;
            }

            foreach (var (number, line) in ConfigFiles.LogicalLines(text))
            {
                config.ParseLine(file, number, line, kernelRelease, warn);
            }
        }

        if (config.Searches.Count == 0)
        {
            config.Searches.Add(null);
        }

        return config;
    }

    private void ParseLine(string file, int number, string line, string kernelRelease, Action<string> warn)
    {
        var tokens = ConfigFiles.Tokens(line);
        if (tokens.Length == 0 || tokens[0].StartsWith('#'))
        {
            return;
        }

        switch (tokens[0])
        {
            case "search":
                foreach (string dir in tokens.Skip(1))
                {
                    Searches.Add(dir == "built-in" ? null : dir.TrimEnd('/'));
                }

                break;
            case "override" when tokens.Length >= 4:
                if (KernelMatches(tokens[2], kernelRelease))
                {
                    Overrides.Add((KmodNames.Underscores(tokens[1]), tokens[3].TrimEnd('/')));
                }

                break;
            case "exclude" when tokens.Length >= 2:
                foreach (string dir in tokens.Skip(1))
                {
                    Excludes.Add(dir);
                }

                break;
            case "external" when tokens.Length >= 3:
                if (KernelMatches(tokens[1], kernelRelease))
                {
                    Externals.AddRange(tokens.Skip(2));
                }

                break;
            case "include" or "make_map_files":
                break; // kmod says "not implemented yet" at INFO level, which depmod only prints with -vv
            default:
                warn($"{file}:{number}: ignoring bad line starting with '{tokens[0]}'");
                break;
        }
    }

    /// <summary>depmod matches a configured kernel version as <c>*</c> or an extended regular expression.</summary>
    private static bool KernelMatches(string pattern, string kernelRelease)
    {
        if (pattern == "*")
        {
            return true;
        }

        try
        {
            return Regex.IsMatch(kernelRelease, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
