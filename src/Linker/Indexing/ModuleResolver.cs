namespace LkmKit.Linker.Indexing;

/// <summary>
/// Resolves a module name or alias to the modules that must be loaded, in order, the way kmod's modprobe does:
/// lookup through modprobe.d aliases, <c>modules.dep</c>, <c>modules.symbols</c>, install commands,
/// <c>modules.alias</c> (fnmatch patterns), <c>modules.builtin</c> and built-in aliases; then dependencies (base
/// modules first), softdep <c>pre:</c>/<c>post:</c> modules, options, install commands and the blacklist.
/// Reads kmod's <c>.bin</c> indexes (or LkmKit's, which are the same bytes); builds them in memory when the module
/// directory has none.
/// </summary>
public sealed class ModuleResolver
{
    private readonly string _directory;
    private readonly ModprobeConfig _config;
    private readonly KmodIndex _dep, _alias, _symbols;
    private readonly KmodIndex? _builtin, _builtinAlias;
    private readonly Dictionary<string, Node> _pool = new(StringComparer.Ordinal);

    private ModuleResolver(string directory, ModprobeConfig config, KmodIndex dep, KmodIndex alias, KmodIndex symbols, KmodIndex? builtin, KmodIndex? builtinAlias)
    {
        _directory = directory.TrimEnd('/');
        _config = config;
        (_dep, _alias, _symbols, _builtin, _builtinAlias) = (dep, alias, symbols, builtin, builtinAlias);
    }

    /// <summary>Problems found in the configuration files, in kmod's words.</summary>
    public IReadOnlyList<string> ConfigurationErrors => _config.Errors;

    /// <summary>Opens the indexes of <see cref="ModuleResolverOptions.ModuleDirectory"/> and reads the configuration.</summary>
    /// <exception cref="LkmKit.Formats.ModuleFormatException">An index file is malformed.</exception>
    /// <exception cref="DirectoryNotFoundException">The module directory does not exist.</exception>
    public static ModuleResolver Open(ModuleResolverOptions options)
    {
        string directory = options.ModuleDirectory;
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"module directory {directory} does not exist");
        }

        var config = ModprobeConfig.Load(options.ConfigPaths ?? ModprobeConfig.DefaultPaths, directory, options.KernelCommandLine);
        Func<string, KmodIndex?> index = name => OpenIndex(directory, name);
        if (!File.Exists(Path.Combine(directory, "modules.dep.bin")))
        {
            var built = Depmod.BuildDirectory(directory, new DepmodOptions { KernelRelease = "", ConfigPaths = [] }, null)
                .ToDictionary(f => f.Name, f => f.Contents);
            index = name => built.TryGetValue(name, out var bytes) && bytes.Length > 0 ? KmodIndex.FromBytes(bytes, Path.Combine(directory, name)) : null;
        }

        var empty = KmodIndex.FromBytes(new KmodIndexWriter().ToArray(), "(empty)");
        return new ModuleResolver(directory, config,
            index("modules.dep.bin") ?? empty, index("modules.alias.bin") ?? empty, index("modules.symbols.bin") ?? empty,
            index("modules.builtin.bin"), index("modules.builtin.alias.bin"));
    }

    /// <summary>The modules <paramref name="nameOrAlias"/> resolves to, before dependencies (modprobe's lookup).</summary>
    public IReadOnlyList<ModuleMatch> Lookup(string nameOrAlias) =>
        LookupNodes(nameOrAlias).Select(n => new ModuleMatch(n.Name, n.Alias, n.Source)).ToList();

    /// <summary>
    /// Resolves <paramref name="nameOrAlias"/> to one load plan per matching module, as <c>modprobe</c> would load
    /// them. An empty list means nothing matched. <paramref name="extraOptions"/> are appended to the requested
    /// module's options; <paramref name="applyBlacklist"/> blacklists modules found by name too (modprobe <c>-b</c>).
    /// </summary>
    public IReadOnlyList<ModuleLoadPlan> Resolve(string nameOrAlias, string? extraOptions = null, bool applyBlacklist = false)
    {
        var plans = new List<ModuleLoadPlan>();
        foreach (var target in LookupNodes(nameOrAlias))
        {
            var match = new ModuleMatch(target.Name, target.Alias, target.Source);
            if (_config.Blacklist.Contains(target.Name) && (target.Alias is not null || applyBlacklist))
            {
                plans.Add(new ModuleLoadPlan(match, true, []));
                continue;
            }

            foreach (var node in _pool.Values)
            {
                node.Visited = false;
            }

            var steps = new List<(Node Node, ModuleInclusion Reason, string? By)>();
            CollectProbeList(target, steps, ModuleInclusion.Requested, null);
            plans.Add(new ModuleLoadPlan(match, false, steps.Select(s => ToResolved(s.Node, s.Reason, s.By, s.Node == target ? extraOptions : null)).ToList()));
        }

        return plans;
    }

    private ResolvedModule ToResolved(Node node, ModuleInclusion reason, string? by, string? extraOptions)
    {
        string? configured = OptionsOf(node);
        string options = configured is null && string.IsNullOrEmpty(extraOptions) ? ""
            : configured is null ? extraOptions!
            : configured + " " + extraOptions;
        string? install = InstallCommandOf(node);
        return new ResolvedModule(node.Name, PathOf(node), IsBuiltin(node), options, install is not null && !node.IgnoreCommand ? install : null, reason, by);
    }

    private void CollectProbeList(Node node, List<(Node, ModuleInclusion, string?)> steps, ModuleInclusion reason, string? by)
    {
        if (node.Visited)
        {
            return;
        }

        node.Visited = true;
        foreach (var dependency in DependenciesOf(node))
        {
            FillSoftdeps(dependency, steps, ModuleInclusion.Dependency, node.Name);
        }

        FillSoftdeps(node, steps, reason, by);
    }

    private void FillSoftdeps(Node node, List<(Node, ModuleInclusion, string?)> steps, ModuleInclusion reason, string? by)
    {
        var (pre, post) = SoftdepsOf(node);
        foreach (var module in pre)
        {
            CollectProbeList(module, steps, ModuleInclusion.SoftdepPre, node.Name);
        }

        steps.Add((node, reason, by));
        node.IgnoreCommand = pre.Count > 0 || post.Count > 0;
        foreach (var module in post)
        {
            CollectProbeList(module, steps, ModuleInclusion.SoftdepPost, node.Name);
        }
    }

    private List<Node> LookupNodes(string given)
    {
        var found = new List<Node>();
        if (KmodNames.NormalizeAlias(given) is not { } name)
        {
            return found;
        }

        foreach (var (pattern, module) in _config.Aliases)
        {
            if (Fnmatch.Matches(pattern, name))
            {
                found.Add(Get(module, pattern, ModuleLookupSource.ConfigAlias));
            }
        }

        if (found.Count > 0)
        {
            return found;
        }

        if (!name.Contains(':') && _dep.Lookup(name) is { Count: > 0 } line)
        {
            var node = Get(name, null, ModuleLookupSource.ModuleName);
            ParseDepLine(node, line[0].Value);
            return [node];
        }

        if (name.StartsWith("symbol:", StringComparison.Ordinal))
        {
            found.AddRange(_symbols.LookupWildcard(name).Select(v => Get(v.Value, name, ModuleLookupSource.Symbol)));
            if (found.Count > 0)
            {
                return found;
            }
        }

        if (FindCommand(_config.InstallCommands, name, out _) || FindCommand(_config.RemoveCommands, name, out _))
        {
            var node = Get(name, null, ModuleLookupSource.Command);
            if (FindCommand(_config.InstallCommands, name, out string? install))
            {
                node.InstallCommand = install;
                node.InstallCommandKnown = true;
            }

            return [node];
        }

        found.AddRange(_alias.LookupWildcard(name).Select(v => Get(v.Value, name, ModuleLookupSource.Alias)));
        if (found.Count > 0)
        {
            return found;
        }

        if (_builtin?.Lookup(name) is { Count: > 0 })
        {
            var node = Get(name, null, ModuleLookupSource.Builtin);
            node.Builtin = true;
            return [node];
        }

        foreach (var value in _builtinAlias?.LookupWildcard(name) ?? [])
        {
            var node = Get(value.Value, name, ModuleLookupSource.BuiltinAlias);
            node.Builtin = true;
            found.Add(node);
        }

        return found;
    }

    private static bool FindCommand(List<(string Pattern, string Command)> commands, string name, out string? command)
    {
        foreach (var (module, text) in commands)
        {
            if (module == name)
            {
                command = text;
                return true;
            }
        }

        command = null;
        return false;
    }

    private Node Get(string name, string? alias, ModuleLookupSource source)
    {
        string key = alias is null ? name : name + "\\" + alias;
        if (!_pool.TryGetValue(key, out var node))
        {
            node = new Node(name, alias, source);
            _pool[key] = node;
        }

        return node;
    }

    private List<Node> DependenciesOf(Node node)
    {
        if (!node.DependenciesLoaded && _dep.Lookup(node.Name) is { Count: > 0 } line)
        {
            ParseDepLine(node, line[0].Value);
        }

        node.DependenciesLoaded = true;
        return node.Dependencies;
    }

    private string? PathOf(Node node)
    {
        DependenciesOf(node);
        return node.Path;
    }

    /// <summary>kmod_module_parse_depline: the module's path, then its dependencies, each prepended (base modules first).</summary>
    private void ParseDepLine(Node node, string line)
    {
        if (node.DependenciesLoaded)
        {
            return;
        }

        node.DependenciesLoaded = true;
        int colon = line.IndexOf(':');
        if (colon < 0)
        {
            return;
        }

        node.Path ??= Absolute(line[..colon]);
        foreach (string dependencyPath in ConfigFiles.Tokens(line[(colon + 1)..]))
        {
            var dependency = Get(KmodNames.ModuleNameFromPath(dependencyPath), null, ModuleLookupSource.ModuleName);
            dependency.Path ??= Absolute(dependencyPath);
            node.Dependencies.Insert(0, dependency);
        }
    }

    private string Absolute(string path) => path.StartsWith('/') ? path : _directory + "/" + path;

    private bool IsBuiltin(Node node) => node.Builtin ??= _builtin?.Lookup(node.Name).Count > 0;

    private (List<Node> Pre, List<Node> Post) SoftdepsOf(Node node)
    {
        foreach (var (pattern, pre, post) in _config.Softdeps)
        {
            if (Fnmatch.Matches(pattern, node.Name))
            {
                return (pre.SelectMany(LookupNodes).ToList(), post.SelectMany(LookupNodes).ToList());
            }
        }

        return ([], []);
    }

    private string? OptionsOf(Node node)
    {
        string? options = null;
        foreach (var (module, text) in _config.Options)
        {
            if ((module == node.Name || (node.Alias is not null && module == node.Alias)) && text.Length > 0)
            {
                options = options is null ? text : options + " " + text;
            }
        }

        return options;
    }

    private string? InstallCommandOf(Node node)
    {
        if (!node.InstallCommandKnown)
        {
            node.InstallCommandKnown = true;
            node.InstallCommand = _config.InstallCommands.FirstOrDefault(c => Fnmatch.Matches(c.Pattern, node.Name)).Command;
        }

        return node.InstallCommand;
    }

    private static KmodIndex? OpenIndex(string directory, string name)
    {
        string path = Path.Combine(directory, name);
        return File.Exists(path) && new FileInfo(path).Length > 0 ? KmodIndex.Open(path) : null;
    }

    private sealed class Node(string name, string? alias, ModuleLookupSource source)
    {
        public string Name { get; } = name;
        public string? Alias { get; } = alias;
        public ModuleLookupSource Source { get; } = source;
        public string? Path { get; set; }
        public List<Node> Dependencies { get; } = [];
        public bool DependenciesLoaded { get; set; }
        public bool Visited { get; set; }
        public bool IgnoreCommand { get; set; }
        public bool? Builtin { get; set; }
        public string? InstallCommand { get; set; }
        public bool InstallCommandKnown { get; set; }
    }
}
