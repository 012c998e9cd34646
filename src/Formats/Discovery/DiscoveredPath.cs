namespace LkmKit.Formats.Discovery;

/// <summary>One path a walk produced: a module file or bundle to read, or an entry refused with the reason.</summary>
/// <param name="Path">The path (as given, or joined below the directory given).</param>
/// <param name="Refusal">Why the path is not read (a FIFO, a device, a link out of the tree); null for a path to read.</param>
/// <param name="Given">True when the path was named by the caller rather than found in a directory.</param>
public readonly record struct DiscoveredPath(string Path, string? Refusal, bool Given)
{
    /// <summary>True when the path should be read.</summary>
    public bool IsModule => Refusal is null;
}
