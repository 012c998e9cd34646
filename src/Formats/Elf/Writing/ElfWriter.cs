using LkmKit.Formats.Model;

namespace LkmKit.Formats.Elf.Writing;

/// <summary>
/// Writes an ELF file (ET_REL, ET_EXEC or ET_DYN; 32 or 64 bit; either byte order) from an
/// <see cref="ElfFileDescription"/>. The layout is computed once before anything is written: string tables, symbol
/// order and every offset are reserved first, then the bytes are written into a buffer of exactly the reserved size.
/// File order: ELF header, program headers, the sections in index order, the section header table.
/// </summary>
internal static class ElfWriter
{
    /// <summary>Writes the file <paramref name="description"/> describes to <paramref name="path"/>.</summary>
    public static void Write(ElfFileDescription description, string path) => File.WriteAllBytes(path, Build(description));

    /// <summary>The bytes of the file <paramref name="description"/> describes.</summary>
    /// <exception cref="ArgumentException">A reference points at no section, or a value does not fit its field.</exception>
    public static byte[] Build(ElfFileDescription description)
    {
        var layout = ElfLayout.Reserve(description);
        var bytes = new byte[layout.FileSize];
        ElfEmitter.Emit(description, layout, bytes);
        return bytes;
    }
}
