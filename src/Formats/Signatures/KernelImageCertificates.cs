using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using LkmKit.Formats.Elf;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Signatures;

/// <summary>
/// Finds the X.509 certificates a Linux kernel image has built in (certs/system_certificates.S:
/// <c>system_certificate_list</c>, <c>system_certificate_list_size</c>), which is where the key that signed the
/// build's modules lives.
/// </summary>
internal static class KernelImageCertificates
{
    private const string Structure = "kernel image";
    private const string ListSymbol = "system_certificate_list";
    private const string SizeSymbol = "system_certificate_list_size";
    private const string TextSymbol = "_text";
    private const uint PtLoad = 1;
    private const uint ShtSymtab = 2;

    /// <summary>The DER certificates of <paramref name="imagePath"/>, in the order the kernel loads them.</summary>
    public static List<byte[]> Read(string imagePath, string? systemMapPath)
    {
        using var source = ModuleSource.Open(imagePath);
        KernelImage image = KernelImageUnpacker.Unpack(source.Data, imagePath);
        List<byte[]> certificates;
        if (systemMapPath is not null)
        {
            var symbols = ReadSystemMap(systemMapPath);
            certificates = ReadList(image, imagePath, Lookup(symbols, ListSymbol, systemMapPath),
                Lookup(symbols, SizeSymbol, systemMapPath), symbols.GetValueOrDefault(TextSymbol));
        }
        else if (image.Elf is { } elf && FindElfSymbols(elf) is { } elfSymbols)
        {
            certificates = ReadList(image, imagePath, elfSymbols.List, elfSymbols.Size, 0);
        }
        else
        {
            certificates = Scan(image.Data.Span);
        }

        if (certificates.Count == 0)
        {
            throw new ModuleFormatException(imagePath, 0, Structure,
                systemMapPath is null
                    ? "no DER X.509 certificate found in the kernel image"
                    : $"{ListSymbol} is empty (the kernel was built without a module signing certificate)");
        }

        return certificates;
    }

    /// <summary>
    /// Every DER X.509 certificate in <paramref name="data"/>: each place where a certificate SEQUENCE starts with a
    /// v3 TBSCertificate (<c>30 82 .. .. 30 82 .. .. a0 03 02 01 02</c>) and decodes as a certificate.
    /// </summary>
    internal static List<byte[]> Scan(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> version3 = [0xa0, 0x03, 0x02, 0x01, 0x02];
        var found = new List<byte[]>();
        int from = 0;
        while (true)
        {
            int hit = data[from..].IndexOf(version3);
            if (hit < 0)
            {
                return found;
            }

            int at = from + hit;
            from = at + 1;
            foreach (int start in CandidateStarts(data, at))
            {
                if (TryReadCertificate(data[start..], out byte[]? der))
                {
                    found.Add(der);
                    from = start + der.Length;
                    break;
                }
            }
        }
    }

    // A certificate header (30 81 LL or 30 82 LL LL) followed by a TBSCertificate header of the same forms just
    // before the version field at 'version'.
    private static IEnumerable<int> CandidateStarts(ReadOnlySpan<byte> data, int version)
    {
        var starts = new List<int>(4);
        foreach (int tbsHeader in (ReadOnlySpan<int>)[4, 3])
        {
            int tbs = version - tbsHeader;
            if (tbs < 0 || data[tbs] != 0x30 || data[tbs + 1] != (tbsHeader == 4 ? 0x82 : 0x81))
            {
                continue;
            }

            foreach (int certificateHeader in (ReadOnlySpan<int>)[4, 3])
            {
                int start = tbs - certificateHeader;
                if (start >= 0 && data[start] == 0x30 && data[start + 1] == (certificateHeader == 4 ? 0x82 : 0x81))
                {
                    starts.Add(start);
                }
            }
        }

        return starts;
    }

    private static bool TryReadCertificate(ReadOnlySpan<byte> data, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? der)
    {
        der = null;
        try
        {
            AsnDecoder.ReadEncodedValue(data, AsnEncodingRules.DER, out _, out _, out int length);
            byte[] candidate = data[..length].ToArray();
            using var certificate = X509CertificateLoader.LoadCertificate(candidate);
            der = candidate;
            return true;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }

    // The list is certificates back to back (the kernel's x509_load_certificate_list walks it the same way), possibly
    // followed by zero bytes reserved for CONFIG_SYSTEM_EXTRA_CERTIFICATE.
    private static List<byte[]> ReadList(KernelImage image, string path, ulong listAddress, ulong sizeAddress, ulong textAddress)
    {
        ReadOnlySpan<byte> data = image.Data.Span;
        int sizeOffset = image.OffsetOf(sizeAddress, image.Is64 ? 8 : 4, textAddress, path, SizeSymbol);
        ulong size = image.Is64
            ? BinaryPrimitives.ReadUInt64LittleEndian(data[sizeOffset..])
            : BinaryPrimitives.ReadUInt32LittleEndian(data[sizeOffset..]);
        if (size > int.MaxValue)
        {
            throw new ModuleFormatException(path, sizeOffset, Structure, $"{SizeSymbol} is {size}, larger than the image");
        }

        int listOffset = image.OffsetOf(listAddress, (int)size, textAddress, path, ListSymbol);
        ReadOnlySpan<byte> list = data.Slice(listOffset, (int)size);
        var certificates = new List<byte[]>();
        int at = 0;
        while (at < list.Length && list[at] == 0x30)
        {
            if (!TryReadCertificate(list[at..], out byte[]? der))
            {
                throw new ModuleFormatException(path, listOffset + at, Structure,
                    $"{ListSymbol}+0x{at:x} does not hold a DER X.509 certificate");
            }

            certificates.Add(der);
            at += der.Length;
        }

        return certificates;
    }

    private static Dictionary<string, ulong> ReadSystemMap(string path)
    {
        var symbols = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(path))
        {
            // "ffffffff8327ec58 D system_certificate_list"
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 3 && fields[2] is ListSymbol or SizeSymbol or TextSymbol &&
                ulong.TryParse(fields[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong address))
            {
                symbols.TryAdd(fields[2], address);
            }
        }

        return symbols;
    }

    private static ulong Lookup(Dictionary<string, ulong> symbols, string name, string mapPath) =>
        symbols.TryGetValue(name, out ulong address)
            ? address
            : throw new ModuleFormatException(mapPath, 0, "System.map",
                $"no {name} symbol (the kernel was built without CONFIG_SYSTEM_TRUSTED_KEYRING?)");

    private static (ulong List, ulong Size)? FindElfSymbols(ElfFile elf)
    {
        int symtab = elf.FindSectionOfType(ShtSymtab);
        if (symtab < 0)
        {
            return null;
        }

        ElfSymbolTable table = elf.GetSymbolTable(symtab);
        ulong? list = null, size = null;
        ReadOnlySpan<byte> listName = Encoding.ASCII.GetBytes(ListSymbol);
        ReadOnlySpan<byte> sizeName = Encoding.ASCII.GetBytes(SizeSymbol);
        for (int i = 1; i < table.Count && (list is null || size is null); i++)
        {
            ElfSymbol symbol = table[i];
            ReadOnlySpan<byte> name = table.GetNameBytes(symbol);
            if (name.SequenceEqual(listName))
            {
                list = symbol.Value;
            }
            else if (name.SequenceEqual(sizeName))
            {
                size = symbol.Value;
            }
        }

        return list is { } l && size is { } s ? (l, s) : null;
    }

    /// <summary>A kernel image unpacked to what the kernel runs: a vmlinux ELF, or a raw arm64 <c>Image</c>.</summary>
    internal sealed class KernelImage
    {
        public required ReadOnlyMemory<byte> Data { get; init; }

        public ElfFile? Elf { get; init; }

        public bool Is64 => Elf?.Is64 ?? true;

        /// <summary>The file offset of <paramref name="length"/> bytes at virtual address <paramref name="address"/>.</summary>
        public int OffsetOf(ulong address, int length, ulong textAddress, string path, string what)
        {
            if (Elf is { } elf)
            {
                foreach (ElfProgramHeader segment in elf.ReadProgramHeaders())
                {
                    if (segment.Type == PtLoad && address >= segment.VirtualAddress &&
                        address - segment.VirtualAddress + (ulong)length <= segment.FileSize)
                    {
                        return Checked(segment.Offset + (address - segment.VirtualAddress), length, path, what);
                    }
                }

                throw new ModuleFormatException(path, 0, Structure,
                    $"{what} at 0x{address:x} (+{length} bytes) is in no loadable segment's file contents");
            }

            if (textAddress == 0 || address < textAddress)
            {
                throw new ModuleFormatException(path, 0, Structure,
                    $"{what} at 0x{address:x} cannot be placed in a raw image without the System.map's {TextSymbol}");
            }

            return Checked(address - textAddress, length, path, what);
        }

        private int Checked(ulong offset, int length, string path, string what) =>
            offset <= (ulong)Data.Length && (ulong)length <= (ulong)Data.Length - offset
                ? (int)offset
                : throw new ModuleFormatException(path, 0, Structure,
                    $"{what} at file offset 0x{offset:x} (+{length} bytes) runs past the end of the image (0x{Data.Length:x} bytes)");
    }
}
