using System.Buffers.Binary;
using LkmKit.Formats.Elf;
using LkmKit.Formats.IO;

namespace LkmKit.Formats.Signatures;

/// <summary>
/// Turns a kernel image file into what the kernel runs: an x86 bzImage's compressed payload is located through the
/// setup header (boot protocol 2.08+: <c>setup_sects</c>, <c>payload_offset</c>, <c>payload_length</c>) and
/// decompressed (gzip, xz, zstd, lz4) into the vmlinux ELF; a vmlinux ELF is taken as it is; an arm64 <c>Image</c>
/// (magic <c>ARM\x64</c>) stays a raw image (a gzip-compressed one was already decompressed by <see cref="ModuleSource"/>).
/// </summary>
internal static class KernelImageUnpacker
{
    private const string Structure = "kernel image";
    private const int SetupSectsOffset = 0x1f1;
    private const int HeaderMagicOffset = 0x202;
    private const int ProtocolOffset = 0x206;
    private const int PayloadOffsetField = 0x248;
    private const int PayloadLengthField = 0x24c;
    private const ushort MinimumPayloadProtocol = 0x0208;
    private const int Arm64MagicOffset = 0x38;

    private static ReadOnlySpan<byte> HdrS => "HdrS"u8;
    private static ReadOnlySpan<byte> Arm64Magic => "ARM\x64"u8;

    public static KernelImageCertificates.KernelImage Unpack(ReadOnlyMemory<byte> data, string path)
    {
        ReadOnlySpan<byte> span = data.Span;
        if (ElfFile.IsElf(span))
        {
            return new KernelImageCertificates.KernelImage { Data = data, Elf = ElfFile.Parse(data, path) };
        }

        if (span.Length > PayloadLengthField + 4 && span.Slice(HeaderMagicOffset, 4).SequenceEqual(HdrS))
        {
            byte[] vmlinux = DecompressPayload(span, path);
            if (!ElfFile.IsElf(vmlinux))
            {
                throw new ModuleFormatException(path, 0, Structure, "the bzImage payload does not decompress to an ELF vmlinux");
            }

            return new KernelImageCertificates.KernelImage { Data = vmlinux, Elf = ElfFile.Parse(vmlinux, path) };
        }

        if (span.Length > Arm64MagicOffset + 4 && span.Slice(Arm64MagicOffset, 4).SequenceEqual(Arm64Magic))
        {
            return new KernelImageCertificates.KernelImage { Data = data };
        }

        throw new ModuleFormatException(path, 0, Structure,
            "not a kernel image: no ELF header, no x86 boot-protocol \"HdrS\" at 0x202 and no arm64 \"ARM\\x64\" at 0x38");
    }

    private static byte[] DecompressPayload(ReadOnlySpan<byte> file, string path)
    {
        ushort protocol = BinaryPrimitives.ReadUInt16LittleEndian(file[ProtocolOffset..]);
        if (protocol < MinimumPayloadProtocol)
        {
            throw new ModuleFormatException(path, ProtocolOffset, Structure,
                $"boot protocol {protocol >> 8}.{protocol & 0xff:d2} predates payload_offset (2.08)");
        }

        int setupSects = file[SetupSectsOffset] == 0 ? 4 : file[SetupSectsOffset];
        long start = (setupSects + 1L) * 512 + BinaryPrimitives.ReadUInt32LittleEndian(file[PayloadOffsetField..]);
        long length = BinaryPrimitives.ReadUInt32LittleEndian(file[PayloadLengthField..]);
        if (length < 8 || start > file.Length || length > file.Length - start)
        {
            throw new ModuleFormatException(path, PayloadOffsetField, Structure,
                $"payload 0x{start:x}+0x{length:x} lies outside the file (0x{file.Length:x} bytes)");
        }

        // The build appends the decompressed size as 4 little-endian bytes after every compressed payload.
        ReadOnlySpan<byte> payload = file.Slice((int)start, (int)length - 4);
        if (Lz4LegacyDecompression.IsLegacyFrame(payload))
        {
            return Lz4LegacyDecompression.Decompress(payload, path, ModuleSource.MaxDecompressedSize);
        }

        if (ModuleSource.DetectCompression(payload) == CompressionKind.None)
        {
            throw new ModuleFormatException(path, start, Structure,
                $"payload compression {Describe(payload)} is not supported (gzip, xz, zstd and lz4 are)");
        }

        using var decompressed = ModuleSource.FromMemory(path, payload.ToArray());
        return decompressed.Data.ToArray();
    }

    private static string Describe(ReadOnlySpan<byte> payload) => payload switch
    {
        [0x42, 0x5a, 0x68, ..] => "bzip2",
        [0x5d, 0x00, 0x00, ..] => "lzma",
        [0x89, 0x4c, 0x5a, 0x4f, ..] => "lzo",
        _ => $"with magic {Convert.ToHexString(payload[..Math.Min(4, payload.Length)])}",
    };
}
