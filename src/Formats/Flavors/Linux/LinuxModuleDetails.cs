using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.Linux;

/// <summary>One <c>__versions</c> record: a symbol and the CRC the module was built against.</summary>
/// <param name="Name">Symbol name.</param>
/// <param name="Crc">The CRC.</param>
public sealed record SymbolVersion(string Name, uint Crc);

/// <summary>Facts only Linux modules have.</summary>
public sealed class LinuxModuleDetails : FlavorDetails
{
    internal LinuxModuleDetails()
    {
    }

    private ulong? _initFieldOffset;
    private ulong? _exitFieldOffset;

    /// <summary>Reads the entry points, which also finds the init/exit field offsets (set by the reader).</summary>
    internal Action? LoadEntryPoints { get; set; }

    /// <summary>The parsed <c>vermagic=</c>, or null if absent.</summary>
    internal VersionMagic? VersionMagic { get; set; }
    /// <summary><c>srcversion=</c>: a hash of the module's sources.</summary>
    public string? SourceVersion { get; internal set; }
    /// <summary>Built in the kernel tree (<c>intree=Y</c>).</summary>
    public bool InTree { get; internal set; }
    /// <summary>Built with retpolines (<c>retpoline=Y</c>).</summary>
    public bool Retpoline { get; internal set; }
    /// <summary>A staging driver (<c>staging=Y</c>).</summary>
    public bool Staging { get; internal set; }
    /// <summary>Symbol namespaces the module imports (<c>import_ns=</c>).</summary>
    public IReadOnlyList<string> ImportedNamespaces => ImportedNamespacesList;

    /// <summary>The list behind <see cref="ImportedNamespaces"/>, which the reader fills.</summary>
    internal List<string> ImportedNamespacesList { get; } = [];
    /// <summary>Every <c>__versions</c> record in file order, <c>module_layout</c> included.</summary>
    public IReadOnlyList<SymbolVersion> SymbolVersions => DeferredSymbolVersions;

    /// <summary>The list behind <see cref="SymbolVersions"/>, which the reader fills or defers.</summary>
    internal LazyList<SymbolVersion> DeferredSymbolVersions { get; } = new();
    /// <summary>Size of <c>.gnu.linkonce.this_module</c>: the target kernel's <c>sizeof(struct module)</c>.</summary>
    public ulong StructModuleSize { get; internal set; }
    /// <summary>Offset of the <c>init</c> pointer in struct module, from its relocation, or null.</summary>
    public ulong? InitFieldOffset
    {
        get
        {
            EnsureEntryPoints();
            return _initFieldOffset;
        }

        internal set => _initFieldOffset = value;
    }
    /// <summary>Offset of the <c>exit</c> pointer in struct module, from its relocation, or null.</summary>
    public ulong? ExitFieldOffset
    {
        get
        {
            EnsureEntryPoints();
            return _exitFieldOffset;
        }

        internal set => _exitFieldOffset = value;
    }
    /// <summary>The name stored in struct module.</summary>
    public string? StructModuleName { get; internal set; }
    /// <summary>The <c>.note.Linux</c> build salt (usually the kernel release).</summary>
    public string? BuildSalt { get; internal set; }
    /// <summary>The GNU build id in hexadecimal.</summary>
    public string? BuildId { get; internal set; }
    /// <summary>Length of the ELF image before any signature trailer.</summary>
    public long ElfLength { get; internal set; }

    // Forces the module's entry points (a LazyList) on every read instead of clearing the action after the first: the
    // list runs its producer once and makes other threads wait for it, so no thread can see the offsets before they are set.
    private void EnsureEntryPoints() => LoadEntryPoints?.Invoke();
}
