using LkmKit.Formats.Model;
using LkmKit.Linker.Loading.Linux;

namespace LkmKit.Linker.Loading;

/// <summary>How <c>lkm kernel new</c> describes a model kernel.</summary>
public sealed record KernelSettings
{
    /// <summary>Which kernel.</summary>
    public required KernelOs Os { get; init; }

    /// <summary>Linux <c>uname -r</c>, FreeBSD <c>__FreeBSD_version</c>, NetBSD release, Darwin version; lkm: free text.</summary>
    public required string Release { get; init; }

    /// <summary>Where the kernel finds modules by name.</summary>
    public required string ModulesDirectory { get; init; }

    /// <summary>The kernel's symbols: System.map, kallsyms, a kernel ELF image.</summary>
    public IReadOnlyList<string> SymbolFiles { get; init; } = [];

    /// <summary>Linux Module.symvers (vmlinux's exports with CRCs, GPL-only flags and namespaces).</summary>
    public string? Symvers { get; init; }

    /// <summary>Certificates the kernel trusts for module signatures.</summary>
    public IReadOnlyList<string> Certificates { get; init; } = [];

    /// <summary>The kernel image (its built-in certificates).</summary>
    public string? KernelImage { get; init; }

    /// <summary>Resolve a symbol no symbol table gives an address to a synthetic kernel address.</summary>
    public bool AssumeKernelSymbols { get; init; }

    /// <summary><c>NAME=VALUE</c> settings (modules_disabled, sig_enforce, lockdown, securelevel, system, slots…).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A model of one kernel's module subsystem, kept in a state file: load and unload modules with that kernel's rules, in
/// its order, linking each with the shared linker at an address from the model's allocator.
/// </summary>
public sealed class ModelKernel : IDisposable
{
    private readonly KernelSession _session;
    private readonly IKernelPolicy _policy;

    private ModelKernel(KernelState state)
    {
        _session = new KernelSession(state);
        _policy = PolicyFor(state.Os);
    }

    /// <summary>The kernel this models.</summary>
    public KernelOs Os => _session.State.Os;

    /// <summary>The release it was made for.</summary>
    public string Release => _session.State.Release;

    /// <summary>The kernel's taint letters (Linux).</summary>
    public string Taint => _session.State.Taint;

    /// <summary>Where this kernel's model simplifies.</summary>
    public IReadOnlyList<string> Simplifications => _policy.Simplifications;

    /// <summary>True when a load or unload changed the state since it was read.</summary>
    public bool Changed => _session.Changed;

    /// <summary>Makes a new model kernel with nothing loaded.</summary>
    /// <exception cref="LoaderException">A file it names does not exist, or a setting is not understood.</exception>
    public static ModelKernel Create(KernelSettings settings)
    {
        foreach (var file in settings.SymbolFiles.Concat(settings.Certificates).Append(settings.Symvers).Append(settings.KernelImage))
        {
            if (file is not null && !File.Exists(file))
            {
                throw new LoaderException($"{file}: No such file");
            }
        }

        if (!Directory.Exists(settings.ModulesDirectory))
        {
            throw new LoaderException($"{settings.ModulesDirectory}: No such directory");
        }

        var state = new KernelState
        {
            Os = settings.Os,
            Release = settings.Release,
            ModulesDirectory = Path.GetFullPath(settings.ModulesDirectory),
            SymbolFiles = settings.SymbolFiles.Select(Path.GetFullPath).ToList(),
            Symvers = settings.Symvers is null ? null : Path.GetFullPath(settings.Symvers),
            Certificates = settings.Certificates.Select(Path.GetFullPath).ToList(),
            KernelImage = settings.KernelImage is null ? null : Path.GetFullPath(settings.KernelImage),
            AssumeKernelSymbols = settings.AssumeKernelSymbols,
        };
        foreach (var (key, value) in settings.Settings)
        {
            state.Settings[key] = value;
        }

        if (state.Setting("arch") is { } arch)
        {
            state.Machine = MachineSetting(arch).ToString();
        }

        var kernel = new ModelKernel(state);
        kernel._policy.Validate(state);
        kernel._session.Changed = true;
        return kernel;
    }

    /// <summary>
    /// The architecture <c>--set arch=</c> names: the names <c>lkm info</c> and the kernels' build systems print
    /// (i386, x86_64, amd64, aarch64, arm64…) or the model's own enum name, in any case.
    /// </summary>
    private static MachineArchitecture MachineSetting(string name) => name.ToLowerInvariant() switch
    {
        "i386" or "i486" or "i586" or "i686" or "x86" => MachineArchitecture.X86,
        "x86_64" or "amd64" or "x64" => MachineArchitecture.X86_64,
        "aarch64" or "arm64" => MachineArchitecture.AArch64,
        _ when Enum.TryParse<MachineArchitecture>(name, ignoreCase: true, out var machine) && Enum.IsDefined(machine) => machine,
        _ => throw new LoaderException($"arch={name}: not an architecture (i386, x86_64, aarch64, or another name lkm info prints)"),
    };

    /// <summary>Reads a model kernel from its state file.</summary>
    /// <exception cref="LoaderException">The file is not a state file.</exception>
    public static ModelKernel Open(string statePath) => new(StateFile.Read(statePath));

    /// <summary>Writes the state atomically (a temporary file renamed over <paramref name="statePath"/>).</summary>
    public void Save(string statePath) => StateFile.Write(statePath, _session.State);

    /// <summary>Loads each argument (name, alias or path) and what it needs; one event per module tried.</summary>
    public IEnumerable<LoadEvent> Load(IEnumerable<string> arguments, LoadOptions options)
    {
        foreach (var e in _policy.Tick(_session))
        {
            yield return e;
        }

        foreach (var argument in arguments)
        {
            foreach (var e in _policy.Load(_session, argument, options))
            {
                yield return e;
            }

            _session.CloseFiles();
        }
    }

    /// <summary>Unloads the named modules in the order given.</summary>
    public IEnumerable<LoadEvent> Unload(IEnumerable<string> names, bool force)
    {
        foreach (var e in _policy.Tick(_session))
        {
            yield return e;
        }

        foreach (var name in names)
        {
            yield return _policy.Unload(_session, name, force);
        }
    }

    /// <summary>The loaded modules in load order.</summary>
    public IReadOnlyList<ModuleListing> List()
    {
        var state = _session.State;
        return state.Modules.Select((m, i) => new ModuleListing(
            m.Id > 0 || state.Os == KernelOs.Lkm ? m.Id : i + 1, m.Name, m.Path, m.Address, m.Size, _policy.RefsOf(_session, m),
            state.UsersOf(m.Name).Select(u => u.Name).ToList(), m.Uses, m.Taint, m.Version, KindOf(m))).ToList();
    }

    private static string? KindOf(LoadedModule m) => m.LkmKind is { } kind
        ? m.Slot is { } slot ? $"{kind} {slot}" : kind
        : m.Provides.Count > 0 ? string.Join(',', m.Provides) : null;

    private static IKernelPolicy PolicyFor(KernelOs os) => os switch
    {
        KernelOs.Linux => new LinuxPolicy(),
        KernelOs.FreeBsd => new FreeBsd.FreeBsdPolicy(),
        KernelOs.NetBsd => new NetBsd.NetBsdPolicy(),
        KernelOs.MacOs => new MacOs.MacOsPolicy(),
        _ => new Lkm.LkmPolicy(),
    };

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
