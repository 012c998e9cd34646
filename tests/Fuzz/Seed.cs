namespace LkmKit.Fuzz;

/// <summary>
/// One fixture the fuzzer mutates. A memory seed is read from memory under a path that names no file on disk; a
/// bundle seed is one file of a directory (a kext bundle's Info.plist or executable, a NetBSD module's <c>.prop</c>):
/// the directory is copied once to a scratch place, the mutated bytes replace that one file, and
/// <see cref="OpenPath"/> (relative to the copy) is opened from disk.
/// </summary>
/// <param name="Name">The fixture's path relative to testdata/ (and the file inside it for bundle seeds).</param>
/// <param name="Bytes">The bytes to mutate.</param>
/// <param name="Directory">For bundle seeds: the directory copied to the scratch place.</param>
/// <param name="MutatedFile">For bundle seeds: the file, relative to <see cref="Directory"/>, that receives the mutated bytes.</param>
/// <param name="OpenPath">For bundle seeds: what is opened, relative to the copy of <see cref="Directory"/>.</param>
internal sealed record Seed(string Name, byte[] Bytes, string? Directory = null, string? MutatedFile = null, string? OpenPath = null)
{
    /// <summary>True when the seed is opened from a copy on disk.</summary>
    public bool OnDisk => Directory is not null;
}
