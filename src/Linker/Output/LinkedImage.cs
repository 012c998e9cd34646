using LkmKit.Formats.Model;

namespace LkmKit.Linker.Output;

/// <summary>The result of a link: every module's sections at their addresses with relocated bytes, and its symbols.</summary>
public sealed class LinkedImage
{
    /// <summary>The architecture of the linked modules.</summary>
    public required MachineArchitecture Machine { get; init; }

    /// <summary>The container's raw machine number (e.g. ELF <c>e_machine</c>).</summary>
    public required uint RawMachine { get; init; }

    /// <summary>32 or 64.</summary>
    public required int Bits { get; init; }

    /// <summary>Byte order of the modules.</summary>
    public required ByteOrder ByteOrder { get; init; }

    /// <summary>The linked modules, in link order.</summary>
    public required IReadOnlyList<LinkedModule> Modules { get; init; }

    /// <summary>
    /// The image as a little-endian ELF executable: one section per loaded input section at its address (prefixed
    /// <c>MODULE:</c> when several modules were linked), one PT_LOAD per section, and a symbol table with the final addresses.
    /// </summary>
    /// <exception cref="LinkException">An address, size or value of a 32-bit image does not fit ELF32.</exception>
    public byte[] ToElf() => ElfImageWriter.Build(this);

    /// <summary>
    /// The text link map: per module, <c>NAME 0xADDRESS 0xSIZE</c> per loaded section in address order, then every
    /// symbol as <c>0xADDRESS NAME</c>, undefined ones followed by where they were resolved.
    /// </summary>
    public string ToLinkMap() => LinkMapWriter.Render(this);
}

/// <summary>One module of a <see cref="LinkedImage"/>.</summary>
public sealed class LinkedModule
{
    /// <summary>The module's name (from its metadata, else its file name).</summary>
    public required string Name { get; init; }

    /// <summary>The module as read.</summary>
    public required KernelModule Module { get; init; }

    /// <summary>The loaded sections, in address order.</summary>
    public required IReadOnlyList<LinkedSection> Sections { get; init; }

    /// <summary>Every named symbol with its final address (undefined ones where they were resolved).</summary>
    public required IReadOnlyList<LinkedSymbol> Symbols { get; init; }

    /// <summary>How each undefined symbol was resolved, in symbol-table order.</summary>
    public required IReadOnlyList<SymbolResolution> Resolutions { get; init; }

    /// <summary>How many relocations were applied.</summary>
    public required long RelocationCount { get; init; }

    /// <summary>How many branches went through a PLT veneer.</summary>
    public int VeneerCount { get; init; }
}

/// <summary>A loaded section: where it is and its bytes after relocation.</summary>
public sealed class LinkedSection
{
    /// <summary>The input section index, or -1 for storage the linker made (commons).</summary>
    public required int Index { get; init; }

    /// <summary>The input section's name.</summary>
    public required string Name { get; init; }

    /// <summary>The address the section was placed at.</summary>
    public required ulong Address { get; init; }

    /// <summary>The alignment it was placed with.</summary>
    public required ulong Alignment { get; init; }

    /// <summary>The raw section type (PROGBITS, NOBITS, …).</summary>
    public required uint RawType { get; init; }

    /// <summary>The raw section flags.</summary>
    public required ulong RawFlags { get; init; }

    /// <summary>True when the section has bytes (false for NOBITS).</summary>
    public required bool HasContents { get; init; }

    /// <summary>The relocated bytes (zeros for NOBITS); its length is the section's loaded size.</summary>
    public required byte[] Data { get; init; }

    /// <summary>The section's loaded size.</summary>
    public ulong Size => (ulong)Data.Length;
}

/// <summary>A symbol with its final address.</summary>
/// <param name="Name">The symbol name.</param>
/// <param name="Address">The final address.</param>
/// <param name="Binding">Its binding.</param>
/// <param name="Type">Its type.</param>
/// <param name="Size">Its size.</param>
/// <param name="SectionIndex">The defining input section, or -1 (undefined, absolute, common).</param>
public readonly record struct LinkedSymbol(string Name, ulong Address, SymbolBinding Binding, SymbolType Type, ulong Size, int SectionIndex);

/// <summary>Where an undefined symbol was found.</summary>
/// <param name="Name">The symbol name.</param>
/// <param name="Address">The address used.</param>
/// <param name="Source">Who provided it: the owner (<c>vmlinux</c>, a module) or source file, <c>weak</c> or <c>undefined</c> for zero.</param>
public readonly record struct SymbolResolution(string Name, ulong Address, string Source);
