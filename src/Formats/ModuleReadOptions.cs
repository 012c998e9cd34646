using LkmKit.Formats.Flavors.Lkm;

namespace LkmKit.Formats;

/// <summary>
/// Choices a reader cannot make from the file alone. The default (every property null) lets each reader decide
/// from the file and report, as a diagnostic, what it could not decide.
/// </summary>
public sealed record ModuleReadOptions
{
    /// <summary>The options with nothing chosen.</summary>
    public static readonly ModuleReadOptions Default = new();

    /// <summary>
    /// The system (and header era) a legacy LKM was built for, which fixes how its <c>lkm_type</c> number is read
    /// (the numbers differ between NetBSD, OpenBSD and FreeBSD). Null: decide from the file, and where it does not
    /// say, report the raw number with a diagnostic.
    /// </summary>
    public LkmOperatingSystem? LkmOperatingSystem { get; init; }

    /// <summary>
    /// Files larger than this are mapped rather than read (Linux). A caller that looks at a few pages of each file
    /// (<c>lkm info</c>: headers, <c>.modinfo</c>, the signature) maps from 64 KiB and copies no more than it touches;
    /// one that decodes every table reads files whole up to <see cref="IO.ModuleSource.ReadInsteadOfMapLimit"/>.
    /// </summary>
    internal int MapAbove { get; init; } = IO.ModuleSource.ReadInsteadOfMapLimit;
}
