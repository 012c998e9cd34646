namespace LkmKit.Formats.Model;

/// <summary>
/// A name a file offers to the kernel and to other modules' dependencies: a module it declares (Linux, NetBSD, LKM and
/// Windows module name, FreeBSD <c>MDT_MODULE</c>, kext bundle identifier) or a versioned interface (FreeBSD
/// <c>MODULE_VERSION</c>, what <c>MODULE_DEPEND</c> is resolved against).
/// </summary>
/// <param name="Name">The module or interface name.</param>
/// <param name="Version">
/// The version, where the format has one: the interface version, a kext's CFBundleVersion, a FreeBSD module's
/// same-named interface version, a Linux module's <c>version=</c>; otherwise null.
/// </param>
/// <param name="IsInterface">True for a FreeBSD interface (<c>MDT_VERSION</c>), false for a module.</param>
public sealed record ModuleProvision(string Name, string? Version = null, bool IsInterface = false)
{
    /// <summary>
    /// The dependencies this module declares (empty for an interface). For a FreeBSD file holding several modules, each
    /// module's own <c>MODULE_DEPEND</c> records, those on modules of the same file and on the <c>kernel</c> included;
    /// for every other format the module's <see cref="KernelModule.Dependencies"/>.
    /// </summary>
    public IReadOnlyList<ModuleDependency> Dependencies { get; init; } = [];
}
