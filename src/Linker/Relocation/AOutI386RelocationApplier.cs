using System.Buffers.Binary;
using LkmKit.Formats.AOut;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Relocation;

/// <summary>
/// Standard i386 a.out relocations as BSD <c>ld</c> (gnu/usr.bin/ld, i386/md.c <c>md_relocate</c>) applies them: the raw
/// type is the record's flag byte; r_length 0/1/2 writes 8/16/32 bits, r_pcrel subtracts the place. The addend must
/// already be the ELF-equivalent one (<see cref="AOut.AOutLinkInput"/> converts the in-place a.out addend), so the value
/// is S + A or S + A − P as for <c>R_386_32</c>/<c>R_386_PC32</c>. Like <c>md_relocate</c>, narrow fields are
/// truncated without an overflow check. r_length 3 and the SunOS shared-library bits (r_baserel, r_jmptable,
/// r_relative, r_copy), which LKM objects never carry, are refused.
/// </summary>
internal sealed class AOutI386RelocationApplier : IRelocationApplier
{
    private const uint SharedLibraryBits = AOutRelocationTypes.BaseRel | AOutRelocationTypes.JmpTable | AOutRelocationTypes.Relative | AOutRelocationTypes.Copy;

    /// <inheritdoc />
    public MachineArchitecture Machine => MachineArchitecture.X86;

    /// <inheritdoc />
    public RelocationStatus Apply(Span<byte> place, in ModuleRelocation relocation, ulong symbol, ulong address, ulong loadBase)
    {
        uint flags = relocation.RawType;
        int length = (int)(flags >> 1) & 3;
        if ((flags & SharedLibraryBits) != 0 || flags > 0xff || length == 3)
        {
            return RelocationStatus.Unsupported;
        }

        ulong value = symbol + (ulong)relocation.Addend;
        if ((flags & AOutRelocationTypes.PcRel) != 0)
        {
            value -= address;
        }

        if (place.Length < 1 << length)
        {
            return RelocationStatus.OutOfBounds;
        }

        switch (length)
        {
            case 0:
                place[0] = (byte)value;
                break;
            case 1:
                BinaryPrimitives.WriteUInt16LittleEndian(place, (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(place, (uint)value);
                break;
        }

        return RelocationStatus.Applied;
    }
}
