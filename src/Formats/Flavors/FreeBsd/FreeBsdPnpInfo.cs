namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>
/// One field of a PnP table in the form <c>kldxref</c> writes to <c>linker.hints</c>: the converted type letter
/// (I J G L M = 32-bit integer, D Z = string, T = no value), the key, and where the value lives in a table entry.
/// </summary>
/// <param name="Type">Converted type letter: I, J, G, L, M, D, Z or T.</param>
/// <param name="Key">The field's key (e.g. <c>vendor</c>).</param>
/// <param name="SourceType">The descriptor's own type (e.g. <c>U16</c>, <c>W32</c>, <c>E</c>).</param>
/// <param name="Offset">Offset of the value in a table entry.</param>
/// <param name="Part">For W32 pairs: 0 for the low half, 1 for the high half; otherwise 0.</param>
internal sealed record FreeBsdPnpField(char Type, string Key, string SourceType, int Offset, int Part = 0)
{
    /// <summary>True when the field carries a 32-bit integer.</summary>
    public bool IsInteger => Type is 'I' or 'J' or 'G' or 'L' or 'M';
    /// <summary>True when the field carries a string.</summary>
    public bool IsString => Type is 'D' or 'Z';
}

/// <summary>One value of a PnP table entry: an integer or a string.</summary>
/// <param name="Number">The integer (8/16-bit values widened without sign extension; all-ones V fields are −1).</param>
/// <param name="Text">The string (an EISA id is already formatted as 7 characters).</param>
internal sealed record FreeBsdPnpValue(int? Number, string? Text)
{
    /// <inheritdoc />
    public override string ToString() => Number is { } n ? $"0x{unchecked((uint)n):x}" : Text ?? "";
}

/// <summary>A decoded <c>mod_pnp_match_info</c> (MDT_PNP_INFO) record and its table.</summary>
internal sealed class FreeBsdPnpInfo
{
    /// <summary>The bus (the <c>bus</c> field).</summary>
    public required string Bus { get; init; }
    /// <summary>The descriptor as the source wrote it (e.g. <c>U16:vendor;U16:device;D:#</c>).</summary>
    public required string Descriptor { get; init; }
    /// <summary>The descriptor as <c>kldxref</c> converts it (e.g. <c>I:vendor;I:device;D:#;</c>).</summary>
    public required string ConvertedDescriptor { get; init; }
    /// <summary>The converted fields; each entry holds one value per non-T field, in this order.</summary>
    public required IReadOnlyList<FreeBsdPnpField> Fields { get; init; }
    /// <summary>entry_len: the size of one table entry.</summary>
    public required int EntryLength { get; init; }
    /// <summary>num_entry: the number of table entries.</summary>
    public required int EntryCount { get; init; }
    /// <summary>The table entries (values of the non-T fields).</summary>
    public required IReadOnlyList<IReadOnlyList<FreeBsdPnpValue>> Entries { get; init; }
}
