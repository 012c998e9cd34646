using System.Globalization;
using LkmKit.Formats.Flavors.NetBsd;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Loading.NetBsd;

/// <summary>
/// NetBSD module(9) (kern_module.c): securelevel, EEXIST, the .prop size limit, built-for release (EPROGMISMATCH unless
/// forced), required modules loaded recursively as autoloads with cycles refused (EDEADLK), reference counts, and the
/// auto-unload of autoloaded modules after kern.module.autotime seconds.
/// </summary>
internal sealed class NetBsdPolicy : IKernelPolicy
{
    private const int MaxModuleName = 32;
    private const long PropLimit = 8191;

    public IReadOnlyList<string> Simplifications { get; } =
    [
        "model: modcmd is not run (MODULE_CMD_INIT taken to succeed; MODULE_CMD_AUTOUNLOAD taken to agree)",
        "model: auto-unload runs at the start of each lkm command, for autoloaded modules past kern.module.autotime (setting autotime, default 10 s)",
    ];

    public int RefsOf(KernelSession session, LoadedModule module) => session.State.UsersOf(module.Name).Count();

    public void Validate(KernelState state)
    {
        if (KernelVersion(state.Release) is null)
        {
            throw new LoaderException($"--release {state.Release}: expected a NetBSD release such as 10.0 or 7.99.34");
        }
    }

    /// <summary>__NetBSD_Version__ of a release: MMmmrrpp00 (x.99.N: release N/100, patch N%100).</summary>
    public static uint? KernelVersion(string release)
    {
        var parts = release.Split('.');
        if (parts.Length is < 2 or > 3 || !parts.All(p => uint.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return null;
        }

        uint major = uint.Parse(parts[0], CultureInfo.InvariantCulture), minor = uint.Parse(parts[1], CultureInfo.InvariantCulture);
        uint third = parts.Length == 3 ? uint.Parse(parts[2], CultureInfo.InvariantCulture) : 0;
        return minor == 99 ? major * 100000000 + minor * 1000000 + third / 100 * 10000 + third % 100 * 100 : major * 100000000 + minor * 1000000 + third * 10000;
    }

    /// <summary>module_compatible: equal on -current (x.99.y), else within the same release (|Δ| &lt; 10000).</summary>
    private static bool Compatible(uint module, uint kernel) =>
        kernel / 1000000 % 100 == 99 ? module == kernel : Math.Abs((long)module - kernel) < 10000;

    public IEnumerable<LoadEvent> Tick(KernelSession session)
    {
        var state = session.State;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        bool again = true;
        while (again)
        {
            again = false;
            foreach (var m in state.Modules.ToList())
            {
                if (m.AutoUnloadAt is { } at && at <= now && !state.UsersOf(m.Name).Any())
                {
                    session.Unload(m);
                    again = true;
                    yield return LoadEvents.Unloaded(m, ["model: autoloaded module past kern.module.autotime; MODULE_CMD_AUTOUNLOAD taken to agree"], "autounload");
                }
            }
        }
    }

    public IEnumerable<LoadEvent> Load(KernelSession session, string argument, LoadOptions options)
    {
        var events = new List<LoadEvent>();
        try
        {
            if (session.State.SettingNumber("securelevel", -1) > 0)
            {
                throw new Refusal(Errno.EPERM, $"modload: {argument}: Operation not permitted");
            }

            DoLoad(session, argument, options.Force, autoload: false, [], events);
        }
        catch (Refusal r)
        {
            events.Add(LoadEvents.Refused(argument, null, r));
        }
        catch (FreeBsd.HandledRefusal)
        {
            // already reported
        }

        return events;
    }

    private string Find(KernelSession session, string name)
    {
        if (File.Exists(name))
        {
            return name;
        }

        string dir = session.State.ModulesDirectory;
        foreach (var candidate in new[] { Path.Combine(dir, name, name + ".kmod"), Path.Combine(dir, name + ".kmod") })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        // The fixtures' file names differ from their mi_name: look inside.
        foreach (var path in Directory.EnumerateFiles(dir, "*.kmod", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                if (session.Open(path).Name == name)
                {
                    return path;
                }
            }
            catch (Refusal)
            {
            }
        }

        throw new Refusal(Errno.ENOENT, $"module `{name}' not found");
    }

    private LoadedModule DoLoad(KernelSession session, string argument, bool force, bool autoload, List<string> pending, List<LoadEvent> events)
    {
        var state = session.State;
        string requested = File.Exists(argument) ? Path.GetFileNameWithoutExtension(argument) : argument;
        if (!File.Exists(argument) && state.Find(argument) is not null)
        {
            throw new Refusal(Errno.EEXIST, $"modload: {argument}: File exists");
        }

        string path = Find(session, argument);
        var module = session.Open(path);
        string name = module.Name ?? requested;
        var notes = new List<string>();
        try
        {
            if (module.Flavor != ModuleFlavor.NetBsd || module.Details is not NetBsdModuleDetails details)
            {
                throw new Refusal(Errno.ENOEXEC, $"module `{requested}': no link_set_modules (not a NetBSD module)");
            }

            state.Machine ??= module.Machine.ToString();
            string prop = Path.ChangeExtension(path, ".prop");
            if (File.Exists(prop) && new FileInfo(prop).Length >= PropLimit)
            {
                throw new Refusal(Errno.EFBIG, $"module `{name}': property list {Path.GetFileName(prop)} is {new FileInfo(prop).Length} bytes (limit {PropLimit - 1})");
            }

            if (name.Length >= MaxModuleName)
            {
                throw new Refusal(Errno.EINVAL, $"module name `{name}' is too long");
            }

            uint kernel = KernelVersion(state.Release) ?? 0;
            if (!Compatible(details.RawVersion, kernel))
            {
                if (!force)
                {
                    throw new Refusal(Errno.EPROGMISMATCH, $"module `{name}' built for `{details.RawVersion}', system `{kernel}'");
                }

                notes.Add($"module `{name}' built for `{details.RawVersion}', system `{kernel}'; forced load, system may be unstable");
            }

            if (state.Find(name) is not null)
            {
                throw new Refusal(Errno.EEXIST, $"module `{name}' already loaded");
            }

            if (pending.Contains(name))
            {
                throw new Refusal(Errno.EDEADLK, $"circular dependency detected for `{name}'");
            }

            pending.Add(name);
            var uses = new List<string>();
            foreach (var required in (details.Required ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (required.Length >= MaxModuleName)
                {
                    throw new Refusal(Errno.EINVAL, $"required module name `{required}' is too long");
                }

                if (required == name)
                {
                    throw new Refusal(Errno.EDEADLK, $"module `{name}' requires itself");
                }

                if (pending.Contains(required))
                {
                    throw new Refusal(Errno.EDEADLK, $"circular dependency detected for `{required}'");
                }

                bool builtin = (state.Setting("builtin") ?? "").Split(',').Contains(required);
                if (builtin)
                {
                    notes.Add($"required module `{required}' is built into the kernel (--set builtin=…)");
                }
                else if (state.Find(required) is null)
                {
                    try
                    {
                        DoLoad(session, required, force, autoload: true, pending, events);
                    }
                    catch (Refusal inner)
                    {
                        events.Add(LoadEvents.Refused(required, null, inner));
                        throw new Refusal(inner.Errno, $"module `{name}': required module `{required}' failed to load ({inner.Errno})");
                    }
                }

                if (!builtin)
                {
                    uses.Add(required);
                }
            }

            pending.Remove(name);
            var resolved = SymbolScope.Resolve(session, module, state.Modules, s => $"kobj_checksyms, {s}: undefined symbol", Errno.ENOEXEC, notes);
            var (linked, address, size) = session.Link(module, name, resolved);
            var result = new LoadedModule
            {
                Name = name,
                Path = Path.GetFullPath(path),
                Address = address,
                Size = size,
                Uses = uses,
                AsDependency = autoload,
                AutoUnloadAt = autoload && state.SettingNumber("autotime", 10) > 0 ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() + state.SettingNumber("autotime", 10) : null,
                Provides = [details.Class],
                Version = NetBsdVersion.Format(details.RawVersion),
                Exports = SymbolScope.Globals(linked),
            };
            session.Reserve(address, size);
            state.Modules.Insert(0, result);
            session.Changed = true;
            events.Add(LoadEvents.Loaded(result, notes));
            return result;
        }
        catch (Refusal r) when (!autoload)
        {
            events.Add(LoadEvents.Refused(name, path, r, notes));
            throw new FreeBsd.HandledRefusal();
        }
    }

    public LoadEvent Unload(KernelSession session, string name, bool force)
    {
        var state = session.State;
        var module = state.Find(name);
        try
        {
            if (state.SettingNumber("securelevel", -1) > 0)
            {
                throw new Refusal(Errno.EPERM, $"modunload: {name}: Operation not permitted");
            }

            if (module is null)
            {
                throw new Refusal(Errno.ENOENT, $"modunload: {name}: No such file or directory");
            }

            int refs = state.UsersOf(name).Count();
            if (refs != 0)
            {
                throw new Refusal(Errno.EBUSY, $"modunload: {name}: Device busy (refcount {refs}: {string.Join(", ", state.UsersOf(name).Select(m => m.Name))})");
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
