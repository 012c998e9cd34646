namespace LkmKit.Formats.IO;

/// <summary>How a module file was compressed on disk.</summary>
public enum CompressionKind
{
    /// <summary>Not compressed.</summary>
    None,
    /// <summary>gzip (deflate).</summary>
    Gzip,
    /// <summary>xz (LZMA2).</summary>
    Xz,
    /// <summary>Zstandard.</summary>
    Zstd,
}
