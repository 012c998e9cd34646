namespace LkmKit.Linker.Loading;

/// <summary>Builds the events every policy reports.</summary>
internal static class LoadEvents
{
    public static LoadEvent Refused(string module, string? path, Refusal refusal, IReadOnlyList<string>? notes = null) => new()
    {
        Event = "load", Module = module, Path = path, Result = "refused", Errno = refusal.Errno, Message = refusal.Message, Notes = notes ?? [],
    };

    public static LoadEvent Loaded(LoadedModule module, IReadOnlyList<string> notes) => new()
    {
        Event = "load", Module = module.Name, Path = module.Path, Result = "loaded", Address = module.Address, Size = module.Size,
        Taint = module.Taint.Length > 0 ? module.Taint : null, Notes = notes,
    };

    public static LoadEvent Unloaded(LoadedModule module, IReadOnlyList<string>? notes = null, string kind = "unload") => new()
    {
        Event = kind, Module = module.Name, Path = module.Path, Result = "unloaded", Address = module.Address, Size = module.Size, Notes = notes ?? [],
    };

    public static LoadEvent UnloadRefused(string name, string? path, Refusal refusal) => new()
    {
        Event = "unload", Module = name, Path = path, Result = "refused", Errno = refusal.Errno, Message = refusal.Message,
    };
}
