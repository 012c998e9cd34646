namespace LkmKit.Linker.Loading;

/// <summary>One kernel's module subsystem: how it finds modules and what it checks, in its order.</summary>
internal interface IKernelPolicy
{
    /// <summary>Loads <paramref name="argument"/> (a name, alias or path) and what it needs; one event per module tried.</summary>
    IEnumerable<LoadEvent> Load(KernelSession session, string argument, LoadOptions options);

    /// <summary>Unloads the module named <paramref name="name"/>.</summary>
    LoadEvent Unload(KernelSession session, string name, bool force);

    /// <summary>Work the kernel does on its own between commands (NetBSD's auto-unload); none by default.</summary>
    IEnumerable<LoadEvent> Tick(KernelSession session) => [];

    /// <summary>The reference count the OS's tool prints for <paramref name="module"/>.</summary>
    int RefsOf(KernelSession session, LoadedModule module) => session.State.UsersOf(module.Name).Count();

    /// <summary>Checks the settings of a new kernel (e.g. known names and values).</summary>
    void Validate(KernelState state)
    {
    }

    /// <summary>Where this kernel's model simplifies, said once in the output.</summary>
    IReadOnlyList<string> Simplifications { get; }
}
