namespace LkmKit.Formats.Model;

/// <summary>A symbol of a module's symbol table.</summary>
public sealed class ModuleSymbol
{
    /// <summary>Index in the symbol table.</summary>
    public required int Index { get; init; }
    /// <summary>Symbol name (empty for unnamed symbols).</summary>
    public required string Name { get; init; }
    /// <summary>
    /// The value as the container's own tools show it (<c>readelf -s</c>, <c>nm</c>): for a symbol defined in a section,
    /// its section offset in ELF and Mach-O relocatable objects (Mach-O's stored address less its section's address), and
    /// an address in the file's own address space in linked images (ELF ET_DYN/ET_EXEC, Mach-O bundles and kexts) and
    /// a.out objects (data at <c>a_text</c>, bss at <c>a_text + a_data</c>). <see cref="KernelModule.SectionOffsetOf"/>
    /// gives the section offset in one meaning for every container. Absolute symbols: the value; commons: the alignment in
    /// ELF and the size in a.out and Mach-O; undefined: 0 or as stored.
    /// </summary>
    public ulong Value { get; init; }
    /// <summary>Size in bytes, 0 if unknown.</summary>
    public ulong Size { get; init; }
    /// <summary>Linker visibility.</summary>
    public SymbolBinding Binding { get; init; }
    /// <summary>What the symbol names.</summary>
    public SymbolType Type { get; init; }
    /// <summary>Where the value is defined.</summary>
    public SymbolDefinition Definition { get; init; }
    /// <summary>Index of the defining section when <see cref="Definition"/> is <see cref="SymbolDefinition.Section"/>, otherwise -1.</summary>
    public int SectionIndex { get; init; } = -1;
    /// <summary>The container's raw section index field (e.g. <c>SHN_ABS</c> = 0xfff1).</summary>
    public uint RawSectionIndex { get; init; }
    /// <summary>The container's raw info/type byte.</summary>
    public uint RawInfo { get; init; }
    /// <summary>The container's raw other/visibility byte.</summary>
    public uint RawOther { get; init; }
    /// <summary>True when the symbol is a named import.</summary>
    public bool IsUndefined => Definition == SymbolDefinition.Undefined;
}
