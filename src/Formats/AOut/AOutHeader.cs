using System.Buffers.Binary;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.AOut;

/// <summary>How the first header word (<c>a_midmag</c>) of an a.out file is stored.</summary>
internal enum AOutMagicEncoding
{
    /// <summary>NetBSD (and OpenBSD): <c>flags&lt;&lt;26 | mid&lt;&lt;16 | magic</c> in network (big-endian) order on every architecture.</summary>
    NetBsd,
    /// <summary>FreeBSD 2.x: the same fields in the host's byte order.</summary>
    HostOrder,
    /// <summary>Old 386BSD style: the word is the bare magic (machine id 0, no flags).</summary>
    OldStyle,
    /// <summary>Linux / GNU <c>libaout</c>: 8-bit machine type in bits 16..23 and 8-bit flags in bits 24..31, host order.</summary>
    Gnu,
}

/// <summary>
/// The 32-byte <c>struct exec</c> of a 32-bit a.out file, with its magic decoded. Fields after the first word are
/// in the target's byte order (<see cref="BigEndian"/>).
/// </summary>
/// <param name="RawMidmag">The first word as stored (read little-endian).</param>
/// <param name="Encoding">How the first word is encoded.</param>
/// <param name="Magic">OMAGIC, NMAGIC, ZMAGIC or QMAGIC.</param>
/// <param name="MachineId">The machine id (MID, or the GNU machine type); 0 for old-style headers.</param>
/// <param name="Flags">The header flags (EX_PIC, EX_DYNAMIC; 8 bits in the GNU encoding).</param>
/// <param name="BigEndian">True when the fields after the first word are big-endian.</param>
/// <param name="Text">a_text: text size in bytes.</param>
/// <param name="Data">a_data: initialised data size in bytes.</param>
/// <param name="Bss">a_bss: zero-filled size in bytes.</param>
/// <param name="Syms">a_syms: symbol table size in bytes.</param>
/// <param name="Entry">a_entry: entry address.</param>
/// <param name="TextRelocSize">a_trsize: text relocation table size in bytes.</param>
/// <param name="DataRelocSize">a_drsize: data relocation table size in bytes.</param>
internal sealed record AOutHeader(
    uint RawMidmag, AOutMagicEncoding Encoding, ushort Magic, uint MachineId, uint Flags, bool BigEndian,
    uint Text, uint Data, uint Bss, uint Syms, uint Entry, uint TextRelocSize, uint DataRelocSize)
{
    private static readonly uint[] LittleEndianMids =
    [
        AOutConstants.MidI386, AOutConstants.MidPc386, AOutConstants.MidNs32532, AOutConstants.MidPmax, AOutConstants.MidVax1k,
        AOutConstants.MidAlpha, AOutConstants.MidArm6, AOutConstants.MidVax, AOutConstants.MidX86_64,
    ];

    private static readonly uint[] BigEndianMids =
    [
        AOutConstants.MidSun010, AOutConstants.MidSun020, AOutConstants.MidM68k, AOutConstants.MidM68k4k, AOutConstants.MidSparc,
        AOutConstants.MidMips, AOutConstants.MidM680002k, AOutConstants.MidSh3, AOutConstants.MidPowerPc, AOutConstants.MidSparc64,
        AOutConstants.MidM88k, AOutConstants.MidHp200, AOutConstants.MidHp300,
    ];

    /// <summary>True when the machine id names a machine this reader knows.</summary>
    public static bool IsKnownMid(uint mid) => Array.IndexOf(LittleEndianMids, mid) >= 0 || Array.IndexOf(BigEndianMids, mid) >= 0;

    /// <summary>True for the four valid magic numbers.</summary>
    public static bool IsMagic(uint magic) => magic is AOutConstants.OMagic or AOutConstants.NMagic or AOutConstants.ZMagic or AOutConstants.QMagic;

    /// <summary>True for an object file (OMAGIC), as opposed to an executable.</summary>
    public bool IsObject => Magic == AOutConstants.OMagic;

    /// <summary>The conventional name of the magic: <c>OMAGIC</c>, <c>NMAGIC</c>, <c>ZMAGIC</c> or <c>QMAGIC</c>.</summary>
    public string MagicName => Magic switch
    {
        AOutConstants.OMagic => "OMAGIC",
        AOutConstants.NMagic => "NMAGIC",
        AOutConstants.ZMagic => "ZMAGIC",
        _ => "QMAGIC",
    };

    /// <summary>
    /// The interpretations of the first word whose magic is valid, most specific first: the NetBSD network-order
    /// word, then the host-order forms (FreeBSD, Linux, old style) read little- and big-endian.
    /// </summary>
    public static IEnumerable<(AOutMagicEncoding Encoding, ushort Magic, uint Mid, uint Flags, bool? BigEndian)> Interpretations(ReadOnlySpan<byte> head)
    {
        if (head.Length < 4)
        {
            return [];
        }

        uint le = BinaryPrimitives.ReadUInt32LittleEndian(head);
        uint be = BinaryPrimitives.ReadUInt32BigEndian(head);
        var result = new List<(AOutMagicEncoding, ushort, uint, uint, bool?)>(2);
        if (IsMagic(be & 0xffff) && (be & 0xffff0000) != 0)
        {
            uint mid = (be >> 16) & 0x3ff;
            result.Add((AOutMagicEncoding.NetBsd, (ushort)(be & 0xffff), mid, be >> 26, FieldOrder(mid)));
        }

        foreach (var (value, bigEndian) in new[] { (le, false), (be, true) })
        {
            if (!IsMagic(value & 0xffff))
            {
                continue;
            }

            if ((value & 0xffff0000) == 0)
            {
                result.Add((AOutMagicEncoding.OldStyle, (ushort)value, AOutConstants.MidZero, 0, bigEndian));
            }
            else if (!bigEndian && ((value >> 16) & 0xff) == AOutConstants.MidPc386)
            {
                result.Add((AOutMagicEncoding.Gnu, (ushort)value, AOutConstants.MidPc386, value >> 24, false));
            }
            else if (!bigEndian)
            {
                result.Add((AOutMagicEncoding.HostOrder, (ushort)value, (value >> 16) & 0x3ff, value >> 26, false));
            }
        }

        return result;
    }

    /// <summary>
    /// True when the first word is one of the distinctive forms (a known machine id in the NetBSD encoding, i386 in
    /// the FreeBSD host-order encoding, i386 in the Linux encoding): such a file is read as a.out and malformed sizes are reported as errors. Weak forms (old style,
    /// unknown machine ids) are accepted only when every size fits the file.
    /// </summary>
    public static bool HasStrongMagic(ReadOnlySpan<byte> head)
    {
        foreach (var (encoding, _, mid, _, _) in Interpretations(head))
        {
            bool strong = encoding switch
            {
                AOutMagicEncoding.NetBsd => IsKnownMid(mid),
                AOutMagicEncoding.HostOrder => mid == AOutConstants.MidI386,
                AOutMagicEncoding.Gnu => true,
                _ => false,
            };
            if (strong)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads the header under the first interpretation whose sizes fit the file, or returns null.</summary>
    public static AOutHeader? TryRead(ReadOnlySpan<byte> data)
    {
        if (data.Length < AOutConstants.HeaderSize)
        {
            return null;
        }

        foreach (var (encoding, magic, mid, flags, bigEndian) in Interpretations(data))
        {
            foreach (bool be in bigEndian is { } fixedOrder ? [fixedOrder] : new[] { false, true })
            {
                var header = Decode(data, encoding, magic, mid, flags, be);
                if (AOutLayout.Fits(header, data))
                {
                    return header;
                }
            }
        }

        return null;
    }

    /// <summary>Reads the header under the first valid interpretation of the magic; sizes are checked by <see cref="AOutLayout"/>.</summary>
    /// <exception cref="ModuleFormatException">The header is truncated or the magic is not an a.out magic.</exception>
    public static AOutHeader Read(ReadOnlySpan<byte> data, string path)
    {
        if (TryRead(data) is { } fitting)
        {
            return fitting;
        }

        foreach (var (encoding, magic, mid, flags, bigEndian) in Interpretations(data))
        {
            if (data.Length < AOutConstants.HeaderSize)
            {
                throw new ModuleFormatException(path, 0, "a.out header",
                    $"file of {data.Length} bytes is shorter than the {AOutConstants.HeaderSize}-byte struct exec");
            }

            return Decode(data, encoding, magic, mid, flags, bigEndian ?? false);
        }

        throw new ModuleFormatException(path, 0, "a.out header", "no OMAGIC, NMAGIC, ZMAGIC or QMAGIC in the first word");
    }

    private static AOutHeader Decode(ReadOnlySpan<byte> data, AOutMagicEncoding encoding, ushort magic, uint mid, uint flags, bool bigEndian)
    {
        Span<uint> f = stackalloc uint[8];
        for (int i = 1; i < 8; i++)
        {
            f[i] = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data[(4 * i)..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[(4 * i)..]);
        }

        return new AOutHeader(BinaryPrimitives.ReadUInt32LittleEndian(data), encoding, magic, mid, flags, bigEndian,
            f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
    }

    private static bool? FieldOrder(uint mid) =>
        Array.IndexOf(LittleEndianMids, mid) >= 0 ? false : Array.IndexOf(BigEndianMids, mid) >= 0 ? true : null;
}
