using System.Globalization;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Loading.Lkm;

/// <summary>
/// The legacy lkm(4) of NetBSD 1.x, OpenBSD and FreeBSD 2.x (kern_lkm.c): securelevel, lkm_type read with the chosen
/// system's numbering, lkmexists (EEXIST), the syscall slot (offset −1 → the first free LKM slot, ENFILE when none; an
/// explicit offset must lie inside sysent, EINVAL) restored on unload; modload links the object against the kernel
/// (<c>ld -A kernel</c>).
/// </summary>
internal sealed class LkmPolicy : IKernelPolicy
{
    public IReadOnlyList<string> Simplifications { get; } =
    [
        "model: the LKM entry (LKM_E_LOAD/LKM_E_UNLOAD) is not run (taken to return 0)",
        "model: free syscall slots are the lkmnosys entries 210-219 unless --set lkmslots=A-B; sysent has --set syscalls=N entries (default 256)",
    ];

    public int RefsOf(KernelSession session, LoadedModule module) => 0;

    public void Validate(KernelState state)
    {
        state.Settings.TryAdd("system", "netbsd");
        _ = System(state);
        state.Machine ??= MachineArchitecture.X86.ToString();
    }

    private static LkmOperatingSystem System(KernelState state) => state.Setting("system") switch
    {
        "netbsd" => LkmOperatingSystem.NetBsd,
        "netbsd4" => LkmOperatingSystem.NetBsd4,
        "openbsd" => LkmOperatingSystem.OpenBsdOld,
        "openbsd4" => LkmOperatingSystem.OpenBsd,
        "freebsd" => LkmOperatingSystem.FreeBsd,
        var other => throw new LoaderException($"--set system={other}: expected netbsd, netbsd4, openbsd, openbsd4 or freebsd"),
    };

    private static (int First, int Last) LkmSlots(KernelState state)
    {
        var range = (state.Setting("lkmslots") ?? "210-219").Split('-');
        return (int.Parse(range[0], CultureInfo.InvariantCulture), int.Parse(range[^1], CultureInfo.InvariantCulture));
    }

    public IEnumerable<LoadEvent> Load(KernelSession session, string argument, LoadOptions options)
    {
        var state = session.State;
        string path = File.Exists(argument) ? argument : Path.Combine(state.ModulesDirectory, argument.EndsWith(".o", StringComparison.Ordinal) ? argument : argument + ".o");
        string name = Path.GetFileNameWithoutExtension(path);
        var notes = new List<string>();
        try
        {
            if (state.SettingNumber("securelevel", -1) > 0)
            {
                throw new Refusal(Errno.EPERM, $"modload: /dev/lkm: Operation not permitted");
            }

            var module = session.Open(path);
            if (module.Flavor != ModuleFlavor.LegacyLkm || module.Details is not LkmModuleDetails details)
            {
                throw new Refusal(Errno.ENOEXEC, $"modload: {path}: not an LKM object");
            }

            name = module.Name ?? name;
            var system = System(state);
            var kind = details.RawType is { } raw ? LkmTypes.Kind(system, raw) : LkmModuleKind.Unknown;
            if (kind == LkmModuleKind.Unknown)
            {
                throw new Refusal(Errno.EINVAL, $"modload: {name}: lkm_type {details.RawType} is no module type on {state.Setting("system")}");
            }

            if (state.Find(name) is not null)
            {
                throw new Refusal(Errno.EEXIST, $"modload: {name}: File exists");
            }

            int? slot = null;
            if (kind == LkmModuleKind.Syscall)
            {
                slot = ChooseSlot(state, details.Slot ?? -1);
            }

            var resolved = SymbolScope.Resolve(session, module, [], s => $"modload: ld: {path}: undefined symbol {s}", Errno.ENOEXEC, notes);
            var (linked, address, size) = session.Link(module, name, resolved);
            var result = new LoadedModule
            {
                Name = name,
                Path = Path.GetFullPath(path),
                Address = address,
                Size = size,
                LkmKind = LkmTypes.ConstantName(kind)[3..],
                Slot = slot,
                Id = Enumerable.Range(0, int.MaxValue).First(i => state.Modules.All(m => m.Id != i)),
            };
            if (slot is { } s)
            {
                state.SyscallSlots[s] = name;
                notes.Add($"sysent[{s}] saved and replaced by {name}'s entry");
            }

            session.Reserve(address, size);
            state.Modules.Add(result);
            session.Changed = true;
            return [LoadEvents.Loaded(result, notes)];
        }
        catch (Refusal r)
        {
            return [LoadEvents.Refused(name, path, r, notes)];
        }
    }

    private static int ChooseSlot(KernelState state, long offset)
    {
        if (offset == -1)
        {
            var (first, last) = LkmSlots(state);
            for (int i = first; i <= last; i++)
            {
                if (!state.SyscallSlots.ContainsKey(i))
                {
                    return i;
                }
            }

            throw new Refusal(Errno.ENFILE, $"modload: no free system call slot in {first}-{last} (all hold loaded modules' entries)");
        }

        long max = state.SettingNumber("syscalls", 256);
        if (offset < 0 || offset >= max)
        {
            throw new Refusal(Errno.EINVAL, $"modload: system call offset {offset} is outside sysent (0..{max - 1})");
        }

        return (int)offset;
    }

    public LoadEvent Unload(KernelSession session, string name, bool force)
    {
        var state = session.State;
        var module = state.Modules.Find(m => m.Name == name || m.Id.ToString(CultureInfo.InvariantCulture) == name);
        try
        {
            if (state.SettingNumber("securelevel", -1) > 0)
            {
                throw new Refusal(Errno.EPERM, "modunload: /dev/lkm: Operation not permitted");
            }

            if (module is null)
            {
                throw new Refusal(Errno.ENOENT, $"modunload: {name}: No such file or directory");
            }

            var notes = new List<string>();
            if (module.Slot is { } slot)
            {
                state.SyscallSlots.Remove(slot);
                notes.Add($"sysent[{slot}] restored to its old entry");
            }

            session.Unload(module);
            return LoadEvents.Unloaded(module, notes);
        }
        catch (Refusal r)
        {
            return LoadEvents.UnloadRefused(name, module?.Path, r);
        }
    }
}
