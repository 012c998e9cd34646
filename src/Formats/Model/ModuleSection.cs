namespace LkmKit.Formats.Model;

/// <summary>A section (or Mach-O section, PE section, a.out segment) of a module's container.</summary>
public sealed class ModuleSection
{
    /// <summary>Index in the container's section table.</summary>
    public required int Index { get; init; }
    /// <summary>Section name as stored in the container.</summary>
    public required string Name { get; init; }
    /// <summary>The container's section type number (e.g. ELF <c>sh_type</c>).</summary>
    public required uint RawType { get; init; }
    /// <summary>A readable name of <see cref="RawType"/> (e.g. <c>PROGBITS</c>).</summary>
    public required string TypeName { get; init; }
    /// <summary>The container's flags word (e.g. ELF <c>sh_flags</c>).</summary>
    public required ulong RawFlags { get; init; }
    /// <summary>Address in the container's own address space (0 for relocatable objects).</summary>
    public ulong Address { get; init; }
    /// <summary>Offset of the section's bytes in the container.</summary>
    public ulong FileOffset { get; init; }
    /// <summary>Size in memory.</summary>
    public ulong Size { get; init; }
    /// <summary>Required alignment (1 when the container says 0 or 1).</summary>
    public ulong Alignment { get; init; } = 1;
    /// <summary>Size of one fixed-size entry, 0 if none.</summary>
    public ulong EntrySize { get; init; }
    /// <summary>ELF <c>sh_link</c> or the container's equivalent.</summary>
    public uint Link { get; init; }
    /// <summary>ELF <c>sh_info</c> or the container's equivalent.</summary>
    public uint Info { get; init; }
    /// <summary>Occupies memory when the module is loaded.</summary>
    public bool IsAllocated { get; init; }
    /// <summary>Writable when loaded.</summary>
    public bool IsWritable { get; init; }
    /// <summary>Holds executable code.</summary>
    public bool IsExecutable { get; init; }
    /// <summary>Has bytes in the file (false for NOBITS/zero-fill).</summary>
    public bool HasContents { get; init; }
    /// <summary>The section's bytes from the file; empty when <see cref="HasContents"/> is false.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }
}
