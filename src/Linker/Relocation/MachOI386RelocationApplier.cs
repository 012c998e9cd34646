using LkmKit.Formats.Model;

namespace LkmKit.Linker.Relocation;

/// <summary>
/// i386 Mach-O relocations (<c>GENERIC_RELOC_*</c>, plain or scattered: raw type | 0x100) in the linker's ELF form:
/// VANILLA writes S + A, or S + A − P when pc-relative; a SECTDIFF / LOCAL_SECTDIFF pair (S = S_a − S_b, from the
/// Mach-O runner) writes S + A. All are 32-bit fields here. PB_LA_PTR (prebound lazy pointers) and TLV are refused, as
/// are 8- and 16-bit fields.
/// </summary>
internal sealed class MachOI386RelocationApplier : IRelocationApplier
{
    /// <summary><c>GENERIC_RELOC_PAIR</c>.</summary>
    public const uint Pair = 1;

    /// <inheritdoc />
    public MachineArchitecture Machine => MachineArchitecture.X86;

    /// <summary>True for SECTDIFF and LOCAL_SECTDIFF (plain or scattered), which take the PAIR after them.</summary>
    public static bool IsSectionDifference(uint rawType) => (rawType & 0xF) is 2 or 4;

    /// <inheritdoc />
    public RelocationStatus Apply(Span<byte> place, in ModuleRelocation relocation, ulong symbol, ulong address, ulong loadBase)
    {
        ulong value = symbol + (ulong)relocation.Addend;
        uint type = relocation.RawType & 0xF;
        if (relocation.Width != 32 || type is not (0 or 2 or 4))
        {
            return RelocationStatus.Unsupported;
        }

        if (place.Length < 4)
        {
            return RelocationStatus.OutOfBounds;
        }

        if (type == 0 && relocation.Kind == RelocationKind.PcRelative)
        {
            value -= address;
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(place, (uint)value);
        return RelocationStatus.Applied;
    }
}
