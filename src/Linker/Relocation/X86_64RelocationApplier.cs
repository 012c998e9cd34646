using System.Buffers.Binary;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Relocation;

/// <summary>
/// x86_64 relocations as arch/x86/kernel/module.c applies them: NONE, 64, PC32, PLT32, 32 and 32S (with the
/// kernel's zero- and sign-extension checks), PC64. Every other type (GOTPCREL, GOTPCRELX, TLS…) is refused.
/// FreeBSD's amd64 elf_reloc (sys/amd64/amd64/elf_machdep.c) takes NONE, 64, PC32, PLT32 and 32S without any overflow
/// check and refuses 32 and PC64 ("kldload: unexpected relocation type"): <paramref name="freeBsd"/> applies that set.
/// </summary>
/// <param name="requireZeroTarget">Refuse a place that does not hold zero, as the Linux loader does.</param>
/// <param name="freeBsd">Accept only the types FreeBSD's amd64 loader accepts, without overflow checks.</param>
internal sealed class X86_64RelocationApplier(bool requireZeroTarget, bool freeBsd = false) : IRelocationApplier
{
    /// <inheritdoc />
    public MachineArchitecture Machine => MachineArchitecture.X86_64;

    /// <inheritdoc />
    public RelocationStatus Apply(Span<byte> place, in ModuleRelocation relocation, ulong symbol, ulong address, ulong loadBase)
    {
        ulong value = symbol + (ulong)relocation.Addend;
        int size;
        switch (relocation.RawType)
        {
            case 0:
                return RelocationStatus.Applied;
            case 1:
                size = 8;
                break;
            case 2:
            case 4:
                value -= address;
                size = 4;
                break;
            case 10 when !freeBsd:
            case 11:
                size = 4;
                break;
            case 24 when !freeBsd:
                value -= address;
                size = 8;
                break;
            default:
                return RelocationStatus.Unsupported;
        }

        if (place.Length < size)
        {
            return RelocationStatus.OutOfBounds;
        }

        var target = place[..size];
        if (requireZeroTarget && target.ContainsAnyExcept((byte)0))
        {
            return RelocationStatus.NonZeroTarget;
        }

        if (size == 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(target, value);
            return RelocationStatus.Applied;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)value);
        return relocation.RawType switch
        {
            _ when freeBsd => RelocationStatus.Applied,
            10 when value != (uint)value => RelocationStatus.Overflow,
            11 when (long)value != (int)value => RelocationStatus.Overflow,
            _ => RelocationStatus.Applied,
        };
    }
}
