using LkmKit.Formats.Model;

namespace LkmKit.Formats.AOut;

/// <summary>
/// The a.out <c>struct exec</c> words the common model has no field for: the first word (<c>a_midmag</c>) as stored and
/// decoded, the segment and table sizes, and the entry address.
/// </summary>
public sealed class AOutDetails : ContainerDetails
{
    internal AOutDetails(AOutFile file) => File = file;

    /// <summary>The parsed file (internal: the parsers are not public).</summary>
    internal AOutFile File { get; }

    private AOutHeader Header => File.Header;

    /// <summary>How the first word is encoded (NetBSD network order, FreeBSD host order, old 386BSD, Linux/GNU).</summary>
    internal AOutMagicEncoding MagicEncoding => Header.Encoding;

    /// <summary>The first header word as stored, read little-endian (its encoding varies between systems).</summary>
    public uint RawMidmag => Header.RawMidmag;
    /// <summary>The magic number: OMAGIC (0x107), NMAGIC (0x108), ZMAGIC (0x10b) or QMAGIC (0xcc).</summary>
    public ushort Magic => Header.Magic;
    /// <summary>The machine id decoded from the first word (the GNU machine type in the Linux encoding; 0 in old-style headers).</summary>
    public uint MachineId => Header.MachineId;
    /// <summary>The header flags decoded from the first word (EX_PIC, EX_DYNAMIC; 8 bits in the GNU encoding).</summary>
    public uint Flags => Header.Flags;
    /// <summary><c>a_text</c>: text segment size in bytes.</summary>
    public uint TextSize => Header.Text;
    /// <summary><c>a_data</c>: initialised data size in bytes.</summary>
    public uint DataSize => Header.Data;
    /// <summary><c>a_bss</c>: zero-filled size in bytes.</summary>
    public uint BssSize => Header.Bss;
    /// <summary><c>a_syms</c>: symbol table size in bytes.</summary>
    public uint SymbolTableSize => Header.Syms;
    /// <summary><c>a_entry</c>: the entry address.</summary>
    public uint Entry => Header.Entry;
    /// <summary><c>a_trsize</c>: text relocation table size in bytes.</summary>
    public uint TextRelocationSize => Header.TextRelocSize;
    /// <summary><c>a_drsize</c>: data relocation table size in bytes.</summary>
    public uint DataRelocationSize => Header.DataRelocSize;
}
