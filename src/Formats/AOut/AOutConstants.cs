namespace LkmKit.Formats.AOut;

/// <summary>
/// Numbers of the a.out format: magics, machine ids, header flags and <c>n_type</c> values (NetBSD
/// <c>sys/exec_aout.h</c>, <c>include/nlist.h</c>; binutils <c>include/aout/aout64.h</c>).
/// </summary>
internal static class AOutConstants
{
    /// <summary>Size of <c>struct exec</c> for 32-bit a.out.</summary>
    public const int HeaderSize = 32;
    /// <summary>Size of one <c>struct nlist</c> entry.</summary>
    public const int SymbolSize = 12;
    /// <summary>Size of one standard (i386, m68k, …) relocation record.</summary>
    public const int StandardRelocationSize = 8;
    /// <summary>Size of one extended (SPARC) relocation record.</summary>
    public const int ExtendedRelocationSize = 12;
    /// <summary>Page size used by the BSD layout macros (<c>__LDPGSZ</c> on i386).</summary>
    public const uint PageSize = 4096;
    /// <summary>Linux <c>ZMAGIC</c> text offset (1024-byte disk block).</summary>
    public const uint LinuxZmagicTextOffset = 1024;

    /// <summary>Relocatable object or impure executable (0407). LKM objects are OMAGIC.</summary>
    public const ushort OMagic = 0x107;
    /// <summary>Read-only text executable (0410).</summary>
    public const ushort NMagic = 0x108;
    /// <summary>Demand-paged executable (0413).</summary>
    public const ushort ZMagic = 0x10B;
    /// <summary>Compact demand-paged executable (0314).</summary>
    public const ushort QMagic = 0xCC;

    /// <summary>Unknown machine / old-style header.</summary>
    public const uint MidZero = 0;
    /// <summary>Sun 68010.</summary>
    public const uint MidSun010 = 1;
    /// <summary>Sun 68020.</summary>
    public const uint MidSun020 = 2;
    /// <summary>386 PC (Linux a.out, BFD <c>M_386</c>).</summary>
    public const uint MidPc386 = 100;
    /// <summary>i386 BSD (NetBSD, FreeBSD, OpenBSD).</summary>
    public const uint MidI386 = 134;
    /// <summary>m68k with 8K pages.</summary>
    public const uint MidM68k = 135;
    /// <summary>m68k with 4K pages.</summary>
    public const uint MidM68k4k = 136;
    /// <summary>ns32532.</summary>
    public const uint MidNs32532 = 137;
    /// <summary>SPARC.</summary>
    public const uint MidSparc = 138;
    /// <summary>MIPS little-endian (pmax).</summary>
    public const uint MidPmax = 139;
    /// <summary>VAX with 1K pages.</summary>
    public const uint MidVax1k = 140;
    /// <summary>Alpha.</summary>
    public const uint MidAlpha = 141;
    /// <summary>MIPS big-endian.</summary>
    public const uint MidMips = 142;
    /// <summary>ARM6.</summary>
    public const uint MidArm6 = 143;
    /// <summary>m68k with 2K pages.</summary>
    public const uint MidM680002k = 144;
    /// <summary>SH3.</summary>
    public const uint MidSh3 = 145;
    /// <summary>PowerPC.</summary>
    public const uint MidPowerPc = 149;
    /// <summary>VAX.</summary>
    public const uint MidVax = 150;
    /// <summary>SPARC64.</summary>
    public const uint MidSparc64 = 151;
    /// <summary>x86-64.</summary>
    public const uint MidX86_64 = 152;
    /// <summary>m88k.</summary>
    public const uint MidM88k = 153;
    /// <summary>HP 200.</summary>
    public const uint MidHp200 = 200;
    /// <summary>HP 300.</summary>
    public const uint MidHp300 = 300;

    /// <summary>Header flag: the object contains position-independent code.</summary>
    public const uint ExPic = 0x10;
    /// <summary>Header flag: dynamically linked.</summary>
    public const uint ExDynamic = 0x20;

    /// <summary>Undefined symbol (or a common one when external with a non-zero value).</summary>
    public const byte NUndf = 0x00;
    /// <summary>External bit of <c>n_type</c>.</summary>
    public const byte NExt = 0x01;
    /// <summary>Absolute symbol.</summary>
    public const byte NAbs = 0x02;
    /// <summary>Text symbol.</summary>
    public const byte NText = 0x04;
    /// <summary>Data symbol (value includes <c>a_text</c>).</summary>
    public const byte NData = 0x06;
    /// <summary>Bss symbol (value includes <c>a_text + a_data</c>).</summary>
    public const byte NBss = 0x08;
    /// <summary>Indirect symbol: the next entry names its target.</summary>
    public const byte NIndr = 0x0a;
    /// <summary>NetBSD symbol-size pseudo type (binutils <c>N_FN_SEQ</c>).</summary>
    public const byte NSize = 0x0c;
    /// <summary>GNU weak undefined.</summary>
    public const byte NWeakU = 0x0d;
    /// <summary>GNU weak absolute.</summary>
    public const byte NWeakA = 0x0e;
    /// <summary>GNU weak text.</summary>
    public const byte NWeakT = 0x0f;
    /// <summary>GNU weak data.</summary>
    public const byte NWeakD = 0x10;
    /// <summary>GNU weak bss.</summary>
    public const byte NWeakB = 0x11;
    /// <summary>Common reference (shared-library era).</summary>
    public const byte NComm = 0x12;
    /// <summary>Absolute linker-set element.</summary>
    public const byte NSetA = 0x14;
    /// <summary>Text linker-set element.</summary>
    public const byte NSetT = 0x16;
    /// <summary>Data linker-set element.</summary>
    public const byte NSetD = 0x18;
    /// <summary>Bss linker-set element.</summary>
    public const byte NSetB = 0x1a;
    /// <summary>Pointer to a set vector, written by the linker.</summary>
    public const byte NSetV = 0x1c;
    /// <summary>Warning text for the next symbol.</summary>
    public const byte NWarning = 0x1e;
    /// <summary>File-name symbol (<c>N_FN</c> with <c>N_EXT</c>).</summary>
    public const byte NFn = 0x1f;
    /// <summary>Type mask of <c>n_type</c>.</summary>
    public const byte NTypeMask = 0x1e;
    /// <summary>Any of these bits set: a debugger (stab) entry.</summary>
    public const byte NStabMask = 0xe0;
}
