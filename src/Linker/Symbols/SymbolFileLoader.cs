using System.Text;
using LkmKit.Formats;

namespace LkmKit.Linker.Symbols;

/// <summary>Reads a symbol file of any supported kind, recognised by its contents: an ELF image, Module.symvers, or nm format.</summary>
public static class SymbolFileLoader
{
    /// <summary>Loads <paramref name="path"/>.</summary>
    /// <exception cref="LinkException">The text is in no recognised format.</exception>
    /// <exception cref="LkmKit.Formats.ModuleFormatException">An ELF image is malformed.</exception>
    public static IKernelSymbolSource Load(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        }

        if (read == 4 && magic is [0x7f, (byte)'E', (byte)'L', (byte)'F'])
        {
            using var file = ModuleReader.Open(path);
            return ElfImageSymbols.From(file.Modules[0], path);
        }

        byte[] bytes = File.ReadAllBytes(path);
        return ModuleSymversReader.Looks(bytes)
            ? ModuleSymversReader.Parse(Encoding.UTF8.GetString(bytes), path)
            : SystemMapReader.Parse(bytes, path);
    }
}
