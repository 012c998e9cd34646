using System.Buffers.Binary;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Relocation;

/// <summary>
/// i386 relocations: 32 (S+A) and PC32/PLT32 (S+A−P) as arch/x86/kernel/module.c applies them with the addend
/// stored at the place (REL), no overflow checks; and the dynamic types FreeBSD's link_elf applies to ET_DYN
/// modules: RELATIVE (B+A), GLOB_DAT and JMP_SLOT (S). Everything else (GOT32, GOTOFF, GOTPC, TLS…) is refused.
/// </summary>
public sealed class I386RelocationApplier : IRelocationApplier
{
    /// <inheritdoc />
    public MachineArchitecture Machine => MachineArchitecture.X86;

    /// <inheritdoc />
    public RelocationStatus Apply(Span<byte> place, in ModuleRelocation relocation, ulong symbol, ulong address, ulong loadBase)
    {
        ulong value;
        switch (relocation.RawType)
        {
            case 0:
                return RelocationStatus.Applied;
            case 1:
                value = symbol + (ulong)relocation.Addend;
                break;
            case 2:
            case 4:
                value = symbol + (ulong)relocation.Addend - address;
                break;
            case 6:
            case 7:
                value = symbol;
                break;
            case 8:
                value = loadBase + (ulong)relocation.Addend;
                break;
            default:
                return RelocationStatus.Unsupported;
        }

        if (place.Length < 4)
        {
            return RelocationStatus.OutOfBounds;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(place, (uint)value);
        return RelocationStatus.Applied;
    }
}
