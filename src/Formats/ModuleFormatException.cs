namespace LkmKit.Formats;

/// <summary>
/// The one exception the readers throw for malformed input: it names the file, the byte offset, the structure
/// being read and what was wrong with it.
/// </summary>
public sealed class ModuleFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file being read.</param>
    /// <param name="offset">Byte offset in the (decompressed) file of the bad data.</param>
    /// <param name="structure">The structure being read, e.g. <c>ELF section header 5</c>.</param>
    /// <param name="reason">What was wrong.</param>
    public ModuleFormatException(string path, long offset, string structure, string reason)
        : base($"{path}: offset 0x{offset:x}: {structure}: {reason}")
    {
        FilePath = path;
        Offset = offset;
        Structure = structure;
        Reason = reason;
    }

    /// <summary>The file being read.</summary>
    public string FilePath { get; }
    /// <summary>Byte offset of the bad data.</summary>
    public long Offset { get; }
    /// <summary>The structure being read.</summary>
    public string Structure { get; }
    /// <summary>What was wrong.</summary>
    public string Reason { get; }
}
