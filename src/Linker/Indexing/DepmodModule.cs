namespace LkmKit.Linker.Indexing;

/// <summary>One module of the tree as depmod tracks it.</summary>
internal sealed class DepmodModule(string path, string outputPath, string uncompressedRelativePath, string name)
{
    /// <summary>Absolute path (used in messages).</summary>
    public string Path { get; } = path;
    /// <summary>The path written into the indexes: relative to the module directory, or absolute outside it.</summary>
    public string OutputPath { get; } = outputPath;
    /// <summary>Relative path without the compression suffix (how modules.order names it).</summary>
    public string UncompressedRelativePath { get; } = uncompressedRelativePath;
    /// <summary>Module name (kmod-normalised).</summary>
    public string Name { get; } = name;

    public DepmodModuleScan? Scan { get; set; }
    public int Index { get; set; }
    public int SortIndex { get; set; } = 1;
    public int DependencySortIndex { get; set; }
    public int Users { get; set; }
    public List<DepmodModule> Dependencies { get; } = [];

    /// <summary>The module's <c>alias=</c> values (none when it could not be read).</summary>
    public IReadOnlyList<string> Aliases => Scan?.Aliases ?? [];
    /// <summary>The module's <c>softdep=</c> values.</summary>
    public IReadOnlyList<string> Softdeps => Scan?.Softdeps ?? [];
}
