using LkmKit.Formats.Model;

namespace LkmKit.Linker.Relocation;

/// <summary>What happened when one relocation was applied.</summary>
internal enum RelocationStatus
{
    /// <summary>The place was patched.</summary>
    Applied,
    /// <summary>The value does not fit the field, by the kernel's own check.</summary>
    Overflow,
    /// <summary>A branch (AArch64 CALL26/JUMP26) is out of range and needs a PLT veneer.</summary>
    BranchOutOfRange,
    /// <summary>The loader refuses this relocation type.</summary>
    Unsupported,
    /// <summary>The place does not hold zero, which the Linux x86_64 loader demands.</summary>
    NonZeroTarget,
    /// <summary>The place extends past the end of its section.</summary>
    OutOfBounds,
    /// <summary>The value is not a multiple of what the instruction field can hold (Mach-O arm64 PAGEOFF12, BRANCH26).</summary>
    Misaligned,
}

/// <summary>Applies one architecture's relocations to section bytes. Implementations allocate nothing.</summary>
internal interface IRelocationApplier
{
    /// <summary>The architecture whose relocation numbering this applier understands.</summary>
    MachineArchitecture Machine { get; }

    /// <summary>
    /// Patches the place at the start of <paramref name="place"/> (which runs to the end of its section) for
    /// <paramref name="relocation"/>, with S = <paramref name="symbol"/>, P = <paramref name="address"/> and
    /// B = <paramref name="loadBase"/>.
    /// </summary>
    RelocationStatus Apply(Span<byte> place, in ModuleRelocation relocation, ulong symbol, ulong address, ulong loadBase);
}
