using System.Text;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.AOut;

/// <summary>
/// Names, generic kinds and widths of standard a.out relocations. The model's raw type of an a.out relocation is
/// the record's flag byte in the i386 layout (<see cref="AOutRelocation.Flags"/>): bit 0 r_pcrel, bits 1..2
/// r_length, bit 3 r_extern, bit 4 r_baserel, bit 5 r_jmptable, bit 6 r_relative, bit 7 r_copy.
/// </summary>
internal static class AOutRelocationTypes
{
    /// <summary>r_pcrel.</summary>
    public const uint PcRel = 0x01;
    /// <summary>r_extern.</summary>
    public const uint Extern = 0x08;
    /// <summary>r_baserel (SunOS PIC: offset in the GOT).</summary>
    public const uint BaseRel = 0x10;
    /// <summary>r_jmptable (SunOS PIC: through the jump table / PLT).</summary>
    public const uint JmpTable = 0x20;
    /// <summary>r_relative (shared library: add the load base).</summary>
    public const uint Relative = 0x40;
    /// <summary>r_copy (shared library: copy relocation).</summary>
    public const uint Copy = 0x80;

    /// <summary>Bits written at the place: 8, 16, 32 or 64 (r_length 0..3).</summary>
    public static byte Width(uint rawType) => (byte)(8 << (int)((rawType >> 1) & 3));

    /// <summary>The generic computation; shared-library bits take precedence over r_pcrel.</summary>
    public static RelocationKind Kind(uint rawType) =>
        (rawType & Copy) != 0 ? RelocationKind.Copy
        : (rawType & Relative) != 0 ? RelocationKind.BaseRelative
        : (rawType & JmpTable) != 0 ? RelocationKind.Branch
        : (rawType & BaseRel) != 0 ? RelocationKind.GotRelative
        : (rawType & PcRel) != 0 ? RelocationKind.PcRelative
        : RelocationKind.Absolute;

    /// <summary>
    /// A readable name built from the bits, after binutils' howto names: <c>STD_32</c>, <c>STD_DISP32</c> (pc-relative),
    /// then <c>|EXTERN</c>, <c>|BASEREL</c>, <c>|JMPTABLE</c>, <c>|RELATIVE</c>, <c>|COPY</c> for each further bit set.
    /// </summary>
    public static string Name(uint rawType)
    {
        var name = new StringBuilder("STD_");
        if ((rawType & PcRel) != 0)
        {
            name.Append("DISP");
        }

        name.Append(Width(rawType));
        foreach (var (bit, label) in new[] { (Extern, "EXTERN"), (BaseRel, "BASEREL"), (JmpTable, "JMPTABLE"), (Relative, "RELATIVE"), (Copy, "COPY") })
        {
            if ((rawType & bit) != 0)
            {
                name.Append('|').Append(label);
            }
        }

        return name.ToString();
    }
}
