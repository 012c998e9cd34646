using System.Buffers.Binary;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Relocation;

/// <summary>
/// i386 relocations: 32 (S+A) and PC32/PLT32 (S+A−P) as arch/x86/kernel/module.c applies them with the addend
/// stored at the place (REL), no overflow checks; and the dynamic types: RELATIVE (B+A), GLOB_DAT and JMP_SLOT (S).
/// FreeBSD's i386 elf_reloc (sys/i386/i386/elf_machdep.c, for link_elf and link_elf_obj alike) accepts only NONE, 32,
/// PC32, GLOB_DAT and RELATIVE ("kldload: unexpected relocation type" otherwise), so with
/// <paramref name="freeBsd"/> PLT32 and JMP_SLOT are refused too. Everything else (GOT32, GOTOFF, GOTPC, TLS…) is refused.
/// </summary>
/// <param name="freeBsd">Accept only the types FreeBSD's i386 loader accepts.</param>
internal sealed class I386RelocationApplier(bool freeBsd = false) : IRelocationApplier
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
            case 4 when !freeBsd:
                value = symbol + (ulong)relocation.Addend - address;
                break;
            case 6:
            case 7 when !freeBsd:
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
