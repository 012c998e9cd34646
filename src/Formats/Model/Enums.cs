namespace LkmKit.Formats.Model;

/// <summary>The operating system family whose kernel loads a module.</summary>
public enum ModuleFlavor
{
    /// <summary>A container that was read but matched no known kernel-module flavour.</summary>
    Unknown,
    /// <summary>Linux loadable kernel module (<c>.ko</c>).</summary>
    Linux,
    /// <summary>FreeBSD kernel loadable module (<c>.ko</c>).</summary>
    FreeBsd,
    /// <summary>NetBSD kernel module (<c>.kmod</c>).</summary>
    NetBsd,
    /// <summary>Legacy BSD loadable kernel module in a.out format.</summary>
    LegacyLkm,
    /// <summary>macOS kernel extension.</summary>
    Kext,
    /// <summary>Windows kernel-mode driver (<c>.sys</c>).</summary>
    WindowsDriver,
}

/// <summary>
/// What kind of file a module is, in the same words for every container. The container's own name for it (ELF
/// <c>REL</c>, a.out <c>OMAGIC</c>, Mach-O <c>KEXT_BUNDLE</c>, <c>PE32+</c>…) is kept in <see cref="KernelModule.FileType"/>.
/// </summary>
public enum ModuleFileKind
{
    /// <summary>A file type none of the others describes (e.g. ELF <c>ET_NONE</c> or an unassigned number).</summary>
    Unknown,
    /// <summary>A relocatable object: ELF <c>ET_REL</c>, a.out <c>OMAGIC</c>, Mach-O <c>MH_OBJECT</c>.</summary>
    Relocatable,
    /// <summary>An executable linked at fixed addresses: ELF <c>ET_EXEC</c>, a.out <c>NMAGIC</c>/<c>ZMAGIC</c>/<c>QMAGIC</c>, Mach-O <c>MH_EXECUTE</c>.</summary>
    Executable,
    /// <summary>A shared, dynamically relocated image: ELF <c>ET_DYN</c>, Mach-O <c>MH_DYLIB</c>/<c>MH_BUNDLE</c>.</summary>
    Shared,
    /// <summary>A Mach-O <c>MH_KEXT_BUNDLE</c>: a kext's executable as kxld relocates it.</summary>
    KextBundle,
    /// <summary>A PE image (<c>PE32</c> or <c>PE32+</c>), e.g. a Windows driver.</summary>
    PeImage,
    /// <summary>A kext bundle without an executable (a codeless kext, or one whose executable is missing): metadata only.</summary>
    Codeless,
    /// <summary>A core dump (ELF <c>ET_CORE</c>, Mach-O <c>MH_CORE</c>).</summary>
    Core,
    /// <summary>Another file type the container defines (e.g. Mach-O <c>MH_DYLINKER</c>, <c>MH_FILESET</c>).</summary>
    Other,
}

/// <summary>The object-file container a module is stored in.</summary>
public enum ContainerFormat
{
    /// <summary>Executable and Linkable Format.</summary>
    Elf,
    /// <summary>The classic Unix a.out format.</summary>
    AOut,
    /// <summary>Apple Mach-O (thin or one slice of a fat file).</summary>
    MachO,
    /// <summary>Microsoft Portable Executable.</summary>
    Pe,
}

/// <summary>Processor architecture of a module's code.</summary>
public enum MachineArchitecture
{
    /// <summary>Not one of the architectures below; the raw machine number is kept on the module.</summary>
    Unknown,
    /// <summary>32-bit x86 (i386).</summary>
    X86,
    /// <summary>x86-64 (amd64).</summary>
    X86_64,
    /// <summary>64-bit ARM.</summary>
    AArch64,
    /// <summary>32-bit ARM.</summary>
    Arm,
    /// <summary>32-bit PowerPC.</summary>
    PowerPC,
    /// <summary>64-bit PowerPC.</summary>
    PowerPC64,
    /// <summary>RISC-V.</summary>
    RiscV,
    /// <summary>MIPS.</summary>
    Mips,
    /// <summary>IBM z/Architecture (s390x).</summary>
    S390,
    /// <summary>SPARC (32 or 64 bit).</summary>
    Sparc,
    /// <summary>LoongArch.</summary>
    LoongArch,
    /// <summary>Intel Itanium.</summary>
    IA64,
}

/// <summary>Byte order of multi-byte values in a container.</summary>
public enum ByteOrder
{
    /// <summary>Least significant byte first.</summary>
    LittleEndian,
    /// <summary>Most significant byte first.</summary>
    BigEndian,
}

/// <summary>How strongly a module needs another module.</summary>
public enum DependencyKind
{
    /// <summary>The module cannot load without it (Linux <c>depends=</c>, FreeBSD MDT_DEPEND, NetBSD required).</summary>
    Hard,
    /// <summary>Loaded before this module if available (Linux <c>softdep</c> <c>pre:</c>).</summary>
    SoftPre,
    /// <summary>Loaded after this module if available (Linux <c>softdep</c> <c>post:</c>).</summary>
    SoftPost,
    /// <summary>Possibly used at run time, not loaded automatically (Linux <c>weakdep</c>).</summary>
    Weak,
}

/// <summary>The role of an entry point of a module.</summary>
public enum EntryPointKind
{
    /// <summary>Called when the module is loaded (Linux <c>init_module</c>).</summary>
    Init,
    /// <summary>Called when the module is unloaded (Linux <c>cleanup_module</c>).</summary>
    Exit,
    /// <summary>A single command handler (NetBSD <c>modcmd</c>, FreeBSD event handler).</summary>
    ModuleCommand,
    /// <summary>Legacy LKM entry (<c>*_lkmentry</c>).</summary>
    LkmEntry,
    /// <summary>Kext <c>kmod_info</c> start routine.</summary>
    KmodStart,
    /// <summary>Kext <c>kmod_info</c> stop routine.</summary>
    KmodStop,
    /// <summary>Windows driver entry (<c>DriverEntry</c>).</summary>
    DriverEntry,
    /// <summary>The container's own entry address.</summary>
    ContainerEntry,
}

/// <summary>How a symbol is visible to the linker.</summary>
/// <remarks>One byte: every symbol of a module carries it, and a tree has about a million symbols.</remarks>
public enum SymbolBinding : byte
{
    /// <summary>Visible only inside the module.</summary>
    Local,
    /// <summary>Visible to other objects.</summary>
    Global,
    /// <summary>Global, but may stay unresolved or be overridden.</summary>
    Weak,
    /// <summary>A binding value this library does not name; see the raw value.</summary>
    Other,
}

/// <summary>What a symbol names.</summary>
/// <remarks>One byte: every symbol of a module carries it, and a tree has about a million symbols.</remarks>
public enum SymbolType : byte
{
    /// <summary>Unspecified.</summary>
    NoType,
    /// <summary>A data object.</summary>
    Object,
    /// <summary>Code.</summary>
    Function,
    /// <summary>A section.</summary>
    Section,
    /// <summary>A source file name.</summary>
    File,
    /// <summary>An unallocated common block.</summary>
    Common,
    /// <summary>Thread-local storage.</summary>
    Tls,
    /// <summary>A debugging (stab) entry.</summary>
    Debug,
    /// <summary>A type value this library does not name.</summary>
    Other,
}

/// <summary>Where a symbol's value is defined.</summary>
/// <remarks>One byte: every symbol of a module carries it, and a tree has about a million symbols.</remarks>
public enum SymbolDefinition : byte
{
    /// <summary>Defined relative to a section of the module.</summary>
    Section,
    /// <summary>Not defined here: an import.</summary>
    Undefined,
    /// <summary>An absolute value, not relocated.</summary>
    Absolute,
    /// <summary>A common block still to be allocated.</summary>
    Common,
    /// <summary>A reserved or processor-specific section index.</summary>
    Special,
}

/// <summary>The generic computation a relocation performs, independent of the architecture's numbering.</summary>
public enum RelocationKind
{
    /// <summary>Does nothing.</summary>
    None,
    /// <summary>S + A.</summary>
    Absolute,
    /// <summary>S + A − P.</summary>
    PcRelative,
    /// <summary>A branch or call displacement (S + A − P, scaled into an instruction field).</summary>
    Branch,
    /// <summary>Page(S + A) − Page(P) (AArch64 ADRP).</summary>
    PageRelative,
    /// <summary>The low bits of S + A within a page (AArch64 :lo12:).</summary>
    PageOffset,
    /// <summary>A 16-bit group of S + A or S + A − P for a move-wide instruction.</summary>
    MoveWide,
    /// <summary>B + A: relative to the load base.</summary>
    BaseRelative,
    /// <summary>A pointer filled by the dynamic linker (GLOB_DAT, JUMP_SLOT).</summary>
    SymbolPointer,
    /// <summary>Through a global offset table.</summary>
    GotRelative,
    /// <summary>Thread-local storage.</summary>
    Tls,
    /// <summary>Copy relocation.</summary>
    Copy,
    /// <summary>A type this library knows by number only.</summary>
    Unknown,
}

/// <summary>Severity of a diagnostic attached to a read module.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Information only.</summary>
    Info,
    /// <summary>Odd but survivable input.</summary>
    Warning,
    /// <summary>Part of the module could not be read.</summary>
    Error,
}
