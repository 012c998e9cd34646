namespace LkmKit.Linker.Indexing;

/// <summary>What <see cref="Depmod"/> indexes and how; the meanings follow kmod's <c>depmod</c> options.</summary>
public sealed class DepmodOptions
{
    /// <summary>The root the module directory lives under (<c>-b</c>); <c>/</c> for the running system.</summary>
    public string BaseDirectory { get; init; } = "/";
    /// <summary>The kernel release whose <c>lib/modules/KREL</c> is indexed.</summary>
    public required string KernelRelease { get; init; }
    /// <summary>depmod.d files or directories (<c>-C</c>); null reads kmod's default directories.</summary>
    public IReadOnlyList<string>? ConfigPaths { get; init; }
    /// <summary>The kernel's <c>System.map</c> (<c>-F</c>): its <c>__ksymtab_</c> names become kernel symbols.</summary>
    public string? SystemMap { get; init; }
    /// <summary>The kernel's <c>Module.symvers</c> (<c>-E</c>): vmlinux symbols with CRCs; wins over <see cref="SystemMap"/>.</summary>
    public string? ModuleSymvers { get; init; }
    /// <summary>Report unknown symbols and, with <see cref="ModuleSymvers"/>, CRC disagreements (<c>-e</c>).</summary>
    public bool ReportSymbolErrors { get; init; }
    /// <summary>Build only the text indexes (what <c>depmod -n</c> prints); the binary ones come out empty.</summary>
    public bool TextOnly { get; init; }
    /// <summary>
    /// Index only these module files (<c>depmod KREL FILE...</c>) instead of searching the module directory; each
    /// path must be absolute. depmod.d is not read then, and a file outside the module directory keeps its absolute
    /// path in the indexes. Null (the default) searches the whole directory.
    /// </summary>
    public IReadOnlyList<string>? Modules { get; init; }
    /// <summary>A character some architectures put before every symbol name (<c>-P</c>), ignored when matching; '\0' for none.</summary>
    public char SymbolPrefix { get; init; }
    /// <summary>Warn when a binary index receives the same key and value twice (<c>-w</c>).</summary>
    public bool WarnDuplicates { get; init; }
    /// <summary>Called with depmod's <c>-v</c> line for each dependency found: <c>PATH needs "SYMBOL": OWNER-PATH</c>.</summary>
    internal Action<string>? ShowDependency { get; init; }
    /// <summary>Threads used to read modules (the output does not depend on it); 0 uses every core.</summary>
    public int MaxParallelism { get; init; }

    /// <summary>The directory indexed: <c>BASEDIR/lib/modules/KREL</c>, made absolute as depmod does.</summary>
    public string ModuleDirectory => Path.Combine(Path.GetFullPath(BaseDirectory), "lib/modules", KernelRelease);
}

/// <summary>How serious a message from depmod is.</summary>
internal enum DepmodMessageKind
{
    /// <summary>Printed as <c>WARNING:</c>; the indexes are still written.</summary>
    Warning,
    /// <summary>Printed as <c>ERROR:</c>; a file was skipped or is indexed without its contents.</summary>
    Error,
}

/// <summary>One message, in the words kmod's depmod uses (without the program name).</summary>
/// <param name="Kind">Warning or error.</param>
/// <param name="Text">The message text.</param>
internal readonly record struct DepmodMessage(DepmodMessageKind Kind, string Text)
{
    /// <inheritdoc />
    public override string ToString() => (Kind == DepmodMessageKind.Warning ? "WARNING: " : "ERROR: ") + Text;
}

/// <summary>One output file of depmod: its name in the module directory and its bytes.</summary>
/// <param name="Name">File name, e.g. <c>modules.dep.bin</c>.</param>
/// <param name="Contents">The bytes depmod writes.</param>
/// <param name="IsText">True for the text indexes (the ones <c>depmod -n</c> prints).</param>
public sealed record DepmodFile(string Name, byte[] Contents, bool IsText);
