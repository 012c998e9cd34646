using LkmKit.Formats.Model;

namespace LkmKit.Linker.Loading.Linux;

/// <summary>
/// Finds Linux modules by name in the kernel's modules directory and gives the order modprobe loads a module and what
/// it needs in. This is the stand-in until the depmod/modprobe resolution of <c>LkmKit.Linker.Indexing</c> is
/// available: it follows each module's own <c>depends=</c> and <c>softdep=</c>, as depmod derives them.
/// </summary>
internal sealed class LinuxModuleFinder(string directory)
{
    private Dictionary<string, string>? _byName;

    /// <summary>A module name as the kernel compares it (<c>-</c> and <c>_</c> are the same).</summary>
    public static string Normalize(string name) => name.Replace('-', '_');

    /// <summary>The module name a file of the tree stands for (its base name without <c>.ko</c> and compression suffix).</summary>
    public static string NameOfFile(string path)
    {
        string file = Path.GetFileName(path);
        int ko = file.IndexOf(".ko", StringComparison.Ordinal);
        return Normalize(ko > 0 ? file[..ko] : Path.GetFileNameWithoutExtension(file));
    }

    /// <summary>The path of module <paramref name="name"/> in the directory, or null.</summary>
    public string? Find(string name)
    {
        if (_byName is null)
        {
            _byName = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Directory.Exists(directory))
            {
                foreach (var file in Directory.EnumerateFiles(directory, "*.ko*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    _byName.TryAdd(NameOfFile(file), file);
                }
            }
        }

        return _byName.GetValueOrDefault(Normalize(name));
    }

    /// <summary>
    /// The modules to load for <paramref name="first"/>, dependencies first: for each module its softdep <c>pre:</c>
    /// modules, its <c>depends=</c> modules (each with their own), the module, then its <c>post:</c> modules.
    /// </summary>
    /// <param name="first">The requested module's path.</param>
    /// <param name="open">Opens a module file.</param>
    /// <exception cref="Refusal">A hard dependency is not in the directory.</exception>
    public List<string> Order(string first, Func<string, KernelModule> open)
    {
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Visit(first, open, order, seen);
        return order;
    }

    private void Visit(string path, Func<string, KernelModule> open, List<string> order, HashSet<string> seen)
    {
        if (!seen.Add(path))
        {
            return;
        }

        var module = open(path);
        foreach (var dep in module.Dependencies)
        {
            if (dep.Kind == DependencyKind.SoftPre && Find(dep.Name) is { } pre)
            {
                Visit(pre, open, order, seen);
            }
        }

        foreach (var dep in module.Dependencies)
        {
            if (dep.Kind == DependencyKind.Hard)
            {
                Visit(Find(dep.Name) ?? throw new Refusal(Errno.ENOENT, $"Module {dep.Name} not found in directory {directory} (needed by {module.Name})"), open, order, seen);
            }
        }

        order.Add(path);
        foreach (var dep in module.Dependencies)
        {
            if (dep.Kind == DependencyKind.SoftPost && Find(dep.Name) is { } post)
            {
                Visit(post, open, order, seen);
            }
        }
    }
}
