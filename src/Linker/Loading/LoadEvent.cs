namespace LkmKit.Linker.Loading;

/// <summary>
/// What happened to one module in a load or unload: loaded/unloaded with its place, or refused with the errno name and
/// the message the kernel prints. <see cref="Notes"/> carries the other kernel messages (taint warnings) and where
/// the model simplifies.
/// </summary>
public sealed record LoadEvent
{
    /// <summary><c>load</c>, <c>unload</c> or <c>autounload</c>.</summary>
    public required string Event { get; init; }

    /// <summary>The module's name (or the argument, when no module was found).</summary>
    public required string Module { get; init; }

    /// <summary>The module file, when one was found.</summary>
    public string? Path { get; init; }

    /// <summary><c>loaded</c>, <c>unloaded</c>, <c>refused</c>, or <c>already-loaded</c> (modprobe's silent skip).</summary>
    public required string Result { get; init; }

    /// <summary>Where the module was placed.</summary>
    public ulong? Address { get; init; }

    /// <summary>The bytes it occupies in the module area.</summary>
    public ulong? Size { get; init; }

    /// <summary>The error's name (<c>ENOENT</c>…) for a refusal.</summary>
    public string? Errno { get; init; }

    /// <summary>The kernel's message for a refusal.</summary>
    public string? Message { get; init; }

    /// <summary>The module's taint letters after loading (Linux).</summary>
    public string? Taint { get; init; }

    /// <summary>Other kernel messages and the model's simplifications, in the order they arose.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>True for a refusal.</summary>
    public bool Refused => Result == "refused";
}

/// <summary>One loaded module as <c>lkm list</c> shows it.</summary>
/// <param name="Id">The kernel's id for it (kldstat id, lkm id, kext load tag; Linux: position).</param>
/// <param name="Name">Its name.</param>
/// <param name="Path">The file it came from.</param>
/// <param name="Address">Where it is placed.</param>
/// <param name="Size">Its size in the module area.</param>
/// <param name="Refs">Reference count as the OS's tool prints it.</param>
/// <param name="UsedBy">The loaded modules that use it.</param>
/// <param name="Uses">The loaded modules it uses.</param>
/// <param name="Taint">Its taint letters (Linux), else empty.</param>
/// <param name="Version">Its version, where the OS has one (kext CFBundleVersion, FreeBSD module version).</param>
/// <param name="Kind">An OS-specific kind: NetBSD class, lkm type and slot, kext bundle id.</param>
public sealed record ModuleListing(int Id, string Name, string Path, ulong Address, ulong Size, int Refs, IReadOnlyList<string> UsedBy,
    IReadOnlyList<string> Uses, string Taint, string? Version, string? Kind);

/// <summary>How a load is asked for.</summary>
public sealed record LoadOptions
{
    /// <summary>modprobe -f / modload -f / kldload -f: every force the OS has (Linux: vermagic and modversions).</summary>
    public bool Force { get; init; }

    /// <summary>modprobe --force-vermagic (MODULE_INIT_IGNORE_VERMAGIC).</summary>
    public bool ForceVermagic { get; init; }

    /// <summary>modprobe --force-modversion (MODULE_INIT_IGNORE_MODVERSIONS).</summary>
    public bool ForceModversion { get; init; }
}
