namespace LkmKit.Formats.IO;

/// <summary>A file that belongs beside a module, found through its <see cref="ModuleSource"/>.</summary>
/// <param name="Path">Where it is.</param>
/// <param name="Length">Its length in bytes (known before it is read, so a reader can refuse an oversized one).</param>
/// <param name="Read">Reads its bytes.</param>
internal sealed record SideFile(string Path, long Length, Func<byte[]> Read);
