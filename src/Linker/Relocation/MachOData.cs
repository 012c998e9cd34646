using System.Buffers.Binary;

namespace LkmKit.Linker.Relocation;

/// <summary>The data fields Mach-O relocations write on every architecture (UNSIGNED pointers, rel32 displacements).</summary>
internal static class MachOData
{
    /// <summary>
    /// Writes an UNSIGNED (or SUBTRACTOR pair) value of <paramref name="width"/> bits: 64 as is, 32 when it fits as a
    /// signed or unsigned 32-bit number (ld64's check); other widths are not valid for these types.
    /// </summary>
    public static RelocationStatus WriteUnsigned(Span<byte> place, int width, ulong value)
    {
        switch (width)
        {
            case 64:
                if (place.Length < 8)
                {
                    return RelocationStatus.OutOfBounds;
                }

                BinaryPrimitives.WriteUInt64LittleEndian(place, value);
                return RelocationStatus.Applied;
            case 32:
                if (place.Length < 4)
                {
                    return RelocationStatus.OutOfBounds;
                }

                BinaryPrimitives.WriteUInt32LittleEndian(place, (uint)value);
                return value == (uint)value || (long)value == (int)value ? RelocationStatus.Applied : RelocationStatus.Overflow;
            default:
                return RelocationStatus.Unsupported;
        }
    }

    /// <summary>Writes a 32-bit pc-relative displacement, which must fit a signed 32-bit field (kxld's X86_64_RIP_RELATIVE_LIMIT).</summary>
    public static RelocationStatus WriteDisplacement32(Span<byte> place, long displacement)
    {
        if (place.Length < 4)
        {
            return RelocationStatus.OutOfBounds;
        }

        BinaryPrimitives.WriteInt32LittleEndian(place, (int)displacement);
        return displacement == (int)displacement ? RelocationStatus.Applied : RelocationStatus.Overflow;
    }
}
