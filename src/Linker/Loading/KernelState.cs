using System.Text.Json.Serialization;

namespace LkmKit.Linker.Loading;

/// <summary>
/// Everything a model kernel remembers between commands: how it was made, its taint, its module area and the modules
/// loaded into it, in load order. Serialised as the state file (<see cref="StateFile"/>).
/// </summary>
internal sealed class KernelState
{
    public int Format { get; set; } = 1;
    public KernelOs Os { get; set; }
    public string Release { get; set; } = "";
    public string ModulesDirectory { get; set; } = "";
    public List<string> SymbolFiles { get; set; } = [];
    public string? Symvers { get; set; }
    public List<string> Certificates { get; set; } = [];
    public string? KernelImage { get; set; }
    public bool AssumeKernelSymbols { get; set; }
    public SortedDictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The kernel's taint letters (Linux), kept in the kernel's print order.</summary>
    public string Taint { get; set; } = "";

    /// <summary>The architecture modules are linked for, fixed by the first load (or <c>--set arch=</c>).</summary>
    public string? Machine { get; set; }

    /// <summary>The next free address of the module area; null until the first load chooses the area.</summary>
    public ulong? NextAddress { get; set; }

    /// <summary>Event counter used as a clock (NetBSD auto-unload times count in loads).</summary>
    public long Clock { get; set; }

    public List<LoadedModule> Modules { get; set; } = [];

    /// <summary>Legacy lkm(4): sysent slots taken by loaded modules, slot → module.</summary>
    public SortedDictionary<int, string> SyscallSlots { get; set; } = [];

    public string? Setting(string name) => Settings.TryGetValue(name, out var v) ? v : null;

    public long SettingNumber(string name, long fallback) =>
        Settings.TryGetValue(name, out var v) && long.TryParse(v, out long n) ? n : fallback;

    public LoadedModule? Find(string name) => Modules.Find(m => m.Name == name);

    /// <summary>The loaded modules that use <paramref name="name"/>.</summary>
    public IEnumerable<LoadedModule> UsersOf(string name) => Modules.Where(m => m.Uses.Contains(name));
}

/// <summary>One module loaded into the model kernel.</summary>
internal sealed class LoadedModule
{
    public string Name { get; set; } = "";
    public string Path { get; set; } = "";
    public ulong Address { get; set; }
    public ulong Size { get; set; }

    /// <summary>The loaded modules this one depends on (their exports or MODULE_DEPEND/required/OSBundleLibraries).</summary>
    public List<string> Uses { get; set; } = [];

    /// <summary>Taint letters of this module (Linux), e.g. <c>OE</c>.</summary>
    public string Taint { get; set; } = "";
    public bool HasInit { get; set; }
    public bool HasExit { get; set; }

    /// <summary>Loaded only because something needed it (FreeBSD userrefs 0, NetBSD autoload).</summary>
    public bool AsDependency { get; set; }

    /// <summary>NetBSD: clock value after which an autoloaded module may be auto-unloaded.</summary>
    public long? AutoUnloadAt { get; set; }

    public string? Version { get; set; }

    /// <summary>FreeBSD module names / interfaces with versions (<c>name</c> or <c>name.version</c>), a kext's bundle id, NetBSD class.</summary>
    public List<string> Provides { get; set; } = [];

    public List<ExportedSymbol> Exports { get; set; } = [];

    /// <summary>Legacy lkm(4): the kind, the slot taken and what the slot held before.</summary>
    public string? LkmKind { get; set; }
    public int? Slot { get; set; }
    public int Id { get; set; }
}

/// <summary>A symbol a loaded module offers others.</summary>
internal sealed record ExportedSymbol(string Name, ulong Address, bool GplOnly = false, string? Namespace = null, uint? Crc = null);

/// <summary>The kernel a model stands for.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KernelOs>))]
public enum KernelOs
{
    /// <summary>Linux (6.1, Debian's configuration).</summary>
    Linux,
    /// <summary>FreeBSD's kld linker.</summary>
    FreeBsd,
    /// <summary>NetBSD module(9).</summary>
    NetBsd,
    /// <summary>macOS / xnu kexts.</summary>
    MacOs,
    /// <summary>The legacy lkm(4) of NetBSD 1.x, OpenBSD and FreeBSD 2.x.</summary>
    Lkm,
}
