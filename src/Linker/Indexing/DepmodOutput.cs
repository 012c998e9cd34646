using System.Text;

namespace LkmKit.Linker.Indexing;

/// <summary>Renders depmod's output files from the ordered modules and the symbol table.</summary>
internal static class DepmodOutput
{
    public static List<DepmodFile> Build(string directory, List<DepmodModule> modules, DepmodSymbolTable symbols, bool textOnly, Action<DepmodMessage> report)
    {
        var depLines = modules.Select(DepLine).ToList();
        var symbolEntries = symbols.InIterationOrder().Where(e => e.Owner is not null).ToList();
        var messages = new List<DepmodMessage>[4];
        for (int i = 0; i < messages.Length; i++)
        {
            messages[i] = [];
        }

        // The files are independent: build them on all cores, report their messages in depmod's order afterwards.
        Func<DepmodFile>[] builders = textOnly
            ?
            [
                () => Text("modules.dep", depLines.Select(line => line + "\n")),
                () => Aliases(modules), () => Softdeps(modules), () => Symbols(symbolEntries),
                () => Text("modules.devname", DevnameLines(modules, messages[3].Add)),
            ]
            :
            [
                () => Text("modules.dep", depLines.Select(line => line + "\n")),
                () => Binary("modules.dep.bin", index =>
                {
                    for (int i = 0; i < modules.Count; i++)
                    {
                        index.Insert(modules[i].Name, depLines[i], (uint)modules[i].Index);
                    }
                }),
                () => Aliases(modules),
                () => AliasIndex(modules, messages[0].Add),
                () => Softdeps(modules),
                () => Symbols(symbolEntries),
                () => Binary("modules.symbols.bin", index =>
                {
                    foreach (var entry in symbolEntries)
                    {
                        index.Insert("symbol:" + entry.Name, entry.Owner!.Name, (uint)entry.Owner.Index);
                    }
                }),
                () => BuiltinIndex(directory, messages[1].Add),
                () => BuiltinAliasIndex(directory, messages[2].Add),
                () => Text("modules.devname", DevnameLines(modules, messages[3].Add)),
            ];
        var files = new DepmodFile[builders.Length];
        Parallel.For(0, builders.Length, i => files[i] = builders[i]());
        foreach (var message in messages.SelectMany(m => m))
        {
            report(message);
        }

        return [.. files];
    }

    private static DepmodFile AliasIndex(List<DepmodModule> modules, Action<DepmodMessage> report) => Binary("modules.alias.bin", index =>
    {
        foreach (var module in modules)
        {
            foreach (string alias in module.ModinfoValues("alias"))
            {
                if (KmodNames.NormalizeAlias(alias) is { } key)
                {
                    index.Insert(key, module.Name, (uint)module.Index);
                }
                else
                {
                    report(new(DepmodMessageKind.Warning, $"Unmatched bracket in {alias}"));
                }
            }
        }
    });

    private static DepmodFile Aliases(List<DepmodModule> modules) =>
        Text("modules.alias", Header("# Aliases extracted from modules themselves.\n",
            modules.SelectMany(m => m.ModinfoValues("alias").Select(alias => $"alias {alias} {m.Name}\n"))));

    private static DepmodFile Softdeps(List<DepmodModule> modules) =>
        Text("modules.softdep", Header("# Soft dependencies extracted from modules themselves.\n",
            modules.SelectMany(m => m.ModinfoValues("softdep").Select(value => $"softdep {m.Name} {value}\n"))));

    private static DepmodFile Symbols(List<DepmodSymbolTable.Entry> entries) =>
        Text("modules.symbols", Header("# Aliases for symbols, used by symbol_request().\n",
            entries.Select(e => $"alias symbol:{e.Name} {e.Owner!.Name}\n")));

    private static string DepLine(DepmodModule module)
    {
        var line = new StringBuilder(module.OutputPath).Append(':');
        if (module.Dependencies.Count > 0)
        {
            foreach (var dependency in DepmodOrdering.AllDependencies(module))
            {
                line.Append(' ').Append(dependency.OutputPath);
            }
        }

        return line.ToString();
    }

    private static IEnumerable<string> Header(string header, IEnumerable<string> lines) => lines.Prepend(header);

    private static DepmodFile Text(string name, IEnumerable<string> lines)
    {
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            text.Append(line);
        }

        return new DepmodFile(name, Encoding.Latin1.GetBytes(text.ToString()), IsText: true);
    }

    private static DepmodFile Binary(string name, Action<KmodIndexWriter> fill)
    {
        var index = new KmodIndexWriter();
        fill(index);
        return new DepmodFile(name, index.ToArray(), IsText: false);
    }

    private static DepmodFile BuiltinIndex(string directory, Action<DepmodMessage> report)
    {
        const string name = "modules.builtin.bin";
        string? text = ReadInput(directory, "modules.builtin", report);
        if (text is null)
        {
            return new DepmodFile(name, [], IsText: false);
        }

        return Binary(name, index =>
        {
            var lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                bool terminated = i < lines.Length - 1;
                if (!terminated && line.Length == 0)
                {
                    break;
                }

                if (line.Length == 0 || !char.IsAsciiLetter(line[0]))
                {
                    // depmod prints the line with its own newline, then one more.
                    report(new(DepmodMessageKind.Error, $"Invalid modules.builtin line: {line}{(terminated ? "\n" : "")}"));
                    continue;
                }

                index.Insert(KmodNames.ModuleNameFromPath(line), "", 0);
            }
        });
    }

    private static DepmodFile BuiltinAliasIndex(string directory, Action<DepmodMessage> report)
    {
        const string name = "modules.builtin.alias.bin";
        string? text = ReadInput(directory, "modules.builtin.modinfo", report);
        if (text is null)
        {
            return new DepmodFile(name, [], IsText: false);
        }

        return Binary(name, index =>
        {
            foreach (string record in text.Split('\0'))
            {
                int dot = record.IndexOf('.');
                int equals = dot < 0 ? -1 : record.IndexOf('=', dot + 1);
                if (equals < 0 || record.AsSpan(dot + 1, equals - dot - 1) is not "alias")
                {
                    continue;
                }

                string value = record[(equals + 1)..];
                if (KmodNames.NormalizeAlias(value) is { } alias)
                {
                    index.Insert(alias, record[..dot], 0);
                }
                else
                {
                    report(new(DepmodMessageKind.Warning, $"Unmatched bracket in {value}"));
                }
            }
        });
    }

    private static string? ReadInput(string directory, string name, Action<DepmodMessage> report)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, name), Encoding.Latin1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report(new(DepmodMessageKind.Warning, $"could not open {name} at {directory.TrimEnd('/')}: No such file or directory"));
            return null;
        }
    }

    private static IEnumerable<string> DevnameLines(List<DepmodModule> modules, Action<DepmodMessage> report)
    {
        bool empty = true;
        foreach (var module in modules)
        {
            string? devname = null;
            char type = '\0';
            uint major = 0, minor = 0;
            foreach (string alias in module.ModinfoValues("alias"))
            {
                if (alias.StartsWith("devname:", StringComparison.Ordinal))
                {
                    devname = alias["devname:".Length..];
                }
                else if (TryMajorMinor(alias, "char-major-", out uint maj, out uint min))
                {
                    (type, major, minor) = ('c', maj, min);
                }
                else if (TryMajorMinor(alias, "block-major-", out maj, out min))
                {
                    (type, major, minor) = ('b', maj, min);
                }

                if (type != '\0' && devname is not null)
                {
                    break;
                }
            }

            if (devname is null)
            {
                continue;
            }

            if (type == '\0')
            {
                report(new(DepmodMessageKind.Error, $"Module '{module.Name}' has devname ({devname}) but lacks major and minor information. Ignoring."));
                continue;
            }

            if (empty)
            {
                empty = false;
                yield return "# Device nodes to trigger on-demand module loading.\n";
            }

            yield return $"{module.Name} {devname} {type}{major}:{minor}\n";
        }
    }

    /// <summary>sscanf(value, "PREFIX%u-%u"): two unsigned decimals after the prefix.</summary>
    private static bool TryMajorMinor(string value, string prefix, out uint major, out uint minor)
    {
        major = minor = 0;
        if (!value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = value.AsSpan(prefix.Length);
        int dash = rest.IndexOf('-');
        if (dash <= 0 || !uint.TryParse(rest[..dash], out major))
        {
            return false;
        }

        var tail = rest[(dash + 1)..];
        int digits = 0;
        while (digits < tail.Length && char.IsAsciiDigit(tail[digits]))
        {
            digits++;
        }

        return digits > 0 && uint.TryParse(tail[..digits], out minor);
    }
}
