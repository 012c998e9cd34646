namespace LkmKit.Formats.Flavors.Lkm;

/// <summary>What a legacy LKM plugs into the kernel (<c>enum MODTYPE</c>, under its OS-specific numbering).</summary>
public enum LkmModuleKind
{
    /// <summary>The type number has no meaning under the chosen numbering, or the numbering is undecided.</summary>
    Unknown,
    /// <summary>LM_SYSCALL: a system call.</summary>
    Syscall,
    /// <summary>LM_VFS: a file system.</summary>
    Vfs,
    /// <summary>LM_DEV: a block or character device.</summary>
    Device,
    /// <summary>LM_STRMOD: a STREAMS module (never implemented).</summary>
    StreamsModule,
    /// <summary>LM_EXEC: an executable format.</summary>
    Exec,
    /// <summary>LM_COMPAT: an emulation (NetBSD 4).</summary>
    Emulation,
    /// <summary>LM_MISC: anything else; the module does its own wiring.</summary>
    Misc,
    /// <summary>LM_DRV: an autoconfiguration driver (NetBSD 4).</summary>
    Driver,
}

/// <summary>The system and <c>lkm.h</c> era an LKM was built for; each fixes one numbering of <c>lkm_type</c>.</summary>
public enum LkmOperatingSystem
{
    /// <summary>NetBSD with the 1997 <c>lkm.h</c> (rev 1.16; 16-byte header): SYSCALL 0 … EXEC 4, MISC 5.</summary>
    NetBsd,
    /// <summary>NetBSD 4.x <c>lkm.h</c> (24-byte header): … EXEC 4, COMPAT 5, MISC 6, DRV 7.</summary>
    NetBsd4,
    /// <summary>OpenBSD 4.x–5.x <c>lkm.h</c> (LKM_VERSION 2): SYSCALL 0, VFS 1, DEV 2, EXEC 3, MISC 4.</summary>
    OpenBsd,
    /// <summary>OpenBSD with the 1997 <c>lkm.h</c>: the classic numbering, MISC 5.</summary>
    OpenBsdOld,
    /// <summary>FreeBSD 2.x: the classic numbering, MISC 5.</summary>
    FreeBsd,
}

/// <summary>The three numberings of <c>enum MODTYPE</c> and which systems use them.</summary>
internal static class LkmTypes
{
    private static readonly LkmModuleKind[] Classic =
        [LkmModuleKind.Syscall, LkmModuleKind.Vfs, LkmModuleKind.Device, LkmModuleKind.StreamsModule, LkmModuleKind.Exec, LkmModuleKind.Misc];

    private static readonly LkmModuleKind[] NetBsd4 =
    [
        LkmModuleKind.Syscall, LkmModuleKind.Vfs, LkmModuleKind.Device, LkmModuleKind.StreamsModule, LkmModuleKind.Exec,
        LkmModuleKind.Emulation, LkmModuleKind.Misc, LkmModuleKind.Driver,
    ];

    private static readonly LkmModuleKind[] OpenBsd4 =
        [LkmModuleKind.Syscall, LkmModuleKind.Vfs, LkmModuleKind.Device, LkmModuleKind.Exec, LkmModuleKind.Misc];

    /// <summary>Every system, in the order candidates are listed.</summary>
    public static readonly LkmOperatingSystem[] All =
        [LkmOperatingSystem.NetBsd, LkmOperatingSystem.OpenBsdOld, LkmOperatingSystem.FreeBsd, LkmOperatingSystem.NetBsd4, LkmOperatingSystem.OpenBsd];

    /// <summary>What type number <paramref name="type"/> means on <paramref name="os"/>.</summary>
    public static LkmModuleKind Kind(LkmOperatingSystem os, long type)
    {
        var table = os switch
        {
            LkmOperatingSystem.NetBsd4 => NetBsd4,
            LkmOperatingSystem.OpenBsd => OpenBsd4,
            _ => Classic,
        };
        return type >= 0 && type < table.Length ? table[type] : LkmModuleKind.Unknown;
    }

    /// <summary>The header constant for a kind: <c>LM_SYSCALL</c>, <c>LM_DEV</c>, …</summary>
    public static string ConstantName(LkmModuleKind kind) => kind switch
    {
        LkmModuleKind.Syscall => "LM_SYSCALL",
        LkmModuleKind.Vfs => "LM_VFS",
        LkmModuleKind.Device => "LM_DEV",
        LkmModuleKind.StreamsModule => "LM_STRMOD",
        LkmModuleKind.Exec => "LM_EXEC",
        LkmModuleKind.Emulation => "LM_COMPAT",
        LkmModuleKind.Misc => "LM_MISC",
        LkmModuleKind.Driver => "LM_DRV",
        _ => "unknown",
    };

    /// <summary>The word used for a kind in views: <c>syscall</c>, <c>vfs</c>, <c>device</c>, <c>exec</c>, <c>emulation</c>, <c>misc</c>, …</summary>
    public static string KindName(LkmModuleKind kind) => kind switch
    {
        LkmModuleKind.StreamsModule => "streams",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The command-line word for a system: <c>netbsd</c>, <c>netbsd4</c>, <c>openbsd</c>, <c>openbsd-old</c>, <c>freebsd</c>.</summary>
    public static string OsName(LkmOperatingSystem os) => os switch
    {
        LkmOperatingSystem.NetBsd => "netbsd",
        LkmOperatingSystem.NetBsd4 => "netbsd4",
        LkmOperatingSystem.OpenBsd => "openbsd",
        LkmOperatingSystem.OpenBsdOld => "openbsd-old",
        _ => "freebsd",
    };

    /// <summary>Parses a command-line word of <see cref="OsName"/>.</summary>
    public static bool TryParseOs(string text, out LkmOperatingSystem os)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(OsName(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                os = candidate;
                return true;
            }
        }

        os = default;
        return false;
    }
}
