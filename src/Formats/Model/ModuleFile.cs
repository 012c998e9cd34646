namespace LkmKit.Formats.Model;

/// <summary>
/// A file opened for reading with the modules it holds: usually one, several for a fat Mach-O (one per slice).
/// Section data of the modules points into the file's memory; dispose the file when done with them.
/// </summary>
public sealed class ModuleFile : IDisposable
{
    private readonly IDisposable? _owner;

    /// <summary>Creates a module file over modules read from a source owned by <paramref name="owner"/>.</summary>
    public ModuleFile(string path, IReadOnlyList<KernelModule> modules, IDisposable? owner)
    {
        Path = path;
        Modules = modules;
        _owner = owner;
    }

    /// <summary>The path that was opened.</summary>
    public string Path { get; }

    /// <summary>The modules in the file.</summary>
    public IReadOnlyList<KernelModule> Modules { get; }

    /// <inheritdoc />
    public void Dispose() => _owner?.Dispose();
}
