using System.Globalization;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Loading.FreeBsd;

/// <summary>
/// FreeBSD's kld linker (kern_linker.c): securelevel, files and modules already present, MODULE_DEPEND with version
/// ranges resolved from the loaded modules or a scan of the module directory (the preferred version, else the highest in
/// range; self-references skipped), interfaces already present, unload rules.
/// </summary>
internal sealed class FreeBsdPolicy : IKernelPolicy
{
    private List<(string Path, IReadOnlyList<ModuleProvision> Provides)>? _catalogue;

    public IReadOnlyList<string> Simplifications { get; } =
    [
        "model: MOD_LOAD/MOD_UNLOAD handlers are not run (taken to succeed, except that a module without a handler refuses MOD_UNLOAD)",
        "model: modules are found by scanning the module directory's .ko files (what kldxref puts in linker.hints)",
        "model: unloading a file other loaded files depend on is refused with EBUSY (the kernel drops the user reference and keeps it)",
    ];

    public int RefsOf(KernelSession session, LoadedModule module) => 1 + session.State.UsersOf(module.Name).Count();

    public IEnumerable<LoadEvent> Load(KernelSession session, string argument, LoadOptions options)
    {
        var events = new List<LoadEvent>();
        string name = argument.Contains('/') || argument.Contains('.') ? Path.GetFileName(argument) : argument;
        try
        {
            if (session.State.SettingNumber("securelevel", -1) > 0)
            {
                throw new Refusal(Errno.EPERM, $"kldload: can't load {argument}: Operation not permitted");
            }

            string path;
            if (argument.Contains('/') || argument.Contains('.'))
            {
                path = File.Exists(argument) ? argument : Path.Combine(session.State.ModulesDirectory, argument);
            }
            else
            {
                if (session.State.Modules.Any(m => m.Provides.Any(p => p.Split('.')[0] == argument)))
                {
                    throw new Refusal(Errno.EEXIST, $"kldload: can't load {argument}: module already loaded or in kernel");
                }

                path = Catalogue(session).Where(c => c.Provides.Any(p => !p.IsInterface && p.Name == argument)).Select(c => c.Path).FirstOrDefault()
                    ?? Path.Combine(session.State.ModulesDirectory, argument + ".ko");
            }

            LoadFile(session, path, asDependency: false, events, new HashSet<string>(StringComparer.Ordinal));
        }
        catch (Refusal r)
        {
            events.Add(LoadEvents.Refused(name, null, r));
        }
        catch (HandledRefusal)
        {
            // already reported
        }

        return events;
    }

    private LoadedModule LoadFile(KernelSession session, string path, bool asDependency, List<LoadEvent> events, HashSet<string> pending)
    {
        var state = session.State;
        string file = Path.GetFileName(path);
        string name = Path.GetFileNameWithoutExtension(file);
        if (state.Modules.Any(m => Path.GetFileName(m.Path) == file))
        {
            throw new Refusal(Errno.EEXIST, $"kldload: can't load {file}: module already loaded or in kernel");
        }

        if (!pending.Add(file))
        {
            throw new Refusal(Errno.EDEADLK, $"KLD {file}: circular dependency");
        }

        var module = session.Open(path);
        if (module.Flavor != ModuleFlavor.FreeBsd || module.Details is not FreeBsdModuleDetails details)
        {
            throw new Refusal(Errno.ENOEXEC, $"kldload: can't load {file}: unsupported file type");
        }

        state.Machine ??= module.Machine.ToString();
        var notes = new List<string>();
        try
        {
            var own = module.Provides.Where(p => !p.IsInterface).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var interfaces = module.Provides.Where(p => p.IsInterface).Select(p => $"{p.Name}.{p.Version}").ToList();
            foreach (var iface in interfaces)
            {
                if (state.Modules.FirstOrDefault(m => m.Provides.Contains(iface)) is { } holder)
                {
                    throw new Refusal(Errno.EEXIST, $"interface {iface} already present in the KLD '{Path.GetFileName(holder.Path)}'!");
                }
            }

            var uses = new List<string>();
            foreach (var dep in details.Records.Where(r => r.Type == FreeBsdMetadataType.Depend && r.Depend is not null))
            {
                if (own.Contains(dep.Name))
                {
                    continue;
                }

                string failure = $"KLD {file}: depends on {dep.Name} - not available or version mismatch";
                if (dep.Name == "kernel")
                {
                    if (!int.TryParse(state.Release, NumberStyles.None, CultureInfo.InvariantCulture, out int kernel) || kernel < dep.Depend!.Minimum || kernel > dep.Depend.Maximum)
                    {
                        throw new Refusal(Errno.ENOENT, failure + $" (kernel {state.Release}, needs [{dep.Depend!.Minimum}, {dep.Depend.Maximum}])");
                    }

                    continue;
                }

                var loaded = Choose(state.Modules.SelectMany(m => m.Provides.Select(p => (Module: m, Interface: p))), dep.Name, dep.Depend!, x => x.Interface);
                if (loaded.Module is not null)
                {
                    uses.Add(loaded.Module.Name);
                    continue;
                }

                var candidates = Catalogue(session).SelectMany(c => c.Provides.Where(p => p.IsInterface)
                    .Select(p => (c.Path, Interface: $"{p.Name}.{p.Version}")));
                var found = Choose(candidates, dep.Name, dep.Depend!, x => x.Interface);
                if (found.Path is null)
                {
                    throw new Refusal(Errno.ENOENT, failure);
                }

                try
                {
                    uses.Add(LoadFile(session, found.Path, asDependency: true, events, pending).Name);
                }
                catch (Refusal inner)
                {
                    events.Add(LoadEvents.Refused(Path.GetFileNameWithoutExtension(found.Path), found.Path, inner));
                    throw new Refusal(Errno.ENOENT, failure);
                }
            }

            foreach (var moduleName in own)
            {
                if (state.Modules.FirstOrDefault(m => m.Provides.Any(p => p == moduleName || p.StartsWith(moduleName + ".", StringComparison.Ordinal))) is { } other)
                {
                    throw new Refusal(Errno.EEXIST, $"module_register: cannot register {moduleName} from {file}; already loaded from {Path.GetFileName(other.Path)}");
                }
            }

            // Symbol scope: the file itself, the kernel, its direct dependencies.
            var scope = state.Modules.Where(m => uses.Contains(m.Name));
            var resolved = SymbolScope.Resolve(session, module, scope, s => $"link_elf_obj: symbol {s} undefined", Errno.ENOENT, notes);
            var (linked, address, size) = session.Link(module, name, resolved);
            var provides = interfaces.ToList();
            provides.AddRange(own.Where(n => !provides.Any(p => p.StartsWith(n + ".", StringComparison.Ordinal))));
            var result = new LoadedModule
            {
                Name = name,
                Path = Path.GetFullPath(path),
                Address = address,
                Size = size,
                Uses = uses,
                AsDependency = asDependency,
                HasExit = details.Records.Where(r => r.Type == FreeBsdMetadataType.Module).All(r => r.Module?.Handler is not null),
                Version = module.Provides.FirstOrDefault(p => p.IsInterface)?.Version,
                Provides = provides,
                Exports = SymbolScope.Globals(linked),
                Id = state.Modules.Count == 0 ? 2 : state.Modules.Max(m => m.Id) + 1,
            };
            session.Reserve(address, size);
            state.Modules.Add(result);
            session.Changed = true;
            events.Add(LoadEvents.Loaded(result, notes));
            return result;
        }
        catch (Refusal r) when (!asDependency)
        {
            events.Add(LoadEvents.Refused(name, path, r, notes));
            throw new HandledRefusal();
        }
    }

    /// <summary>modlist_lookup2: the preferred version at once, else the highest within [min, max].</summary>
    private static T Choose<T>(IEnumerable<T> candidates, string name, FreeBsdDependRange range, Func<T, string> interfaceOf)
    {
        T best = default!;
        int bestVersion = int.MinValue;
        foreach (var c in candidates)
        {
            string iface = interfaceOf(c);
            int dot = iface.LastIndexOf('.');
            if (dot <= 0 || iface[..dot] != name || !int.TryParse(iface[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            {
                continue;
            }

            if (v == range.Preferred)
            {
                return c;
            }

            if (v >= range.Minimum && v <= range.Maximum && v > bestVersion)
            {
                (best, bestVersion) = (c, v);
            }
        }

        return best;
    }

    private List<(string Path, IReadOnlyList<ModuleProvision> Provides)> Catalogue(KernelSession session)
    {
        if (_catalogue is null)
        {
            _catalogue = [];
            foreach (var path in Directory.EnumerateFiles(session.State.ModulesDirectory, "*.ko").Order(StringComparer.Ordinal))
            {
                try
                {
                    using var file = Formats.ModuleReader.Open(path);
                    if (file.Modules.FirstOrDefault() is { Flavor: ModuleFlavor.FreeBsd } found)
                    {
                        _catalogue.Add((path, found.Provides));
                    }
                }
                catch (Formats.ModuleFormatException)
                {
                    // kldxref skips files it cannot read; so does the scan.
                }
            }
        }

        return _catalogue;
    }

    public LoadEvent Unload(KernelSession session, string name, bool force)
    {
        var state = session.State;
        string bare = name.EndsWith(".ko", StringComparison.Ordinal) ? name[..^3] : name;
        var module = state.Modules.Find(m => m.Name == bare || m.Id.ToString(CultureInfo.InvariantCulture) == name);
        try
        {
            if (state.SettingNumber("securelevel", -1) > 0)
            {
                throw new Refusal(Errno.EPERM, $"kldunload: can't unload file: Operation not permitted");
            }

            if (module is null)
            {
                throw new Refusal(Errno.ENOENT, $"kldunload: can't find file {name}");
            }

            if (module.AsDependency)
            {
                throw new Refusal(Errno.EBUSY, "kldunload: attempt to unload file that was loaded by the kernel");
            }

            var users = state.UsersOf(module.Name).Select(m => m.Name).ToList();
            if (users.Count > 0)
            {
                throw new Refusal(Errno.EBUSY, $"kldunload: can't unload file: Device busy (used by {string.Join(", ", users)})");
            }

            if (!module.HasExit)
            {
                throw new Refusal(Errno.EBUSY, "kldunload: can't unload file: Device busy (a module without an event handler refuses MOD_UNLOAD)");
            }

            session.Unload(module);
            return LoadEvents.Unloaded(module);
        }
        catch (Refusal r)
        {
            return LoadEvents.UnloadRefused(module?.Name ?? name, module?.Path, r);
        }
    }
}

/// <summary>A refusal already reported as an event; unwinds the callers without another event.</summary>
internal sealed class HandledRefusal : Exception;
