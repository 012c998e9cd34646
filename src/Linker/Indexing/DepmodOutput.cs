using System.Text;

namespace LkmKit.Linker.Indexing;

/// <summary>Renders depmod's output files from the ordered modules and the symbol table.</summary>
internal static class DepmodOutput
{
    public static List<DepmodFile> Build(string directory, List<DepmodModule> modules, DepmodSymbolTable symbols, DepmodOptions options, Action<DepmodMessage> report)
    {
        var depLines = modules.Select(DepLine).ToList();
        var symbolEntries = symbols.InIterationOrder().Where(e => e.Owner is not null).ToList();
        bool warn = options.WarnDuplicates;

        // The files are independent: build them on all cores, each with its own message list, reported in write order.
        Func<Action<DepmodMessage>, DepmodFile>[] builders = options.TextOnly
            ?
            [
                _ => Text("modules.dep", text => depLines.ForEach(line => text.Add(line).Add("\n"))),
                _ => Aliases(modules), _ => Softdeps(modules), _ => Symbols(symbolEntries),
                messages => Lines("modules.devname", DevnameLines(modules, messages)),
            ]
            :
            [
                _ => Text("modules.dep", text => depLines.ForEach(line => text.Add(line).Add("\n"))),
                messages => Binary("modules.dep.bin", index =>
                {
                    for (int i = 0; i < modules.Count; i++)
                    {
                        if (index.Insert(modules[i].Name, depLines[i], (uint)modules[i].Index) && warn)
                        {
                            messages(new(DepmodMessageKind.Warning, $"duplicate module deps:\n{depLines[i]}"));
                        }
                    }
                }),
                _ => Aliases(modules),
                messages => AliasIndex(modules, warn, messages),
                _ => Softdeps(modules),
                _ => Symbols(symbolEntries),
                messages => Binary("modules.symbols.bin", index =>
                {
                    foreach (var entry in symbolEntries)
                    {
                        string key = "symbol:" + entry.Name;
                        if (index.Insert(key, entry.Owner!.Name, (uint)entry.Owner.Index) && warn)
                        {
                            messages(new(DepmodMessageKind.Warning, $"duplicate module syms:\n{key} {entry.Owner.Name}"));
                        }
                    }
                }),
                messages => BuiltinIndex(directory, messages),
                messages => BuiltinAliasIndex(directory, messages),
                messages => Lines("modules.devname", DevnameLines(modules, messages)),
            ];
        var files = new DepmodFile[builders.Length];
        var messages = new List<DepmodMessage>[builders.Length];
        Parallel.For(0, builders.Length, i =>
        {
            messages[i] = [];
            files[i] = builders[i](messages[i].Add);
        });
        foreach (var message in messages.SelectMany(m => m))
        {
            report(message);
        }

        return [.. files];
    }

    private static DepmodFile AliasIndex(List<DepmodModule> modules, bool warnDuplicates, Action<DepmodMessage> report) => Binary("modules.alias.bin", index =>
    {
        foreach (var module in modules)
        {
            foreach (string alias in module.Aliases)
            {
                if (KmodNames.NormalizeAlias(alias) is not { } key)
                {
                    report(new(DepmodMessageKind.Warning, $"Unmatched bracket in {alias}"));
                }
                else if (index.Insert(key, module.Name, (uint)module.Index) && warnDuplicates)
                {
                    report(new(DepmodMessageKind.Warning, $"duplicate module alias:\n{key} {module.Name}"));
                }
            }
        }
    });

    private static DepmodFile Aliases(List<DepmodModule> modules) => Text("modules.alias", text =>
    {
        text.Add("# Aliases extracted from modules themselves.\n");
        foreach (var module in modules)
        {
            foreach (string alias in module.Aliases)
            {
                text.Add("alias ").Add(alias).Add(" ").Add(module.Name).Add("\n");
            }
        }
    });

    private static DepmodFile Softdeps(List<DepmodModule> modules) => Text("modules.softdep", text =>
    {
        text.Add("# Soft dependencies extracted from modules themselves.\n");
        foreach (var module in modules)
        {
            foreach (string value in module.Softdeps)
            {
                text.Add("softdep ").Add(module.Name).Add(" ").Add(value).Add("\n");
            }
        }
    });

    private static DepmodFile Symbols(List<DepmodSymbolTable.Entry> entries) => Text("modules.symbols", text =>
    {
        text.Add("# Aliases for symbols, used by symbol_request().\n");
        foreach (var entry in entries)
        {
            text.Add("alias symbol:").Add(entry.Name).Add(" ").Add(entry.Owner!.Name).Add("\n");
        }
    });

    private static DepmodFile Lines(string name, IEnumerable<string> lines)
    {
        var all = lines.ToList(); // enumerated once: the lines may report messages
        return Text(name, text =>
        {
            foreach (string line in all)
            {
                text.Add(line);
            }
        });
    }

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

    /// <summary>A text index in Latin-1: <paramref name="write"/> runs twice, once to measure and once to fill an array of the exact size.</summary>
    private static DepmodFile Text(string name, Action<TextOutput> write)
    {
        var measure = new TextOutput(null);
        write(measure);
        var fill = new TextOutput(new byte[measure.Length]);
        write(fill);
        return new DepmodFile(name, fill.Bytes!, IsText: true);
    }

    private sealed class TextOutput(byte[]? bytes)
    {
        public byte[]? Bytes { get; } = bytes;
        public int Length { get; private set; }

        public TextOutput Add(ReadOnlySpan<char> text)
        {
            if (Bytes is not null)
            {
                Encoding.Latin1.GetBytes(text, Bytes.AsSpan(Length));
            }

            Length += text.Length;
            return this;
        }
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
            foreach (string alias in module.Aliases)
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
