using LkmKit.Formats.Model;

namespace LkmKit.Formats.MachO;

/// <summary>Readable names of Mach-O numbers (CPU types, file types, load commands, section types).</summary>
internal static class MachONames
{
    /// <summary>The model architecture of a <c>cputype</c>.</summary>
    public static MachineArchitecture Machine(uint cpuType) => cpuType switch
    {
        MachOConstants.CpuTypeX86 => MachineArchitecture.X86,
        MachOConstants.CpuTypeX86_64 => MachineArchitecture.X86_64,
        MachOConstants.CpuTypeArm => MachineArchitecture.Arm,
        MachOConstants.CpuTypeArm64 or MachOConstants.CpuTypeArm64_32 => MachineArchitecture.AArch64,
        MachOConstants.CpuTypePowerPC => MachineArchitecture.PowerPC,
        MachOConstants.CpuTypePowerPC64 => MachineArchitecture.PowerPC64,
        _ => MachineArchitecture.Unknown,
    };

    /// <summary>The architecture name Apple's tools use (<c>x86_64</c>, <c>arm64e</c>, <c>i386</c>, …).</summary>
    public static string ArchName(uint cpuType, uint cpuSubtype) => cpuType switch
    {
        MachOConstants.CpuTypeX86 => "i386",
        MachOConstants.CpuTypeX86_64 => (cpuSubtype & ~MachOConstants.CpuSubtypeMask) == 8 ? "x86_64h" : "x86_64",
        MachOConstants.CpuTypeArm => "arm",
        MachOConstants.CpuTypeArm64 => (cpuSubtype & ~MachOConstants.CpuSubtypeMask) == MachOConstants.CpuSubtypeArm64E ? "arm64e" : "arm64",
        MachOConstants.CpuTypeArm64_32 => "arm64_32",
        MachOConstants.CpuTypePowerPC => "ppc",
        MachOConstants.CpuTypePowerPC64 => "ppc64",
        _ => $"cpu-0x{cpuType:x}",
    };

    /// <summary>The model's kind of a Mach-O <c>filetype</c>.</summary>
    public static ModuleFileKind FileKind(uint fileType) => fileType switch
    {
        MachOConstants.MhObject => ModuleFileKind.Relocatable,
        0x2 => ModuleFileKind.Executable,
        0x4 => ModuleFileKind.Core,
        0x6 or 0x8 or 0x9 => ModuleFileKind.Shared,
        MachOConstants.MhKextBundle => ModuleFileKind.KextBundle,
        0x3 or 0x5 or 0x7 or 0xA or 0xC => ModuleFileKind.Other,
        _ => ModuleFileKind.Unknown,
    };

    /// <summary>The file type name without its <c>MH_</c> prefix.</summary>
    public static string FileType(uint fileType) => fileType switch
    {
        0x1 => "OBJECT",
        0x2 => "EXECUTE",
        0x3 => "FVMLIB",
        0x4 => "CORE",
        0x5 => "PRELOAD",
        0x6 => "DYLIB",
        0x7 => "DYLINKER",
        0x8 => "BUNDLE",
        0x9 => "DYLIB_STUB",
        0xA => "DSYM",
        0xB => "KEXT_BUNDLE",
        0xC => "FILESET",
        _ => $"0x{fileType:x}",
    };

    /// <summary>The load command name (<c>LC_…</c>).</summary>
    public static string LoadCommand(uint cmd) => cmd switch
    {
        0x1 => "LC_SEGMENT",
        0x2 => "LC_SYMTAB",
        0x4 => "LC_THREAD",
        0x5 => "LC_UNIXTHREAD",
        0xB => "LC_DYSYMTAB",
        0xC => "LC_LOAD_DYLIB",
        0xD => "LC_ID_DYLIB",
        0xE => "LC_LOAD_DYLINKER",
        0x19 => "LC_SEGMENT_64",
        0x1B => "LC_UUID",
        0x1D => "LC_CODE_SIGNATURE",
        0x1E => "LC_SEGMENT_SPLIT_INFO",
        0x22 => "LC_DYLD_INFO",
        0x80000022 => "LC_DYLD_INFO_ONLY",
        0x24 => "LC_VERSION_MIN_MACOSX",
        0x25 => "LC_VERSION_MIN_IPHONEOS",
        0x26 => "LC_FUNCTION_STARTS",
        0x29 => "LC_DATA_IN_CODE",
        0x2A => "LC_SOURCE_VERSION",
        0x2B => "LC_DYLIB_CODE_SIGN_DRS",
        0x2D => "LC_LINKER_OPTION",
        0x2E => "LC_LINKER_OPTIMIZATION_HINT",
        0x2F => "LC_VERSION_MIN_TVOS",
        0x30 => "LC_VERSION_MIN_WATCHOS",
        0x31 => "LC_NOTE",
        0x32 => "LC_BUILD_VERSION",
        0x80000028 => "LC_MAIN",
        0x80000033 => "LC_DYLD_EXPORTS_TRIE",
        0x80000034 => "LC_DYLD_CHAINED_FIXUPS",
        0x80000035 => "LC_FILESET_ENTRY",
        _ => $"LC_0x{cmd:x}",
    };

    /// <summary>The section type name (low 8 bits of the flags) without its <c>S_</c> prefix.</summary>
    public static string SectionType(uint flags) => (flags & MachOConstants.SectionTypeMask) switch
    {
        0x0 => "REGULAR",
        0x1 => "ZEROFILL",
        0x2 => "CSTRING_LITERALS",
        0x3 => "4BYTE_LITERALS",
        0x4 => "8BYTE_LITERALS",
        0x5 => "LITERAL_POINTERS",
        0x6 => "NON_LAZY_SYMBOL_POINTERS",
        0x7 => "LAZY_SYMBOL_POINTERS",
        0x8 => "SYMBOL_STUBS",
        0x9 => "MOD_INIT_FUNC_POINTERS",
        0xA => "MOD_TERM_FUNC_POINTERS",
        0xB => "COALESCED",
        0xC => "GB_ZEROFILL",
        0xD => "INTERPOSING",
        0xE => "16BYTE_LITERALS",
        0xF => "DTRACE_DOF",
        0x10 => "LAZY_DYLIB_SYMBOL_POINTERS",
        0x11 => "THREAD_LOCAL_REGULAR",
        0x12 => "THREAD_LOCAL_ZEROFILL",
        0x13 => "THREAD_LOCAL_VARIABLES",
        0x14 => "THREAD_LOCAL_VARIABLE_POINTERS",
        0x15 => "THREAD_LOCAL_INIT_FUNCTION_POINTERS",
        0x16 => "INIT_FUNC_OFFSETS",
        var t => $"0x{t:x}",
    };

    /// <summary>The platform name of an <c>LC_BUILD_VERSION</c>.</summary>
    public static string Platform(uint platform) => platform switch
    {
        1 => "macos",
        2 => "ios",
        3 => "tvos",
        4 => "watchos",
        5 => "bridgeos",
        6 => "maccatalyst",
        7 => "iossimulator",
        8 => "tvossimulator",
        9 => "watchossimulator",
        10 => "driverkit",
        _ => $"platform-{platform}",
    };

    /// <summary>A packed <c>xxxx.yy.zz</c> version as text (zero patch omitted, like <c>otool</c>).</summary>
    public static string PackedVersion(uint v)
    {
        uint patch = v & 0xFF;
        string text = $"{v >> 16}.{(v >> 8) & 0xFF}";
        return patch == 0 ? text : $"{text}.{patch}";
    }

    /// <summary>A packed <c>LC_SOURCE_VERSION</c> (a24.b10.c10.d10.e10) as text.</summary>
    public static string SourceVersion(ulong v)
    {
        var parts = new[] { v >> 40, (v >> 30) & 0x3FF, (v >> 20) & 0x3FF, (v >> 10) & 0x3FF, v & 0x3FF };
        int last = parts.Length - 1;
        while (last > 1 && parts[last] == 0)
        {
            last--;
        }

        return string.Join('.', parts[..(last + 1)]);
    }
}
