using LkmKit.Formats.Model;

namespace LkmKit.Linker.Relocation;

/// <summary>
/// x86_64 Mach-O relocations (<c>X86_64_RELOC_*</c>) in the linker's ELF form: S is the target's final address and
/// the addend is relative to it (the Mach-O runner turns stored values into that form, see
/// <see cref="MachO.MachORelocationRunner"/>). UNSIGNED (32/64) and a SUBTRACTOR pair write S + A; SIGNED,
/// SIGNED_1/2/4 and BRANCH write the rel32 S + A − P (the −1/−2/−4 of SIGNED_n is already in A), within ±2 GiB
/// (kxld's X86_64_RIP_RELATIVE_LIMIT). GOT and GOT_LOAD need a GOT, which kxld no longer builds (KXLD_USER_OR_GOT is 0),
/// and TLV a thread-local descriptor kxld rejects: all three are refused.
/// </summary>
internal sealed class MachOX86_64RelocationApplier : IRelocationApplier
{
    /// <summary><c>X86_64_RELOC_UNSIGNED</c>.</summary>
    public const uint Unsigned = 0;
    /// <summary><c>X86_64_RELOC_SUBTRACTOR</c>.</summary>
    public const uint Subtractor = 5;

    /// <inheritdoc />
    public MachineArchitecture Machine => MachineArchitecture.X86_64;

    /// <summary>True for the types whose place is a rel32 displacement from the end of the 4-byte field.</summary>
    public static bool IsPcRelative32(uint type) => type is 1 or 2 or 6 or 7 or 8;

    /// <inheritdoc />
    public RelocationStatus Apply(Span<byte> place, in ModuleRelocation relocation, ulong symbol, ulong address, ulong loadBase)
    {
        ulong value = symbol + (ulong)relocation.Addend;
        return relocation.RawType switch
        {
            Unsigned => MachOData.WriteUnsigned(place, relocation.Width, value),
            1 or 2 or 6 or 7 or 8 when relocation.Width == 32 => MachOData.WriteDisplacement32(place, (long)(value - address)),
            _ => RelocationStatus.Unsupported,
        };
    }
}
