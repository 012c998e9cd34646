using System.Text;

namespace LkmKit.Linker.Indexing;

/// <summary>
/// modprobe.d configuration as libkmod reads it: <c>alias</c>, <c>blacklist</c>, <c>options</c>, <c>install</c>,
/// <c>remove</c> and <c>softdep</c> lines from the configuration files (and the module directory's
/// <c>modules.softdep</c>), then <c>module.param=value</c> and <c>modprobe.blacklist=</c> from the kernel command line.
/// </summary>
internal sealed class ModprobeConfig
{
    /// <summary>Where modprobe looks when no <c>-C</c> is given (kmod 30's defaults).</summary>
    public static readonly string[] DefaultPaths = ["/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/lib/modprobe.d"];

    public List<(string Pattern, string Module)> Aliases { get; } = [];
    public List<string> Blacklist { get; } = [];
    public List<(string Module, string Options)> Options { get; } = [];
    public List<(string Pattern, string Command)> InstallCommands { get; } = [];
    public List<(string Pattern, string Command)> RemoveCommands { get; } = [];
    public List<(string Pattern, List<string> Pre, List<string> Post)> Softdeps { get; } = [];
    /// <summary>Complaints about bad lines, in kmod's words.</summary>
    public List<string> Errors { get; } = [];

    public static ModprobeConfig Load(IEnumerable<string> paths, string moduleDirectory, string? kernelCommandLine)
    {
        var config = new ModprobeConfig();
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["modules.softdep"] = Path.Combine(moduleDirectory, "modules.softdep"),
        };
        foreach (string path in paths)
        {
            AddFiles(path, files);
        }

        foreach (string file in files.Values)
        {
            string text;
            try
            {
                text = File.ReadAllText(file, Encoding.Latin1);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var (number, line) in ConfigFiles.LogicalLines(text))
            {
                config.ParseLine(file, number, line);
            }
        }

        if (kernelCommandLine is not null)
        {
            config.ParseKernelCommandLine(kernelCommandLine);
        }

        return config;
    }

    private static void AddFiles(string path, SortedDictionary<string, string> files)
    {
        if (File.Exists(path))
        {
            files.TryAdd(Path.GetFileName(path), path);
            return;
        }

        if (!Directory.Exists(path))
        {
            return;
        }

        foreach (string file in Directory.EnumerateFiles(path))
        {
            string name = Path.GetFileName(file);
            if (!name.StartsWith('.') && name.Length >= 6 && (name.EndsWith(".conf", StringComparison.Ordinal) || name.EndsWith(".alias", StringComparison.Ordinal)))
            {
                files.TryAdd(name, file);
            }
        }
    }

    private void ParseLine(string file, int number, string line)
    {
        if (line.Length == 0 || line[0] == '#')
        {
            return;
        }

        var reader = new TokenReader(line);
        string? command = reader.Next();
        if (command is null)
        {
            return;
        }

        bool ok = command switch
        {
            "alias" => reader.Next() is { } pattern && reader.Next() is { } module && Add(Aliases, (KmodNames.ConfigName(pattern), KmodNames.ConfigName(module))),
            "blacklist" => reader.Next() is { } module && Add(Blacklist, KmodNames.ConfigName(module)),
            "options" => reader.Next() is { } module && reader.Rest() is { } options && Add(Options, (KmodNames.ConfigName(module), options.Replace('\t', ' '))),
            "install" => reader.Next() is { } module && reader.Rest() is { } command2 && Add(InstallCommands, (KmodNames.ConfigName(module), command2)),
            "remove" => reader.Next() is { } module && reader.Rest() is { } command3 && Add(RemoveCommands, (KmodNames.ConfigName(module), command3)),
            "softdep" => reader.Next() is { } module && reader.Rest() is { } softdeps && Add(Softdeps, ParseSoftdep(KmodNames.ConfigName(module), softdeps)),
            "include" or "config" => Complain($"{file}: command {command} is deprecated and not parsed anymore"),
            _ => false,
        };
        if (!ok)
        {
            Errors.Add($"{file} line {number}: ignoring bad line starting with '{command}'");
        }
    }

    private bool Complain(string text)
    {
        Errors.Add(text);
        return true;
    }

    private static bool Add<T>(List<T> list, T item)
    {
        list.Add(item);
        return true;
    }

    private static (string, List<string>, List<string>) ParseSoftdep(string module, string text)
    {
        List<string> pre = [], post = [];
        List<string>? current = null;
        foreach (string token in text.Split([' ', '\t', '\n', '\r', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (token == "pre:")
            {
                current = pre;
            }
            else if (token == "post:")
            {
                current = post;
            }
            else
            {
                current?.Add(token);
            }
        }

        return (module, pre, post);
    }

    /// <summary>libkmod's reading of /proc/cmdline: <c>mod.param=value</c> becomes an option of <c>mod</c>.</summary>
    private void ParseKernelCommandLine(string commandLine)
    {
        int end = commandLine.IndexOf('\n');
        if (end >= 0)
        {
            commandLine = commandLine[..end];
        }

        foreach (string token in commandLine.Split(' '))
        {
            int dot = -1;
            bool isModule = true;
            for (int i = 0; i < token.Length; i++)
            {
                if (token[i] == '.' && dot < 0)
                {
                    dot = i;
                }
                else if (token[i] == '=' && dot < 0)
                {
                    isModule = false;
                }
            }

            if (!isModule || dot < 0)
            {
                continue;
            }

            string module = token[..dot], param = token[(dot + 1)..];
            if (module == "modprobe" && param.StartsWith("blacklist=", StringComparison.Ordinal))
            {
                Blacklist.AddRange(param["blacklist=".Length..].Split(','));
            }
            else
            {
                Options.Add((KmodNames.ConfigName(module), param));
            }
        }
    }

    /// <summary>strtok_r over spaces and tabs, then "the rest of the line" as strtok_r(NULL, "") returns it.</summary>
    private ref struct TokenReader(string line)
    {
        private int _at;

        public string? Next()
        {
            while (_at < line.Length && line[_at] is ' ' or '\t')
            {
                _at++;
            }

            if (_at >= line.Length)
            {
                return null;
            }

            int start = _at;
            while (_at < line.Length && line[_at] is not (' ' or '\t'))
            {
                _at++;
            }

            string token = line[start.._at];
            if (_at < line.Length)
            {
                _at++; // strtok_r consumes the delimiter that ended the token
            }

            return token;
        }

        public string? Rest()
        {
            if (_at >= line.Length)
            {
                return null;
            }

            string rest = line[_at..];
            _at = line.Length;
            return rest;
        }
    }
}
