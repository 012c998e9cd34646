using LkmKit.Formats.Discovery;

namespace LkmKit.Bench;

/// <summary>Finds module files in a tree the way <c>lkm</c> does (<see cref="ModuleDiscovery"/>: content decides, each file once).</summary>
internal static class ModuleFinder
{
    /// <summary>Every module file or bundle under <paramref name="directory"/>, sorted ordinally so runs are repeatable.</summary>
    public static string[] Find(string directory) =>
        [.. ModuleDiscovery.Expand([directory]).Where(found => found.IsModule).Select(found => found.Path)];
}
