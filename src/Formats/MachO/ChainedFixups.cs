using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.MachO;

/// <summary>One decoded chained-fixup pointer.</summary>
/// <param name="Address">Vm address of the pointer.</param>
/// <param name="IsBind">True for a bind (import), false for a rebase.</param>
/// <param name="IsAuthenticated">True for an arm64e authenticated pointer.</param>
/// <param name="Target">Rebase: target as an offset from the image base (high8 folded in). Bind: the import ordinal.</param>
/// <param name="Addend">Bind addend (0 for rebases).</param>
/// <param name="Diversity">Authenticated pointers: the 16-bit diversity.</param>
/// <param name="Key">Authenticated pointers: the key (0 IA, 1 IB, 2 DA, 3 DB).</param>
/// <param name="AddressDiversity">Authenticated pointers: address diversity.</param>
internal readonly record struct ChainedFixup(ulong Address, bool IsBind, bool IsAuthenticated, ulong Target, long Addend,
    ushort Diversity, byte Key, bool AddressDiversity);

/// <summary>An import of the chained-fixups blob.</summary>
/// <param name="Name">Symbol name.</param>
/// <param name="LibraryOrdinal">Library ordinal (signed: −2 = flat lookup).</param>
/// <param name="IsWeak">Weak import.</param>
/// <param name="Addend">Addend from the import record (IMPORT_ADDEND formats).</param>
internal readonly record struct ChainedImport(string Name, int LibraryOrdinal, bool IsWeak, long Addend);

/// <summary>The decoded <c>LC_DYLD_CHAINED_FIXUPS</c> blob.</summary>
/// <param name="PointerFormats">The pointer format of each segment that has chains.</param>
/// <param name="Imports">The imports, in ordinal order.</param>
/// <param name="Fixups">Every pointer on every chain, in walk order.</param>
/// <param name="Problems">Chains that could not be walked (e.g. an unsupported pointer format), with the reason.</param>
internal sealed record ChainedFixupTable(IReadOnlyList<ushort> PointerFormats, IReadOnlyList<ChainedImport> Imports, IReadOnlyList<ChainedFixup> Fixups,
    IReadOnlyList<ModuleDiagnostic> Problems);

/// <summary>
/// Decodes chained fixups (Apple <c>fixup-chains.h</c>): the header, imports, per-segment starts and the pointer
/// chains. Supported pointer formats: 1 ARM64E, 2 64, 6 64_OFFSET, 7 ARM64E_KERNEL, 8 64_KERNEL_CACHE,
/// 9 ARM64E_USERLAND, 11 X86_64_KERNEL_CACHE, 12 ARM64E_USERLAND24. Others are reported by name.
/// </summary>
internal static class ChainedFixups
{
    /// <summary>The <c>DYLD_CHAINED_PTR_*</c> name of a pointer format.</summary>
    public static string FormatName(ushort format) => format switch
    {
        1 => "DYLD_CHAINED_PTR_ARM64E",
        2 => "DYLD_CHAINED_PTR_64",
        3 => "DYLD_CHAINED_PTR_32",
        4 => "DYLD_CHAINED_PTR_32_CACHE",
        5 => "DYLD_CHAINED_PTR_32_FIRMWARE",
        6 => "DYLD_CHAINED_PTR_64_OFFSET",
        7 => "DYLD_CHAINED_PTR_ARM64E_KERNEL",
        8 => "DYLD_CHAINED_PTR_64_KERNEL_CACHE",
        9 => "DYLD_CHAINED_PTR_ARM64E_USERLAND",
        10 => "DYLD_CHAINED_PTR_ARM64E_FIRMWARE",
        11 => "DYLD_CHAINED_PTR_X86_64_KERNEL_CACHE",
        12 => "DYLD_CHAINED_PTR_ARM64E_USERLAND24",
        _ => $"pointer format {format}",
    };

    /// <summary>Decodes <paramref name="file"/>'s chained fixups; null when it has none.</summary>
    /// <exception cref="ModuleFormatException">The blob's header, imports or starts are malformed.</exception>
    public static ChainedFixupTable? Read(MachOFile file)
    {
        if (file.ChainedFixups is not { } blob)
        {
            return null;
        }

        var s = file.Bounded;
        var r = file.Reader;
        int baseAt = (int)(file.SliceOffset + blob.DataOffset);
        const string what = "LC_DYLD_CHAINED_FIXUPS";
        if (blob.DataSize < 28)
        {
            throw new ModuleFormatException(file.Path, baseAt, what, $"blob of {blob.DataSize} bytes is smaller than its 28-byte header");
        }

        uint version = r.U32(s, baseAt), startsOffset = r.U32(s, baseAt + 4), importsOffset = r.U32(s, baseAt + 8), symbolsOffset = r.U32(s, baseAt + 12);
        uint importsCount = r.U32(s, baseAt + 16), importsFormat = r.U32(s, baseAt + 20), symbolsFormat = r.U32(s, baseAt + 24);
        if (version != 0)
        {
            throw new ModuleFormatException(file.Path, baseAt, what, $"fixups_version {version} is not 0");
        }

        var problems = new List<ModuleDiagnostic>();
        var imports = ReadImports(file, blob, baseAt, importsOffset, importsCount, importsFormat, symbolsOffset, symbolsFormat, problems);
        var (formats, fixups) = ReadStarts(file, blob, baseAt, startsOffset, problems);
        return new ChainedFixupTable(formats, imports, fixups, problems);
    }

    private static List<ChainedImport> ReadImports(MachOFile file, MachOLinkeditData blob, int baseAt, uint offset, uint count, uint format,
        uint symbolsOffset, uint symbolsFormat, List<ModuleDiagnostic> problems)
    {
        var result = new List<ChainedImport>();
        int size = format switch { 1 => 4, 2 => 8, 3 => 16, _ => 0 };
        if (size == 0)
        {
            problems.Add(new ModuleDiagnostic(DiagnosticSeverity.Error, $"chained fixups: imports_format {format} is not supported; binds are not named", baseAt + 20));
            return result;
        }

        if (offset > blob.DataSize || (ulong)count * (ulong)size > blob.DataSize - offset)
        {
            throw new ModuleFormatException(file.Path, baseAt + 8, "LC_DYLD_CHAINED_FIXUPS imports", $"{count} imports of {size} bytes at 0x{offset:x} run past the blob (0x{blob.DataSize:x} bytes)");
        }

        if (symbolsFormat != 0)
        {
            problems.Add(new ModuleDiagnostic(DiagnosticSeverity.Error, $"chained fixups: symbols_format {symbolsFormat} (compressed) is not supported; binds are not named", baseAt + 24));
        }

        var s = file.Bounded;
        var r = file.Reader;
        for (int i = 0; i < count; i++)
        {
            int at = baseAt + (int)offset + i * size;
            int ordinal;
            bool weak;
            ulong nameOffset;
            long addend = 0;
            if (format == 3)
            {
                ulong v = r.U64(s, at);
                ordinal = (short)(v & 0xFFFF);
                weak = ((v >> 16) & 1) != 0;
                nameOffset = v >> 32;
                addend = (long)r.U64(s, at + 8);
            }
            else
            {
                uint v = r.U32(s, at);
                ordinal = (sbyte)(v & 0xFF);
                weak = ((v >> 8) & 1) != 0;
                nameOffset = v >> 9;
                if (format == 2)
                {
                    addend = r.I32(s, at + 4);
                }
            }

            string name = "";
            if (symbolsFormat == 0)
            {
                ulong nameAt = symbolsOffset + nameOffset;
                if (nameAt >= blob.DataSize)
                {
                    throw new ModuleFormatException(file.Path, at, $"chained import {i}", $"name offset 0x{nameOffset:x} is past the blob (0x{blob.DataSize:x} bytes)");
                }

                name = CString.Decode(CString.Field(s.Slice(baseAt + (int)nameAt, (int)(blob.DataSize - nameAt))));
            }

            result.Add(new ChainedImport(name, ordinal, weak, addend));
        }

        return result;
    }

    private static (List<ushort>, List<ChainedFixup>) ReadStarts(MachOFile file, MachOLinkeditData blob, int baseAt, uint startsOffset, List<ModuleDiagnostic> problems)
    {
        var s = file.Bounded;
        var r = file.Reader;
        var formats = new List<ushort>();
        var fixups = new List<ChainedFixup>();
        const string what = "dyld_chained_starts_in_image";
        if (startsOffset > blob.DataSize || blob.DataSize - startsOffset < 4)
        {
            throw new ModuleFormatException(file.Path, baseAt + 4, what, $"starts_offset 0x{startsOffset:x} is past the blob (0x{blob.DataSize:x} bytes)");
        }

        int imageAt = baseAt + (int)startsOffset;
        uint segCount = r.U32(s, imageAt);
        if (segCount > file.Segments.Count || (ulong)segCount * 4 > blob.DataSize - startsOffset - 4)
        {
            throw new ModuleFormatException(file.Path, imageAt, what, $"seg_count {segCount} does not match the image's {file.Segments.Count} segments or the blob size");
        }

        for (int seg = 0; seg < segCount; seg++)
        {
            uint infoOffset = r.U32(s, imageAt + 4 + seg * 4);
            if (infoOffset == 0)
            {
                continue;
            }

            ulong segAt = (ulong)startsOffset + infoOffset;
            string segWhat = $"dyld_chained_starts_in_segment {seg} ({file.Segments[seg].Name})";
            if (segAt > blob.DataSize || blob.DataSize - segAt < 22)
            {
                throw new ModuleFormatException(file.Path, imageAt + 4 + seg * 4, segWhat, $"offset 0x{infoOffset:x} is past the blob");
            }

            int at = baseAt + (int)segAt;
            uint size = r.U32(s, at);
            ushort pageSize = r.U16(s, at + 4), format = r.U16(s, at + 6);
            ushort pageCount = r.U16(s, at + 20);
            if (size < 22 || (ulong)size > blob.DataSize - segAt || 22 + pageCount * 2 > size || pageSize == 0)
            {
                throw new ModuleFormatException(file.Path, at, segWhat, $"size 0x{size:x}, page_size 0x{pageSize:x} and page_count {pageCount} do not fit");
            }

            formats.Add(format);
            int stride = Stride(format);
            if (stride == 0)
            {
                problems.Add(new ModuleDiagnostic(DiagnosticSeverity.Error,
                    $"chained fixups in segment {file.Segments[seg].Name} use {FormatName(format)} ({format}), which this reader does not decode", at + 6));
                continue;
            }

            var segment = file.Segments[seg];
            for (int page = 0; page < pageCount; page++)
            {
                ushort start = r.U16(s, at + 22 + page * 2);
                if (start == 0xFFFF)
                {
                    continue;
                }

                var starts = new List<ushort>();
                if ((start & 0x8000) != 0)
                {
                    int index = start & 0x7FFF;
                    while (true)
                    {
                        if (22 + (index + 1) * 2 > size)
                        {
                            throw new ModuleFormatException(file.Path, at + 22 + page * 2, segWhat, $"chain_starts overflow index {index} runs past the record");
                        }

                        ushort v = r.U16(s, at + 22 + index * 2);
                        starts.Add((ushort)(v & 0x7FFF));
                        if ((v & 0x8000) != 0)
                        {
                            break;
                        }

                        index++;
                    }
                }
                else
                {
                    starts.Add(start);
                }

                foreach (var first in starts)
                {
                    WalkChain(file, segment, (ulong)page * pageSize + first, format, stride, fixups, segWhat, at + 22 + page * 2);
                }
            }
        }

        return (formats, fixups);
    }

    /// <summary>Bytes per unit of the <c>next</c> field; 0 for formats this reader does not decode.</summary>
    public static int Stride(ushort format) => format switch
    {
        1 or 9 or 12 => 8,
        2 or 6 or 7 or 8 => 4,
        11 => 1,
        _ => 0,
    };

    private static void WalkChain(MachOFile file, MachOSegment segment, ulong offsetInSegment, ushort format, int stride, List<ChainedFixup> fixups, string what, long reportAt)
    {
        var s = file.Bounded;
        ulong limit = segment.FileSize;
        for (int steps = 0; ; steps++)
        {
            if (offsetInSegment > limit || limit - offsetInSegment < 8)
            {
                throw new ModuleFormatException(file.Path, reportAt, what, $"chain reaches segment offset 0x{offsetInSegment:x}, past the segment's 0x{limit:x} file bytes");
            }

            int at = (int)(file.SliceOffset + (long)segment.FileOffset + (long)offsetInSegment);
            ulong raw = file.Reader.U64(s, at);
            var (fixup, next) = Decode(raw, format, segment.VmAddress + offsetInSegment, file.Segments[0].VmAddress);
            fixups.Add(fixup);
            if (next == 0)
            {
                return;
            }

            offsetInSegment += next * (ulong)stride;
        }
    }

    /// <summary>Decodes one chain entry of <paramref name="format"/>; returns the fixup and the raw <c>next</c> value.</summary>
    /// <param name="raw">The 64-bit pointer as stored.</param>
    /// <param name="format">The pointer format.</param>
    /// <param name="address">Vm address of the pointer.</param>
    /// <param name="imageBase">Vm address of the first segment (targets are returned relative to it).</param>
    public static (ChainedFixup Fixup, ulong Next) Decode(ulong raw, ushort format, ulong address, ulong imageBase)
    {
        static ulong Bits(ulong v, int at, int count) => (v >> at) & ((1UL << count) - 1);
        switch (format)
        {
            case 2 or 6:
            {
                ulong next = Bits(raw, 51, 12);
                if (Bits(raw, 63, 1) != 0)
                {
                    return (new ChainedFixup(address, true, false, Bits(raw, 0, 24), (long)Bits(raw, 32, 8), 0, 0, false), next);
                }

                ulong target = Bits(raw, 0, 36) | (Bits(raw, 36, 8) << 56);
                if (format == 2)
                {
                    target -= imageBase;
                }

                return (new ChainedFixup(address, false, false, target, 0, 0, 0, false), next);
            }

            case 8 or 11:
                return (new ChainedFixup(address, false, Bits(raw, 63, 1) != 0, Bits(raw, 0, 30), 0, (ushort)Bits(raw, 32, 16), (byte)Bits(raw, 49, 2),
                    Bits(raw, 48, 1) != 0), Bits(raw, 51, 12));

            default:
            {
                ulong next = Bits(raw, 51, 11);
                bool auth = Bits(raw, 63, 1) != 0, bind = Bits(raw, 62, 1) != 0;
                int ordinalBits = format == 12 ? 24 : 16;
                if (bind)
                {
                    long addend = auth ? 0 : ((long)(Bits(raw, 32, 19) << 45)) >> 45;
                    return (new ChainedFixup(address, true, auth, Bits(raw, 0, ordinalBits), addend,
                        auth ? (ushort)Bits(raw, 32, 16) : (ushort)0, auth ? (byte)Bits(raw, 49, 2) : (byte)0, auth && Bits(raw, 48, 1) != 0), next);
                }

                if (auth)
                {
                    return (new ChainedFixup(address, false, true, Bits(raw, 0, 32), 0, (ushort)Bits(raw, 32, 16), (byte)Bits(raw, 49, 2), Bits(raw, 48, 1) != 0), next);
                }

                ulong target = Bits(raw, 0, 43) | (Bits(raw, 43, 8) << 56);
                if (format == 1)
                {
                    target -= imageBase;
                }

                return (new ChainedFixup(address, false, false, target, 0, 0, 0, false), next);
            }
        }
    }
}
