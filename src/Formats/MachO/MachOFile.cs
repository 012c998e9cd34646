using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.MachO;

/// <summary>
/// One Mach-O image (a thin file or one slice of a fat file), parsed over the file's memory: header, load
/// commands, segments and sections, symbol table and the dynamic symbol table's relocation tables. Offsets
/// inside the image are relative to <see cref="SliceOffset"/>; error messages name absolute file offsets.
/// </summary>
internal sealed class MachOFile
{
    private const int MaxSections = 255; // n_sect and r_symbolnum ordinals are 1..255 (MAX_SECT)

    private MachOFile(string path, ReadOnlyMemory<byte> fileData, long sliceOffset, long sliceSize, bool bigEndian, bool is64)
    {
        Path = path;
        FileData = fileData;
        SliceOffset = sliceOffset;
        SliceSize = sliceSize;
        Reader = new EndianReader(path, bigEndian);
        Is64 = is64;
    }

    /// <summary>The file name used in error messages.</summary>
    public string Path { get; }
    /// <summary>The whole file's bytes (the image is the slice [<see cref="SliceOffset"/>, +<see cref="SliceSize"/>)).</summary>
    public ReadOnlyMemory<byte> FileData { get; }
    /// <summary>Offset of the image in the file (0 for a thin file).</summary>
    public long SliceOffset { get; }
    /// <summary>Size of the image in bytes.</summary>
    public long SliceSize { get; }
    /// <summary>Reads integers in the image's byte order.</summary>
    public EndianReader Reader { get; }
    /// <summary>True for 64-bit images.</summary>
    public bool Is64 { get; }
    /// <summary>True for big-endian images.</summary>
    public bool IsBigEndian => Reader.BigEndian;
    /// <summary>The header.</summary>
    public MachOHeader Header { get; private set; }
    /// <summary>Every load command, in order.</summary>
    public IReadOnlyList<MachOLoadCommand> LoadCommands { get; private set; } = [];
    /// <summary>The segments, in load-command order.</summary>
    public IReadOnlyList<MachOSegment> Segments { get; private set; } = [];
    /// <summary>All sections in load-command order; section ordinal <c>n</c> (1-based) is index <c>n − 1</c>.</summary>
    public IReadOnlyList<MachOSection> Sections { get; private set; } = [];
    /// <summary>The symbol table command, if any.</summary>
    public MachOSymtab? Symtab { get; private set; }
    /// <summary>The dynamic symbol table command, if any.</summary>
    public MachODysymtab? Dysymtab { get; private set; }
    /// <summary>The UUID, if any.</summary>
    public Guid? Uuid { get; private set; }
    /// <summary>The UUID bytes as stored, if any.</summary>
    public byte[]? UuidBytes { get; private set; }
    /// <summary>Platform and versions, if the image has a build-version or version-min command.</summary>
    public MachOBuildVersion? BuildVersion { get; private set; }
    /// <summary>The <c>LC_SOURCE_VERSION</c> value, if any.</summary>
    public ulong? SourceVersion { get; private set; }
    /// <summary>The code signature's location, if any.</summary>
    public MachOLinkeditData? CodeSignature { get; private set; }
    /// <summary>The chained-fixups blob's location, if any.</summary>
    public MachOLinkeditData? ChainedFixups { get; private set; }
    /// <summary>Problems found that do not stop reading.</summary>
    public List<ModuleDiagnostic> Diagnostics { get; } = [];

    /// <summary>The image's bytes (a view of the file).</summary>
    public ReadOnlySpan<byte> Image => FileData.Span.Slice((int)SliceOffset, (int)SliceSize);

    /// <summary>True when <paramref name="head"/> starts with a thin Mach-O magic of either byte order and word size.</summary>
    public static bool IsMachO(ReadOnlySpan<byte> head)
    {
        if (head.Length < 4)
        {
            return false;
        }

        uint be = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(head);
        uint le = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(head);
        return be is MachOConstants.MhMagic or MachOConstants.MhMagic64 || le is MachOConstants.MhMagic or MachOConstants.MhMagic64;
    }

    /// <summary>Parses the image at [<paramref name="sliceOffset"/>, +<paramref name="sliceSize"/>) of <paramref name="fileData"/>.</summary>
    /// <exception cref="ModuleFormatException">The image is malformed.</exception>
    public static MachOFile Parse(ReadOnlyMemory<byte> fileData, string path, long sliceOffset = 0, long sliceSize = -1)
    {
        if (sliceSize < 0)
        {
            sliceSize = fileData.Length - sliceOffset;
        }

        var span = fileData.Span;
        if (sliceOffset < 0 || sliceOffset > span.Length || sliceSize > span.Length - sliceOffset || sliceSize < 4)
        {
            throw new ModuleFormatException(path, sliceOffset, "Mach-O header", $"image 0x{sliceOffset:x}+0x{sliceSize:x} does not fit the file (0x{span.Length:x} bytes)");
        }

        uint be = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span[(int)sliceOffset..]);
        bool bigEndian = be is MachOConstants.MhMagic or MachOConstants.MhMagic64;
        uint magic = bigEndian ? be : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(span[(int)sliceOffset..]);
        if (magic is not (MachOConstants.MhMagic or MachOConstants.MhMagic64))
        {
            throw new ModuleFormatException(path, sliceOffset, "Mach-O header", $"bad magic 0x{be:x8}");
        }

        var file = new MachOFile(path, fileData, sliceOffset, sliceSize, bigEndian, magic == MachOConstants.MhMagic64);
        file.ParseHeader();
        file.ParseLoadCommands();
        file.CheckSectionOverlaps();
        return file;
    }

    /// <summary>Size of the header: 28 bytes, 32 for 64-bit images.</summary>
    public int HeaderSize => Is64 ? 32 : 28;

    /// <summary>Throws unless [<paramref name="offset"/>, +<paramref name="length"/>) lies inside the image.</summary>
    /// <returns>The absolute file offset of the range.</returns>
    public int CheckRange(ulong offset, ulong length, string structure, long reportAt = -1)
    {
        if (offset > (ulong)SliceSize || length > (ulong)SliceSize - offset)
        {
            throw new ModuleFormatException(Path, reportAt >= 0 ? reportAt : SliceOffset + (long)Math.Min(offset, (ulong)SliceSize), structure,
                $"range 0x{offset:x}+0x{length:x} runs past the end of the image (0x{SliceSize:x} bytes)");
        }

        return (int)(SliceOffset + (long)offset);
    }

    /// <summary>The span of the whole file up to the end of the image, for absolute-offset reads.</summary>
    public ReadOnlySpan<byte> Bounded => FileData.Span[..(int)(SliceOffset + SliceSize)];

    /// <summary>Reads a NUL-padded fixed-size name (segment and section names).</summary>
    public static string FixedName(ReadOnlySpan<byte> bytes) => CString.Decode(CString.Field(bytes));

    private void ParseHeader()
    {
        int at = CheckRange(0, (ulong)HeaderSize, "Mach-O header");
        var s = Bounded;
        Header = new MachOHeader(Reader.U32(s, at + 4), Reader.U32(s, at + 8), Reader.U32(s, at + 12), Reader.U32(s, at + 16), Reader.U32(s, at + 20), Reader.U32(s, at + 24));
        CheckRange((ulong)HeaderSize, Header.CommandsSize, "Mach-O load commands (sizeofcmds)", at + 20);
        if (Header.CommandCount > Header.CommandsSize / 8)
        {
            throw new ModuleFormatException(Path, at + 16, "Mach-O header", $"ncmds {Header.CommandCount} cannot fit in sizeofcmds 0x{Header.CommandsSize:x} (8 bytes each at least)");
        }
    }

    private void ParseLoadCommands()
    {
        var s = Bounded;
        var commands = new List<MachOLoadCommand>((int)Header.CommandCount);
        var segments = new List<MachOSegment>();
        var sections = new List<MachOSection>();
        uint offset = (uint)HeaderSize;
        uint end = (uint)HeaderSize + Header.CommandsSize;
        for (int i = 0; i < Header.CommandCount; i++)
        {
            string what = $"load command {i}";
            if (end - offset < 8)
            {
                throw new ModuleFormatException(Path, SliceOffset + offset, what, $"starts past the end of the load commands (sizeofcmds 0x{Header.CommandsSize:x})");
            }

            int at = (int)(SliceOffset + offset);
            uint cmd = Reader.U32(s, at);
            uint size = Reader.U32(s, at + 4);
            if (size < 8 || size > end - offset)
            {
                throw new ModuleFormatException(Path, at + 4, what, $"cmdsize 0x{size:x} of {MachONames.LoadCommand(cmd)} runs past the end of the load commands (0x{end - offset:x} bytes left)");
            }

            var command = new MachOLoadCommand(cmd, offset, size);
            commands.Add(command);
            ParseCommand(command, i, segments, sections);
            offset += size;
        }

        LoadCommands = commands;
        Segments = segments;
        Sections = sections;
    }

    private void ParseCommand(MachOLoadCommand c, int index, List<MachOSegment> segments, List<MachOSection> sections)
    {
        var s = Bounded;
        int at = (int)(SliceOffset + c.Offset);
        string what = $"{MachONames.LoadCommand(c.Command)} (load command {index})";
        void Need(uint size)
        {
            if (c.Size < size)
            {
                throw new ModuleFormatException(Path, at + 4, what, $"cmdsize 0x{c.Size:x} is smaller than the command's 0x{size:x} bytes");
            }
        }

        switch (c.Command)
        {
            case MachOConstants.LcSegment:
            case MachOConstants.LcSegment64:
                ParseSegment(c, at, what, c.Command == MachOConstants.LcSegment64, segments, sections);
                break;
            case MachOConstants.LcSymtab:
                Need(24);
                Symtab = new MachOSymtab(Reader.U32(s, at + 8), Reader.U32(s, at + 12), Reader.U32(s, at + 16), Reader.U32(s, at + 20), index);
                CheckRange(Symtab.Value.SymbolOffset, (ulong)Symtab.Value.SymbolCount * (ulong)NlistSize, "symbol table (LC_SYMTAB symoff/nsyms)", at + 8);
                CheckRange(Symtab.Value.StringOffset, Symtab.Value.StringSize, "string table (LC_SYMTAB stroff/strsize)", at + 16);
                break;
            case MachOConstants.LcDysymtab:
                Need(80);
                Dysymtab = new MachODysymtab(Reader.U32(s, at + 8), Reader.U32(s, at + 12), Reader.U32(s, at + 16), Reader.U32(s, at + 20),
                    Reader.U32(s, at + 24), Reader.U32(s, at + 28), Reader.U32(s, at + 56), Reader.U32(s, at + 60),
                    Reader.U32(s, at + 64), Reader.U32(s, at + 68), Reader.U32(s, at + 72), Reader.U32(s, at + 76));
                CheckRange(Dysymtab.Value.ExternalRelocationOffset, (ulong)Dysymtab.Value.ExternalRelocationCount * 8, "external relocations (LC_DYSYMTAB extreloff/nextrel)", at + 64);
                CheckRange(Dysymtab.Value.LocalRelocationOffset, (ulong)Dysymtab.Value.LocalRelocationCount * 8, "local relocations (LC_DYSYMTAB locreloff/nlocrel)", at + 72);
                CheckRange(Dysymtab.Value.IndirectSymbolOffset, (ulong)Dysymtab.Value.IndirectSymbolCount * 4, "indirect symbols (LC_DYSYMTAB)", at + 56);
                break;
            case MachOConstants.LcUuid:
                Need(24);
                UuidBytes = s.Slice(at + 8, 16).ToArray();
                Uuid = new Guid(UuidBytes, bigEndian: true);
                break;
            case MachOConstants.LcCodeSignature:
                Need(16);
                CodeSignature = LinkeditData(s, at, what);
                break;
            case MachOConstants.LcDyldChainedFixups:
                Need(16);
                ChainedFixups = LinkeditData(s, at, what);
                break;
            case MachOConstants.LcSourceVersion:
                Need(16);
                SourceVersion = Reader.U64(s, at + 8);
                break;
            case MachOConstants.LcBuildVersion:
                Need(24);
                BuildVersion = new MachOBuildVersion(MachONames.Platform(Reader.U32(s, at + 8)), MachONames.PackedVersion(Reader.U32(s, at + 12)),
                    MachONames.PackedVersion(Reader.U32(s, at + 16)), MachONames.LoadCommand(c.Command));
                break;
            case MachOConstants.LcVersionMinMacOsx:
            case MachOConstants.LcVersionMinIphoneOs:
            case MachOConstants.LcVersionMinTvOs:
            case MachOConstants.LcVersionMinWatchOs:
                Need(16);
                string platform = c.Command switch
                {
                    MachOConstants.LcVersionMinMacOsx => "macos",
                    MachOConstants.LcVersionMinIphoneOs => "ios",
                    MachOConstants.LcVersionMinTvOs => "tvos",
                    _ => "watchos",
                };
                BuildVersion = new MachOBuildVersion(platform, MachONames.PackedVersion(Reader.U32(s, at + 8)), MachONames.PackedVersion(Reader.U32(s, at + 12)),
                    MachONames.LoadCommand(c.Command));
                break;
        }
    }

    private MachOLinkeditData LinkeditData(ReadOnlySpan<byte> s, int at, string what)
    {
        var data = new MachOLinkeditData(Reader.U32(s, at + 8), Reader.U32(s, at + 12));
        CheckRange(data.DataOffset, data.DataSize, what + " data", at + 8);
        return data;
    }

    /// <summary>Size of one symbol table entry: 12 bytes, 16 for 64-bit images.</summary>
    public int NlistSize => Is64 ? 16 : 12;

    private void ParseSegment(MachOLoadCommand c, int at, string what, bool is64, List<MachOSegment> segments, List<MachOSection> sections)
    {
        var s = Bounded;
        int headerSize = is64 ? 72 : 56;
        int sectionSize = is64 ? 80 : 68;
        if (c.Size < headerSize)
        {
            throw new ModuleFormatException(Path, at + 4, what, $"cmdsize 0x{c.Size:x} is smaller than the segment command (0x{headerSize:x} bytes)");
        }

        string name = FixedName(s.Slice(at + 8, 16));
        ulong vmaddr = is64 ? Reader.U64(s, at + 24) : Reader.U32(s, at + 24);
        ulong vmsize = is64 ? Reader.U64(s, at + 32) : Reader.U32(s, at + 28);
        ulong fileoff = is64 ? Reader.U64(s, at + 40) : Reader.U32(s, at + 32);
        ulong filesize = is64 ? Reader.U64(s, at + 48) : Reader.U32(s, at + 36);
        int p = is64 ? 56 : 40;
        uint maxprot = Reader.U32(s, at + p), initprot = Reader.U32(s, at + p + 4), nsects = Reader.U32(s, at + p + 8), flags = Reader.U32(s, at + p + 12);
        if (nsects > (c.Size - (uint)headerSize) / (uint)sectionSize)
        {
            throw new ModuleFormatException(Path, at + p + 8, what, $"nsects {nsects} does not fit in cmdsize 0x{c.Size:x} ({sectionSize} bytes each)");
        }

        if (sections.Count + nsects > MaxSections)
        {
            Diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"more than {MaxSections} sections: ordinals above {MaxSections} cannot be named by symbols or relocations", SliceOffset + c.Offset));
        }

        CheckRange(fileoff, filesize, $"segment {name} (fileoff/filesize)", at + (is64 ? 40 : 32));
        int segmentIndex = segments.Count;
        segments.Add(new MachOSegment(name, vmaddr, vmsize, fileoff, filesize, maxprot, initprot, flags, sections.Count, (int)nsects));
        for (int i = 0; i < nsects; i++)
        {
            int q = at + headerSize + i * sectionSize;
            string sectname = FixedName(s.Slice(q, 16));
            string segname = FixedName(s.Slice(q + 16, 16));
            ulong addr = is64 ? Reader.U64(s, q + 32) : Reader.U32(s, q + 32);
            ulong size = is64 ? Reader.U64(s, q + 40) : Reader.U32(s, q + 36);
            int r = is64 ? 48 : 40;
            var section = new MachOSection(sectname, segname, addr, size, Reader.U32(s, q + r), Reader.U32(s, q + r + 4), Reader.U32(s, q + r + 8),
                Reader.U32(s, q + r + 12), Reader.U32(s, q + r + 16), Reader.U32(s, q + r + 20), Reader.U32(s, q + r + 24), segmentIndex);
            string where = $"section {sections.Count + 1} ({section.FullName})";
            if (!section.IsZeroFill && section.Size > 0)
            {
                CheckRange(section.Offset, section.Size, where + " contents", q + r);
            }

            CheckRange(section.RelocationOffset, (ulong)section.RelocationCount * 8, where + " relocations (reloff/nreloc)", q + r + 8);
            if (section.Align > 63)
            {
                throw new ModuleFormatException(Path, q + r + 4, where, $"alignment 2^{section.Align} is impossible");
            }

            sections.Add(section);
        }
    }

    private void CheckSectionOverlaps()
    {
        var withContents = Sections.Select((s, i) => (s, i)).Where(x => !x.s.IsZeroFill && x.s.Size > 0).OrderBy(x => x.s.Offset).ToList();
        for (int k = 1; k < withContents.Count; k++)
        {
            var (prev, pi) = withContents[k - 1];
            var (cur, ci) = withContents[k];
            if (cur.Offset < prev.Offset + prev.Size)
            {
                Diagnostics.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                    $"sections {pi + 1} ({prev.FullName}) and {ci + 1} ({cur.FullName}) overlap in the file at offset 0x{cur.Offset:x}", SliceOffset + cur.Offset));
            }
        }
    }

    /// <summary>The bytes of section <paramref name="index"/> (0-based); empty for zero-fill sections.</summary>
    public ReadOnlyMemory<byte> SectionMemory(int index)
    {
        var section = Sections[index];
        // An empty section's offset is never checked against the file (it may point anywhere).
        return section.IsZeroFill || section.Size == 0 ? ReadOnlyMemory<byte>.Empty : FileData.Slice((int)(SliceOffset + section.Offset), (int)section.Size);
    }

    /// <summary>Finds the section containing <paramref name="size"/> bytes at vm <paramref name="address"/>; -1 when none does.</summary>
    public int FindSectionByAddress(ulong address, ulong size = 1)
    {
        for (int i = 0; i < Sections.Count; i++)
        {
            var sec = Sections[i];
            if (address >= sec.Address && address - sec.Address < sec.Size && size <= sec.Size - (address - sec.Address))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Maps vm <paramref name="address"/> (+<paramref name="size"/> bytes) to an absolute file offset through the segments; -1 when unmapped.</summary>
    public long MapAddress(ulong address, ulong size)
    {
        foreach (var seg in Segments)
        {
            if (address >= seg.VmAddress && address - seg.VmAddress < seg.FileSize && size <= seg.FileSize - (address - seg.VmAddress))
            {
                return SliceOffset + (long)(seg.FileOffset + (address - seg.VmAddress));
            }
        }

        return -1;
    }
}
