using LkmKit.Formats;
using LkmKit.Formats.Flavors.Kext;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Loading.MacOs;

/// <summary>
/// xnu's OSKext::load: OSBundleLibraries resolved (a library satisfies a request when its OSBundleCompatibleVersion ≤
/// its CFBundleVersion and requested ≤ CFBundleVersion; the user-space tools' stricter rule is reported too), libraries
/// loaded first, the kext linked against the kernel and its libraries; unload refused while dependents are loaded.
/// </summary>
internal sealed class MacOsPolicy : IKernelPolicy
{
    private Dictionary<string, KernelModule>? _catalogue;

    public IReadOnlyList<string> Simplifications { get; } =
    [
        "model: kmod start/stop are not run; no IOKit matching or personalities; no code-signature or ownership checks",
        "model: com.apple.kpi.* and com.apple.kernel.* libraries are the kernel's, at the Darwin version given by --release",
    ];

    public int RefsOf(KernelSession session, LoadedModule module) => session.State.UsersOf(module.Name).Count();

    public void Validate(KernelState state) => state.Machine ??= MachineArchitecture.X86_64.ToString();

    private Dictionary<string, KernelModule> Catalogue(KernelSession session)
    {
        if (_catalogue is null)
        {
            _catalogue = new Dictionary<string, KernelModule>(StringComparer.Ordinal);
            foreach (var bundle in Directory.EnumerateDirectories(session.State.ModulesDirectory, "*.kext").Order(StringComparer.Ordinal))
            {
                AddBundle(session, bundle);
            }
        }

        return _catalogue;
    }

    private string? AddBundle(KernelSession session, string bundle)
    {
        try
        {
            var file = session.OpenFile(bundle);
            string? first = null;
            foreach (var module in file.Modules)
            {
                if (module.Details is KextDetails { BundleIdentifier: { } id } && (module.Machine.ToString() == session.State.Machine || module.FileKind == ModuleFileKind.Codeless || !file.Modules.Any(m => m.Details is KextDetails d && d.BundleIdentifier == id && m.Machine.ToString() == session.State.Machine)))
                {
                    _catalogue!.TryAdd(id, module);
                    first ??= id;
                }
            }

            return first;
        }
        catch (Refusal)
        {
            return null;
        }
    }

    public IEnumerable<LoadEvent> Load(KernelSession session, string argument, LoadOptions options)
    {
        var events = new List<LoadEvent>();
        try
        {
            _catalogue = null; // files of the previous argument are closed
            Catalogue(session);
            string id = Directory.Exists(argument) ? AddBundle(session, argument) ?? throw new Refusal("kOSKextReturnNotFound", $"{argument}: not a kext bundle") : argument;
            DoLoad(session, id, [], events);
        }
        catch (Refusal r)
        {
            events.Add(LoadEvents.Refused(argument, null, r));
        }
        catch (FreeBsd.HandledRefusal)
        {
        }

        return events;
    }

    private static bool IsKernelLibrary(string id) => id.StartsWith("com.apple.kpi.", StringComparison.Ordinal) || id.StartsWith("com.apple.kernel", StringComparison.Ordinal);

    private void DoLoad(KernelSession session, string id, List<string> stack, List<LoadEvent> events)
    {
        var state = session.State;
        if (state.Find(id) is not null)
        {
            return; // OSKext::load: already loaded → success
        }

        if (!_catalogue!.TryGetValue(id, out var module))
        {
            throw new Refusal("kOSKextReturnNotFound", $"Kext {id} not found");
        }

        var notes = new List<string>();
        try
        {
            var details = (KextDetails)module.Details!;
            if (stack.Contains(id))
            {
                throw new Refusal("kOSKextReturnDependencyLoadError", $"Kext {id} has a dependency loop: {string.Join(" -> ", stack.Append(id))}");
            }

            var libraries = module.Dependencies.Where(d => d.Kind == DependencyKind.Hard).ToList();
            if (libraries.Count == 0 && !details.IsCodeless)
            {
                throw new Refusal("kOSKextReturnDependencies", $"Kext {id} has no OSBundleLibraries; can't resolve dependencies");
            }

            var uses = new List<string>();
            foreach (var library in libraries)
            {
                string requested = library.MinimumVersion ?? "";
                if (KextVersion.Parse(requested) < 0)
                {
                    throw new Refusal("kOSKextReturnDependencies", $"Kext {id} - invalid version {requested} for dependency {library.Name}");
                }

                if (IsKernelLibrary(library.Name))
                {
                    if (library.Name == "com.apple.kernel" || (module.Bits == 64 && library.Name.StartsWith("com.apple.kernel.", StringComparison.Ordinal)))
                    {
                        throw new Refusal("kOSKextReturnDependencies", $"Kext {id} - dependency on {library.Name} is not allowed (use com.apple.kpi.*)");
                    }

                    if (KextVersion.Compare(requested, state.Release) > 0)
                    {
                        throw new Refusal("kOSKextReturnDependencies", $"Kext {id} - library {library.Name} (kernel {state.Release}) is older than the requested {requested}");
                    }

                    continue;
                }

                if (!_catalogue.TryGetValue(library.Name, out var lib) || lib.Details is not KextDetails libDetails)
                {
                    throw new Refusal("kOSKextReturnDependencies", $"Kext {id} - library kext {library.Name} not found");
                }

                string version = libDetails.BundleVersion ?? "";
                long c = KextVersion.Parse(libDetails.CompatibleVersion), v = KextVersion.Parse(version), r = KextVersion.Parse(requested);
                bool kernelRule = c > -1 && v > -1 && c <= v && r <= v;
                if (!KextVersion.IsCompatible(version, libDetails.CompatibleVersion, requested))
                {
                    notes.Add($"kextutil: library {library.Name} {version} (OSBundleCompatibleVersion {libDetails.CompatibleVersion ?? "missing"}) is not compatible with the requested {requested} by the user-space rule (compatible ≤ requested ≤ version)");
                }

                if (!kernelRule)
                {
                    throw new Refusal("kOSKextReturnDependencies", $"Kext {id} - library kext {library.Name} {version} (compatible {libDetails.CompatibleVersion ?? "none"}) is not compatible with requested version {requested}");
                }

                try
                {
                    DoLoad(session, library.Name, [.. stack, id], events);
                }
                catch (Refusal inner)
                {
                    events.Add(LoadEvents.Refused(library.Name, null, inner));
                    throw new Refusal("kOSKextReturnDependencyLoadError", $"Kext {id} - failed to load dependency {library.Name}");
                }

                uses.Add(library.Name);
            }

            ulong address = 0, size = 0;
            var exports = new List<ExportedSymbol>();
            // Only a kext that declares no executable skips the link. ModuleFileKind.Codeless also covers a bundle whose
            // declared executable is missing, which is not skipped.
            if (!details.IsCodeless)
            {
                var scope = state.Modules.Where(m => uses.Contains(m.Name));
                var resolved = SymbolScope.Resolve(session, module, scope, s => $"kxld: Kext {id} - symbol {s} not found", "kOSKextReturnLinkError", notes);
                var (linked, a, s) = session.Link(module, id, resolved);
                (address, size) = (a, s);
                exports = SymbolScope.Globals(linked);
                session.Reserve(address, size);
            }
            else
            {
                notes.Add($"Kext {id} is codeless; loaded without linking");
            }

            var result = new LoadedModule
            {
                Name = id,
                Path = details.BundlePath is { } p ? Path.GetFullPath(p) : module.Path,
                Address = address,
                Size = size,
                Uses = uses,
                Version = details.BundleVersion,
                Provides = [id],
                Exports = exports,
                HasExit = module.EntryPoints.Any(e => e.Kind == EntryPointKind.KmodStop),
                Id = state.Modules.Count == 0 ? 100 : state.Modules.Max(m => m.Id) + 1,
            };
            state.Modules.Add(result);
            session.Changed = true;
            events.Add(LoadEvents.Loaded(result, notes));
        }
        catch (Refusal r) when (stack.Count == 0)
        {
            events.Add(LoadEvents.Refused(id, module.Path, r, notes));
            throw new FreeBsd.HandledRefusal();
        }
    }

    public LoadEvent Unload(KernelSession session, string name, bool force)
    {
        var state = session.State;
        var module = state.Find(name);
        try
        {
            if (module is null)
            {
                throw new Refusal("kOSKextReturnNotFound", $"Kext {name} not found for unload request");
            }

            var users = state.UsersOf(name).Select(m => m.Name).ToList();
            if (users.Count > 0)
            {
                throw new Refusal("kOSKextReturnInUse", $"Can't unload kext {name}; retain count > 1 (dependents loaded: {string.Join(", ", users)})");
            }

            session.Unload(module);
            return LoadEvents.Unloaded(module);
        }
        catch (Refusal r)
        {
            return LoadEvents.UnloadRefused(name, module?.Path, r);
        }
    }
}
