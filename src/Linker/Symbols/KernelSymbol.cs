namespace LkmKit.Linker.Symbols;

/// <summary>One symbol a kernel (or an already linked module) offers to the modules being linked.</summary>
/// <param name="Name">The symbol name.</param>
/// <param name="Address">Its address, or null when the source carries none (Module.symvers).</param>
/// <param name="TypeLetter">The <c>nm</c> type letter (upper case = global), or <c>'?'</c> when unknown.</param>
/// <param name="Crc">The modversions CRC, when the source carries one.</param>
/// <param name="ExportType">The export macro, e.g. <c>EXPORT_SYMBOL_GPL</c>, when known.</param>
/// <param name="Namespace">The symbol namespace, when the export has one.</param>
/// <param name="Owner">Who defines it: <c>vmlinux</c>, a module name, or the source file.</param>
public sealed record KernelSymbol(
    string Name,
    ulong? Address,
    char TypeLetter,
    uint? Crc = null,
    string? ExportType = null,
    string? Namespace = null,
    string? Owner = null)
{
    /// <summary>True for a global entry (an upper-case <c>nm</c> type letter).</summary>
    public bool IsGlobal => char.IsUpper(TypeLetter);

    /// <summary>True when, of two entries with one name in one source, <paramref name="candidate"/> (the later) wins over <paramref name="earlier"/>.</summary>
    public static bool Prefers(KernelSymbol candidate, KernelSymbol earlier) => candidate.IsGlobal && !earlier.IsGlobal;

    /// <summary>
    /// One name from two sources: the first source's address wins; a CRC, export type or namespace comes from
    /// whichever carries it.
    /// </summary>
    public static KernelSymbol Merge(KernelSymbol first, KernelSymbol later) =>
        first with
        {
            Address = first.Address ?? later.Address,
            TypeLetter = first.Address is null && later.Address is not null ? later.TypeLetter : first.TypeLetter,
            Crc = first.Crc ?? later.Crc,
            ExportType = first.ExportType ?? later.ExportType,
            Namespace = first.Namespace ?? later.Namespace,
            Owner = first.Address is null && later.Address is not null ? later.Owner ?? first.Owner : first.Owner ?? later.Owner,
        };
}
