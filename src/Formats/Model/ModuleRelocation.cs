namespace LkmKit.Formats.Model;

/// <summary>
/// One relocation, kept lossless: the generic computation and width, the addend, and the container's raw
/// (machine, type) pair so that errors can name the exact type.
/// </summary>
/// <param name="Offset">Offset of the place within the target section (or address for images).</param>
/// <param name="SymbolIndex">Index into the module's symbol table; 0 when the relocation names no symbol.</param>
/// <param name="Kind">The generic computation.</param>
/// <param name="Width">Number of bits written at the place, 0 when unknown.</param>
/// <param name="Addend">Explicit addend, or the implicit one read from the place.</param>
/// <param name="AddendIsImplicit">True when <paramref name="Addend"/> was read from the place (REL, a.out, Mach-O).</param>
/// <param name="Machine">The architecture whose numbering <paramref name="RawType"/> uses.</param>
/// <param name="RawType">The container's relocation type number.</param>
public readonly record struct ModuleRelocation(
    ulong Offset,
    uint SymbolIndex,
    RelocationKind Kind,
    byte Width,
    long Addend,
    bool AddendIsImplicit,
    MachineArchitecture Machine,
    uint RawType);

/// <summary>A table of relocations that patch one section.</summary>
public sealed class ModuleRelocationSection
{
    /// <summary>Name of the relocation section itself (e.g. <c>.rela.text</c>).</summary>
    public required string Name { get; init; }
    /// <summary>Index of the relocation section in the container.</summary>
    public required int Index { get; init; }
    /// <summary>Index of the section being patched; -1 for image-wide (dynamic) relocations.</summary>
    public required int TargetSectionIndex { get; init; }
    /// <summary>Index of the symbol table the entries refer to.</summary>
    public int SymbolTableIndex { get; init; }
    /// <summary>True when entries carry explicit addends (ELF RELA).</summary>
    public bool HasExplicitAddends { get; init; }
    /// <summary>
    /// The symbol table the entries' symbol indexes refer to when it is not the module's <see cref="KernelModule.Symbols"/>
    /// (an image's dynamic relocations refer to <c>.dynsym</c> while the model shows <c>.symtab</c>); null otherwise.
    /// </summary>
    public IReadOnlyList<ModuleSymbol>? Symbols { get; init; }
    /// <summary>The relocations, in file order.</summary>
    public required IReadOnlyList<ModuleRelocation> Relocations { get; init; }
}
