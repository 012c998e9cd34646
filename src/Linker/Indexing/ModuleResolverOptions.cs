namespace LkmKit.Linker.Indexing;

/// <summary>The module directory and configuration a <see cref="ModuleResolver"/> reads.</summary>
public sealed class ModuleResolverOptions
{
    /// <summary>The module directory: <c>BASEDIR/lib/modules/KREL</c>.</summary>
    public required string ModuleDirectory { get; init; }
    /// <summary>modprobe.d files or directories (modprobe's <c>-C</c>); null reads kmod's default directories.</summary>
    public IReadOnlyList<string>? ConfigPaths { get; init; }
    /// <summary>A kernel command line whose <c>module.param=value</c> words add options (modprobe reads /proc/cmdline); null for none.</summary>
    public string? KernelCommandLine { get; init; }
}
