using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;
using LkmKit.Linker.Indexing;

namespace LkmKit.Linker.Loading.Linux;

/// <summary>
/// Linux 6.1 as Debian configures it (MODVERSIONS, FORCE_LOAD, FORCE_UNLOAD, STRICT_MODULE_RWX, MODULE_SIG without
/// FORCE): modprobe's order, then load_module's checks in its order, each with its errno and the kernel's message.
/// </summary>
internal sealed class LinuxPolicy(ISignatureCheck signatures) : IKernelPolicy
{
    private static readonly string[] GplCompatible = ["GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"];
    private LinuxExports? _exports;
    
    public LinuxPolicy() : this(new VerifierSignatureCheck())
    {
    }

    public IReadOnlyList<string> Simplifications { get; } =
    [
        "model: init functions are not run (init() is taken to return 0); module parameters are not parsed",
        "model: modprobe's order comes from the tree's modules.dep/alias/softdep (LkmKit.Linker.Indexing); no modprobe.d of the host is read, install commands are not run",
        "model: the module area is a bump allocator; sizes are the shared linker's layout",
    ];

    private LinuxExports Exports(KernelSession session) => _exports ??= new LinuxExports(session);

    public IEnumerable<LoadEvent> Load(KernelSession session, string argument, LoadOptions options)
    {
        bool byPath = File.Exists(argument);
        string name = byPath ? LinuxModuleNames.NameOfFile(argument) : argument;
        List<(string Name, string Path)> order = [];
        string? failure = null;
        try
        {
            order = Order(session, argument, byPath, name);
        }
        catch (Exception e) when (e is ModuleFormatException or IOException or LinkException)
        {
            failure = $"modprobe: FATAL: {e.Message}";
        }

        if (failure is not null || (order.Count == 0 && !byPath))
        {
            yield return LoadEvents.Refused(name, null, new Refusal(Errno.ENOENT, failure ?? $"modprobe: FATAL: Module {argument} not found in directory {session.State.ModulesDirectory}"));
            yield break;
        }

        if (order.Count == 0)
        {
            order.Add((name, argument)); // a file the tree's indexes do not know: insmod semantics
        }

        foreach (var (stepName, step) in order)
        {
            bool requested = byPath ? step == argument : _requested.Contains(stepName);
            if (session.State.Find(LinuxModuleNames.Normalize(stepName)) is not null && !(byPath && step == argument))
            {
                // modprobe skips what /sys/module already lists; insmod of a path goes to the kernel (EEXIST).
                if (requested)
                {
                    yield return new LoadEvent { Event = "load", Module = stepName, Path = step, Result = "already-loaded" };
                }

                continue;
            }

            LoadEvent result;
            try
            {
                result = LoadOne(session, session.Open(step), step, options);
            }
            catch (Refusal r)
            {
                result = LoadEvents.Refused(stepName, step, r);
            }

            yield return result;
            if (result.Refused)
            {
                yield break;
            }
        }
    }

    private readonly HashSet<string> _requested = new(StringComparer.Ordinal);

    /// <summary>
    /// modprobe's load list through <see cref="ModuleResolver"/> (modules.dep/alias/symbols/builtin, softdeps; no host
    /// modprobe.d): built-in modules are skipped; a path argument takes the place of its module in its own list.
    /// </summary>
    private List<(string Name, string Path)> Order(KernelSession session, string argument, bool byPath, string name)
    {
        _resolver ??= ModuleResolver.Open(new ModuleResolverOptions { ModuleDirectory = session.State.ModulesDirectory, ConfigPaths = [] });
        var result = new List<(string, string)>();
        _requested.Clear();
        foreach (var plan in _resolver.Resolve(byPath ? name : argument))
        {
            foreach (var m in plan.Modules)
            {
                if (m.IsBuiltin || m.Path is null)
                {
                    continue;
                }

                if (m.Reason == ModuleInclusion.Requested)
                {
                    _requested.Add(m.Name);
                }

                result.Add((m.Name, byPath && m.Reason == ModuleInclusion.Requested ? argument : m.Path));
            }
        }

        return result;
    }

    private ModuleResolver? _resolver;

    private LoadEvent LoadOne(KernelSession session, KernelModule module, string path, LoadOptions options)
    {
        string name = module.Name ?? LinuxModuleNames.NameOfFile(path);
        var notes = new List<string>();
        try
        {
            return Check(session, module, name, path, options, notes);
        }
        catch (Refusal r)
        {
            return LoadEvents.Refused(name, path, r, notes);
        }
    }

    private LoadEvent Check(KernelSession session, KernelModule module, string name, string path, LoadOptions options, List<string> notes)
    {
        var state = session.State;
        bool ignoreVermagic = options.Force || options.ForceVermagic, ignoreModversions = options.Force || options.ForceModversion;

        // may_init_module
        if (state.SettingNumber("modules_disabled", 0) != 0)
        {
            throw new Refusal(Errno.EPERM, "Operation not permitted (kernel.modules_disabled=1)");
        }

        // 1. module_sig_check: a forced ("mangled") load is treated as unsigned.
        bool sigOk = CheckSignature(state, module, name, ignoreVermagic || ignoreModversions, notes);

        // 2. elf_validity_check, 3. setup_load_info
        CheckElf(state, module, name);

        // 4. blacklisted
        if (state.Setting("module_blacklist") is { } blacklist && blacklist.Split(',').Select(LinuxModuleNames.Normalize).Contains(LinuxModuleNames.Normalize(name)))
        {
            throw new Refusal(Errno.EPERM, $"Module {name} is blacklisted");
        }

        var details = module.Details as LinuxModuleDetails;
        bool hasVersions = module.Sections.Any(s => s.Name == "__versions") && !ignoreModversions;
        var versions = hasVersions && details is not null ? details.SymbolVersions.ToDictionary(v => v.Name, v => v.Crc, StringComparer.Ordinal) : null;
        var exports = Exports(session);
        string taint = "";

        // 6. check_modstruct_version
        if (exports.KernelHasModversions)
        {
            if (!CheckVersion(name, "module_layout", exports.ModuleLayoutCrc, versions, ref taint, notes))
            {
                throw new Refusal(Errno.ENOEXEC, notes[^1]);
            }
        }
        else
        {
            notes.Add("model: no Module.symvers with CRCs was given, so modversions are not checked");
        }

        // 7. check_modinfo
        string kernelMagic = state.Setting("vermagic") ?? $"{state.Release} SMP preempt mod_unload modversions ";
        string? moduleMagic = details?.VersionMagic?.Raw ?? module.GetMetadata("vermagic").FirstOrDefault();
        if (ignoreVermagic || moduleMagic is null)
        {
            ForceLoad(name, "bad vermagic", ref taint, notes);
        }
        else if (!SameMagic(moduleMagic, kernelMagic, versions is not null))
        {
            throw new Refusal(Errno.ENOEXEC, $"{name}: version magic '{moduleMagic}' should be '{kernelMagic}'");
        }

        if (state.Setting("vermagic") is null)
        {
            notes.Add($"model: the kernel's vermagic is taken as '{kernelMagic}' (Debian amd64; --set vermagic=… to change)");
        }

        if (module.GetMetadata("livepatch").Any() && state.Setting("livepatch") == "n")
        {
            throw new Refusal(Errno.ENOEXEC, $"{name}: module is marked as livepatch module, but livepatch support is disabled");
        }

        if (details?.InTree != true)
        {
            taint = Taint(taint, LinuxTaint.OutOfTree, $"{name}: loading out-of-tree module taints kernel.", notes);
        }

        if (details?.Staging == true)
        {
            taint = Taint(taint, LinuxTaint.Crap, $"{name}: module is from the staging directory, the quality is unknown, you have been warned.", notes);
        }

        if (module.GetMetadata("test").Any())
        {
            taint = Taint(taint, LinuxTaint.Test, $"{name}: loading test module taints kernel.", notes);
        }

        if (module.GetMetadata("livepatch").Any())
        {
            taint = Taint(taint, LinuxTaint.Livepatch, $"{name}: module is marked as livepatch module", notes);
        }

        string license = module.GetMetadata("license").FirstOrDefault() ?? "unspecified";
        bool gplOk = GplCompatible.Contains(license);
        if (!gplOk)
        {
            taint = Taint(taint, LinuxTaint.Proprietary, $"{name}: module license '{license}' taints kernel.", notes);
        }

        // 8. module_enforce_rwx_sections (STRICT_MODULE_RWX)
        foreach (var section in module.Sections)
        {
            if ((section.RawFlags & (ElfConstants.ShfWrite | ElfConstants.ShfExecInstr)) == (ElfConstants.ShfWrite | ElfConstants.ShfExecInstr))
            {
                throw new Refusal(Errno.ENOEXEC, $"{name}: section {section.Name} is writable and executable (STRICT_MODULE_RWX)");
            }
        }

        // 10. add_unformed_module
        if (state.Find(name) is not null)
        {
            throw new Refusal(Errno.EEXIST, $"{name}: module is already loaded (File exists)");
        }

        // 11. unsigned
        if (!sigOk)
        {
            taint = Taint(taint, LinuxTaint.Unsigned, $"{name}: module verification failed: signature and/or required key missing - tainting kernel", notes);
        }

        // 12. find_module_sections
        if (module.Sections.Any(s => s.Name == ".ctors") && module.Sections.Any(s => s.Name == ".init_array"))
        {
            throw new Refusal(Errno.EINVAL, $"{name}: has both .ctors and .init_array.");
        }

        // 13. check_module_license_and_versions
        if (name is "driverloader" or "lve")
        {
            taint = LinuxTaint.Add(taint, LinuxTaint.Proprietary);
        }

        if (exports.KernelHasModversions && module.Exports.Any(e => e.Crc is null))
        {
            ForceLoad(name, "no versions for exported symbols", ref taint, notes);
        }

        // 14. simplify_symbols
        var (resolved, uses) = ResolveSymbols(session, module, name, gplOk, versions, ref taint, notes);

        // 15. apply_relocations (the shared linker), 16. verify_exported_symbols
        foreach (var export in module.Exports)
        {
            if (exports.OwnerOf(export.Name) is { } owner)
            {
                throw new Refusal(Errno.ENOEXEC, $"{name}: exports duplicate symbol {export.Name} (owned by {owner})");
            }
        }

        var (linked, address, size) = session.Link(module, name, resolved);
        var defined = KernelSession.Definitions(linked);
        var loaded = new LoadedModule
        {
            Name = name,
            Path = Path.GetFullPath(path),
            Address = address,
            Size = size,
            Uses = uses,
            Taint = taint,
            HasInit = details?.InitFieldOffset is not null || module.EntryPoints.Any(e => e.Kind == EntryPointKind.Init),
            HasExit = details?.ExitFieldOffset is not null || module.EntryPoints.Any(e => e.Kind == EntryPointKind.Exit),
            Version = module.Version,
            Exports = module.Exports.Where(e => defined.ContainsKey(e.Name))
                .Select(e => new ExportedSymbol(e.Name, defined[e.Name], e.GplOnly, e.Namespace, e.Crc)).ToList(),
        };
        session.Reserve(address, size);
        state.Modules.Add(loaded);
        state.Taint = LinuxTaint.Union(state.Taint, taint);
        exports.Add(loaded);
        session.Changed = true;
        return LoadEvents.Loaded(loaded, notes);
    }

    private bool CheckSignature(KernelState state, KernelModule module, string name, bool mangled, List<string> notes)
    {
        var outcome = mangled ? new SignatureOutcome(Errno.ENODATA) : signatures.Check(module, state);
        if (outcome.Note is not null && outcome.MeansUnsigned)
        {
            notes.Add(outcome.Note);
        }

        if (outcome.Errno is null)
        {
            return true;
        }

        if (!outcome.MeansUnsigned)
        {
            throw new Refusal(outcome.Errno, $"{name}: module signature verification failed: {outcome.Note ?? outcome.Errno}");
        }

        if (state.SettingNumber("sig_enforce", 0) != 0 || state.Setting("sig_enforce") is "Y" or "y")
        {
            string reason = outcome.Errno switch
            {
                Errno.ENOKEY => "module with unavailable key",
                Errno.ENOPKG => "module with unsupported crypto",
                _ => "unsigned module",
            };
            throw new Refusal(Errno.EKEYREJECTED, $"Loading of {reason} is rejected");
        }

        if (state.Setting("lockdown") is "integrity" or "confidentiality")
        {
            throw new Refusal(Errno.EPERM, "Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7");
        }

        return false;
    }

    private static void CheckElf(KernelState state, KernelModule module, string name)
    {
        if (module.Container != ContainerFormat.Elf || module.Flavor != ModuleFlavor.Linux)
        {
            throw new Refusal(Errno.ENOEXEC, $"{module.Path}: Invalid ELF header magic: != ELFMAG (not a Linux module: {module.Container}/{module.Flavor})");
        }

        if (module.FileKind != ModuleFileKind.Relocatable)
        {
            throw new Refusal(Errno.ENOEXEC, $"Invalid ELF header type: {module.FileType} != ET_REL");
        }

        state.Machine ??= module.Machine.ToString();
        if (module.Machine.ToString() != state.Machine)
        {
            throw new Refusal(Errno.ENOEXEC, $"Invalid architecture in ELF header: {module.RawMachine} ({module.Machine}; the kernel is {state.Machine})");
        }

        if (!module.Sections.Any(s => s.Name == ".symtab"))
        {
            throw new Refusal(Errno.ENOEXEC, $"{name}: module has no symbols (stripped?)");
        }

        if (!module.Sections.Any(s => s.Name == ".gnu.linkonce.this_module" && (s.RawFlags & ElfConstants.ShfAlloc) != 0))
        {
            throw new Refusal(Errno.ENOEXEC, "No module found in object");
        }
    }

    /// <summary>same_magic: with modversions only the part after the first space counts.</summary>
    private static bool SameMagic(string module, string kernel, bool hasCrcs)
    {
        if (hasCrcs)
        {
            int a = module.IndexOf(' '), b = kernel.IndexOf(' ');
            module = a >= 0 ? module[a..] : module;
            kernel = b >= 0 ? kernel[b..] : kernel;
        }

        return module == kernel;
    }

    /// <summary>check_version with Debian's refusal of a missing entry; a module without versions is force-loaded (taint F).</summary>
    private static bool CheckVersion(string name, string symbol, uint? exporterCrc, Dictionary<string, uint>? versions, ref string taint, List<string> notes)
    {
        if (exporterCrc is null)
        {
            return true;
        }

        if (versions is null)
        {
            ForceLoad(name, symbol, ref taint, notes);
            return true;
        }

        if (versions.TryGetValue(symbol, out uint crc))
        {
            if (crc == exporterCrc)
            {
                return true;
            }

            notes.Add($"{name}: disagrees about version of symbol {symbol}");
            return false;
        }

        notes.Add($"{name}: no symbol version for {symbol}");
        return false;
    }

    private static void ForceLoad(string name, string reason, ref string taint, List<string> notes)
    {
        taint = LinuxTaint.Add(taint, LinuxTaint.Forced);
        notes.Add($"{name}: {reason}: kernel tainted.");
    }

    private static string Taint(string taint, char letter, string message, List<string> notes)
    {
        notes.Add(message);
        return LinuxTaint.Add(taint, letter);
    }

    private (Dictionary<string, ulong> Resolved, List<string> Uses) ResolveSymbols(KernelSession session, KernelModule module, string name, bool gplOk,
        Dictionary<string, uint>? versions, ref string taint, List<string> notes)
    {
        var state = session.State;
        var exports = Exports(session);
        var resolved = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var uses = new List<string>();
        var namespaces = module.GetMetadata("import_ns").ToHashSet(StringComparer.Ordinal);
        bool usedGplOnly = false;
        Refusal? last = null;
        var undefined = module.Symbols.Where(s => s.Index > 0 && s.Definition == SymbolDefinition.Undefined && s.Name.Length > 0).ToList();
        if (undefined.Count > 0)
        {
            session.KernelSymbols?.Prepare(undefined.Select(s => s.Name).ToHashSet(StringComparer.Ordinal));
        }

        foreach (var symbol in module.Symbols)
        {
            if (symbol.Definition == SymbolDefinition.Common && !symbol.Name.StartsWith("__gnu_lto", StringComparison.Ordinal))
            {
                throw new Refusal(Errno.ENOEXEC, $"{name}: please compile with -fno-common");
            }
        }

        foreach (var symbol in undefined)
        {
            string? error = null;
            var export = exports.Find(symbol.Name, gplOk);
            if (export is null && state.AssumeKernelSymbols && exports.OwnerOf(symbol.Name) is null && state.Symvers is null && state.SymbolFiles.Count == 0)
            {
                export = new LinuxExport(symbol.Name, "vmlinux", null, false, null, null);
            }

            if (export is null)
            {
                if (symbol.Binding == SymbolBinding.Weak || symbol.Name == "_GLOBAL_OFFSET_TABLE_")
                {
                    continue;
                }

                error = Errno.ENOENT;
            }
            else
            {
                if (export.Owner != "vmlinux" && state.Find(export.Owner) is { } owner && owner.Taint.Contains(LinuxTaint.Proprietary))
                {
                    if (usedGplOnly)
                    {
                        notes.Add($"{name}: module using GPL-only symbols uses symbols {symbol.Name} from proprietary module {owner.Name}.");
                        error = Errno.ENOENT;
                    }
                    else
                    {
                        taint = LinuxTaint.Add(taint, LinuxTaint.Proprietary);
                        notes.Add($"{name}: module uses symbols {symbol.Name} from proprietary module {owner.Name}, inheriting taint.");
                    }
                }

                usedGplOnly |= export.GplOnly;
                if (error is null && !CheckVersion(name, symbol.Name, export.Crc, versions, ref taint, notes))
                {
                    error = Errno.EINVAL;
                }

                if (error is null && !string.IsNullOrEmpty(export.Namespace) && !namespaces.Contains(export.Namespace))
                {
                    notes.Add($"{name}: module uses symbol ({symbol.Name}) from namespace {export.Namespace}, but does not import it.");
                    error = Errno.EINVAL;
                }

                if (error is null)
                {
                    ulong? address = export.Address ?? session.KernelAddress(symbol.Name);
                    if (address is null)
                    {
                        if (!state.AssumeKernelSymbols)
                        {
                            notes.Add($"model: {symbol.Name} is exported by vmlinux but no --symbols file gives its address (use --assume-kernel-symbols)");
                            error = Errno.ENOENT;
                        }
                        else
                        {
                            address = KernelSession.SyntheticAddress(symbol.Name, module.Bits);
                            AssumedNote(notes);
                        }
                    }

                    if (address is { } a)
                    {
                        resolved[symbol.Name] = a;
                        if (export.Owner != "vmlinux" && !uses.Contains(export.Owner))
                        {
                            uses.Add(export.Owner);
                        }
                    }
                }
            }

            if (error is not null)
            {
                last = new Refusal(error, $"{name}: Unknown symbol {symbol.Name} (err -{Errno.Linux(error)})");
                notes.Add(last.Message);
            }
        }

        if (last is not null)
        {
            notes.RemoveAt(notes.LastIndexOf(last.Message));
            throw last;
        }

        return (resolved, uses);
    }

    private static void AssumedNote(List<string> notes)
    {
        const string note = "model: kernel symbols without a known address resolve to synthetic addresses (--assume-kernel-symbols)";
        if (!notes.Contains(note))
        {
            notes.Add(note);
        }
    }

    public LoadEvent Unload(KernelSession session, string name, bool force)
    {
        var state = session.State;
        string normalized = LinuxModuleNames.Normalize(name);
        var module = state.Modules.Find(m => LinuxModuleNames.Normalize(m.Name) == normalized);
        try
        {
            if (state.SettingNumber("modules_disabled", 0) != 0)
            {
                throw new Refusal(Errno.EPERM, "Operation not permitted (kernel.modules_disabled=1)");
            }

            if (module is null)
            {
                throw new Refusal(Errno.ENOENT, $"rmmod: ERROR: Module {name} is not currently loaded");
            }

            var users = state.UsersOf(module.Name).Select(m => m.Name).ToList();
            if (users.Count > 0)
            {
                throw new Refusal(Errno.EWOULDBLOCK, $"rmmod: ERROR: Module {module.Name} is in use by: {string.Join(' ', users)}");
            }

            var notes = new List<string>();
            if (module.HasInit && !module.HasExit)
            {
                if (!force)
                {
                    throw new Refusal(Errno.EBUSY, $"rmmod: ERROR: could not remove module {module.Name}: Device or resource busy (it has an init function but no exit function)");
                }
            }

            if (force)
            {
                state.Taint = LinuxTaint.Add(state.Taint, LinuxTaint.ForcedRmmod);
                notes.Add("Disabling lock debugging due to kernel taint (forced unload, taint R)");
            }

            session.Unload(module);
            Exports(session).Remove(module);
            return LoadEvents.Unloaded(module, notes);
        }
        catch (Refusal r)
        {
            return LoadEvents.UnloadRefused(module?.Name ?? name, module?.Path, r);
        }
    }
}
