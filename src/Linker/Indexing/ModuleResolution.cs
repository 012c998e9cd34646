namespace LkmKit.Linker.Indexing;

/// <summary>Where a lookup found a module (kmod's lookup order).</summary>
public enum ModuleLookupSource
{
    /// <summary>An <c>alias</c> line of modprobe.d matched the name.</summary>
    ConfigAlias,
    /// <summary>The name is a module of <c>modules.dep</c>.</summary>
    ModuleName,
    /// <summary><c>symbol:NAME</c> found in <c>modules.symbols</c>.</summary>
    Symbol,
    /// <summary>An <c>install</c> or <c>remove</c> command of modprobe.d names it.</summary>
    Command,
    /// <summary>A module alias of <c>modules.alias</c> matched (fnmatch).</summary>
    Alias,
    /// <summary>The name is built into the kernel (<c>modules.builtin</c>).</summary>
    Builtin,
    /// <summary>An alias of a built-in module matched (<c>modules.builtin.modinfo</c>).</summary>
    BuiltinAlias,
}

/// <summary>Why a module is in a load list.</summary>
public enum ModuleInclusion
{
    /// <summary>It is what the name or alias resolved to.</summary>
    Requested,
    /// <summary>The requested module (or one of its softdeps) needs its symbols (<c>modules.dep</c>).</summary>
    Dependency,
    /// <summary>A <c>softdep … pre:</c> of another module in the list.</summary>
    SoftdepPre,
    /// <summary>A <c>softdep … post:</c> of another module in the list.</summary>
    SoftdepPost,
}

/// <summary>A module a name or alias resolved to.</summary>
/// <param name="Name">Module name.</param>
/// <param name="Alias">The alias it was found through, or null when found by its own name.</param>
/// <param name="Source">Which index or configuration found it.</param>
public sealed record ModuleMatch(string Name, string? Alias, ModuleLookupSource Source);

/// <summary>One step of a load list.</summary>
/// <param name="Name">Module name.</param>
/// <param name="Path">Absolute path of the module file, or null (built-in, or a name no index knows).</param>
/// <param name="IsBuiltin">True when the module is built into the kernel: nothing to load.</param>
/// <param name="Options">Parameters from modprobe.d, the kernel command line and the caller, as modprobe passes them.</param>
/// <param name="InstallCommand">The modprobe.d <c>install</c> command run instead of loading, or null.</param>
/// <param name="Reason">Why the module is in the list.</param>
/// <param name="RequiredBy">The module whose dependency or softdep brought it in; null for the requested module.</param>
public sealed record ResolvedModule(string Name, string? Path, bool IsBuiltin, string Options, string? InstallCommand, ModuleInclusion Reason, string? RequiredBy);

/// <summary>What loading one matched module takes: its modules in load order, or nothing when blacklisted.</summary>
/// <param name="Target">The module the name or alias resolved to.</param>
/// <param name="Blacklisted">True when modprobe.d blacklists it (for aliases, or always with the blacklist flag).</param>
/// <param name="Modules">Modules to load, in order (dependencies first); empty when blacklisted.</param>
public sealed record ModuleLoadPlan(ModuleMatch Target, bool Blacklisted, IReadOnlyList<ResolvedModule> Modules);
