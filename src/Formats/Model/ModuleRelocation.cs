namespace LkmKit.Formats.Model;

/// <summary>
/// One relocation, kept lossless: the generic computation and width, the addend, and the container's raw
/// (machine, type) pair so that errors can name the exact type.
/// </summary>
/// <remarks>
/// Stored in 32 bytes (a module tree has millions of relocations, and readers copy each one): the machine is kept as a
/// 16-bit number, so a <see cref="MachineArchitecture"/> value above 65535 is refused with <see cref="OverflowException"/>.
/// </remarks>
public readonly record struct ModuleRelocation
{
    private readonly ulong _offset;
    private readonly long _addend;
    private readonly uint _symbolIndex;
    private readonly uint _rawType;
    private readonly RelocationKind _kind;
    private readonly ushort _machine;
    private readonly byte _width;
    private readonly bool _addendIsImplicit;

    /// <summary>Creates a relocation.</summary>
    /// <param name="Offset">Offset of the place within the target section (or address for images).</param>
    /// <param name="SymbolIndex">Index into the module's symbol table; 0 when the relocation names no symbol.</param>
    /// <param name="Kind">The generic computation.</param>
    /// <param name="Width">Number of bits written at the place, 0 when unknown.</param>
    /// <param name="Addend">Explicit addend, or the implicit one read from the place.</param>
    /// <param name="AddendIsImplicit">True when <paramref name="Addend"/> was read from the place (REL, a.out, Mach-O).</param>
    /// <param name="Machine">The architecture whose numbering <paramref name="RawType"/> uses.</param>
    /// <param name="RawType">The container's relocation type number.</param>
    public ModuleRelocation(ulong Offset, uint SymbolIndex, RelocationKind Kind, byte Width, long Addend, bool AddendIsImplicit,
        MachineArchitecture Machine, uint RawType)
        : this(Offset, SymbolIndex, Kind, Width, Addend, AddendIsImplicit, checked((ushort)Machine), RawType)
    {
    }

    /// <summary>The public constructor for a reader that has checked the machine's number once for a whole table.</summary>
    internal ModuleRelocation(ulong offset, uint symbolIndex, RelocationKind kind, byte width, long addend, bool addendIsImplicit,
        ushort machine, uint rawType)
    {
        _offset = offset;
        _symbolIndex = symbolIndex;
        _kind = kind;
        _width = width;
        _addend = addend;
        _addendIsImplicit = addendIsImplicit;
        _machine = machine;
        _rawType = rawType;
    }

    /// <summary>Offset of the place within the target section (or address for images).</summary>
    public ulong Offset { get => _offset; init => _offset = value; }
    /// <summary>Index into the module's symbol table; 0 when the relocation names no symbol.</summary>
    public uint SymbolIndex { get => _symbolIndex; init => _symbolIndex = value; }
    /// <summary>The generic computation.</summary>
    public RelocationKind Kind { get => _kind; init => _kind = value; }
    /// <summary>Number of bits written at the place, 0 when unknown.</summary>
    public byte Width { get => _width; init => _width = value; }
    /// <summary>Explicit addend, or the implicit one read from the place.</summary>
    public long Addend { get => _addend; init => _addend = value; }
    /// <summary>True when <see cref="Addend"/> was read from the place (REL, a.out, Mach-O).</summary>
    public bool AddendIsImplicit { get => _addendIsImplicit; init => _addendIsImplicit = value; }
    /// <summary>The architecture whose numbering <see cref="RawType"/> uses.</summary>
    public MachineArchitecture Machine { get => (MachineArchitecture)_machine; init => _machine = checked((ushort)value); }
    /// <summary>The container's relocation type number.</summary>
    public uint RawType { get => _rawType; init => _rawType = value; }

    /// <summary>Deconstructs the relocation into its parts, in constructor order.</summary>
    public void Deconstruct(out ulong Offset, out uint SymbolIndex, out RelocationKind Kind, out byte Width, out long Addend,
        out bool AddendIsImplicit, out MachineArchitecture Machine, out uint RawType)
    {
        Offset = this.Offset;
        SymbolIndex = this.SymbolIndex;
        Kind = this.Kind;
        Width = this.Width;
        Addend = this.Addend;
        AddendIsImplicit = this.AddendIsImplicit;
        Machine = this.Machine;
        RawType = this.RawType;
    }
}

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
