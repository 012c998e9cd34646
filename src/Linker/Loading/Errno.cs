namespace LkmKit.Linker.Loading;

/// <summary>The error names the loaders return, with Linux's numbers (printed in its "err -N" messages).</summary>
internal static class Errno
{
    public const string EPERM = "EPERM", ENOENT = "ENOENT", ENOEXEC = "ENOEXEC", EBUSY = "EBUSY", EEXIST = "EEXIST",
        EINVAL = "EINVAL", ENOMEM = "ENOMEM", EWOULDBLOCK = "EWOULDBLOCK", EKEYREJECTED = "EKEYREJECTED", EBADMSG = "EBADMSG",
        ENOKEY = "ENOKEY", ENODATA = "ENODATA", ENOPKG = "ENOPKG", EFBIG = "EFBIG", EDEADLK = "EDEADLK", EPROGMISMATCH = "EPROGMISMATCH",
        ENFILE = "ENFILE", EMLINK = "EMLINK", ENXIO = "ENXIO";

    /// <summary>Linux's number for <paramref name="name"/> (include/uapi/asm-generic/errno*.h).</summary>
    public static int Linux(string name) => name switch
    {
        EPERM => 1, ENOENT => 2, ENXIO => 6, ENOEXEC => 8, EWOULDBLOCK => 11, ENOMEM => 12, EBUSY => 16, EEXIST => 17,
        ENFILE => 23, EFBIG => 27, EMLINK => 31, EINVAL => 22, EDEADLK => 35, ENODATA => 61, ENOPKG => 65, EBADMSG => 74,
        ENOKEY => 126, EKEYREJECTED => 129,
        _ => 0,
    };
}

/// <summary>A refusal inside a policy: the errno name and the kernel's message.</summary>
internal sealed class Refusal(string errno, string message) : Exception(message)
{
    public string Errno { get; } = errno;
}
