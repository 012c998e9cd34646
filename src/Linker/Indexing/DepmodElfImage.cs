using System.Buffers.Binary;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.IO;
using Microsoft.Win32.SafeHandles;

namespace LkmKit.Linker.Indexing;

/// <summary>One section header as depmod needs it.</summary>
internal readonly record struct DepmodSection(uint NameOffset, uint Type, ulong Offset, ulong Size, uint Link, ulong EntrySize)
{
    public bool HasContents => Type != ElfConstants.ShtNoBits && Type != ElfConstants.ShtNull;
}

/// <summary>
/// The parts of one module file that depmod reads. A plain ELF file is read sparsely: its header, section header
/// table and section names, then only the sections asked for through <see cref="Section"/>, each with one positional
/// read into a per-thread native buffer at the section's own offset. The code, relocations and BTF that make up ~85%
/// of a Debian module are never copied, and only the header fields depmod uses are decoded.
/// </summary>
/// <remarks>
/// The sparse path checks what <see cref="ElfFile"/> checks (tables and sections inside the file, names inside the
/// name table, symbol table shape) and gives up at the first oddity (<see cref="Odd"/>): the file is then opened whole
/// through <see cref="ModuleSource"/> and <see cref="ElfFile"/> (as is any compressed file), whose errors are the
/// project's usual ones, so a damaged module is reported exactly as every other command reports it.
/// </remarks>
internal sealed class DepmodElfImage : IDisposable
{
    private const int SmallestSparseFile = 64;

    [ThreadStatic]
    private static DepmodSection[]? t_sections;

    private readonly SafeFileHandle? _handle;
    private readonly ThreadNativeBuffer? _buffer;
    private readonly bool[]? _loaded;
    private readonly ModuleSource? _source;
    private readonly ElfFile? _elf;
    private readonly DepmodSection[] _sections;
    private readonly int _namesIndex;

    private DepmodElfImage(string path, bool is64, bool bigEndian, DepmodSection[] sections, int count, int namesIndex)
    {
        Path = path;
        Is64 = is64;
        BigEndian = bigEndian;
        _sections = sections;
        SectionCount = count;
        _namesIndex = namesIndex;
    }

    private DepmodElfImage(string path, SafeFileHandle handle, ThreadNativeBuffer buffer, bool is64, bool bigEndian, DepmodSection[] sections, int count, int namesIndex)
        : this(path, is64, bigEndian, sections, count, namesIndex)
    {
        _handle = handle;
        _buffer = buffer;
        _loaded = new bool[count];
    }

    private DepmodElfImage(ModuleSource source, ElfFile elf)
        : this(elf.Path, elf.Is64, elf.IsBigEndian, SectionsOf(elf), elf.Sections.Length, elf.Header.SectionNameTableIndex)
    {
        _source = source;
        _elf = elf;
    }

    private static DepmodSection[] SectionsOf(ElfFile elf)
    {
        var sections = new DepmodSection[elf.Sections.Length];
        for (int i = 0; i < sections.Length; i++)
        {
            ref readonly var s = ref elf.Sections[i];
            sections[i] = new DepmodSection(s.NameOffset, s.Type, s.Offset, s.Size, s.Link, s.EntrySize);
        }

        return sections;
    }

    /// <summary>The file name used in messages.</summary>
    public string Path { get; }
    /// <summary>True for ELFCLASS64.</summary>
    public bool Is64 { get; }
    /// <summary>True for big-endian files.</summary>
    public bool BigEndian { get; }
    /// <summary>Number of section headers.</summary>
    public int SectionCount { get; }
    /// <summary>True when read sparsely: an oddity must then be answered by <see cref="Odd"/>, not by an error.</summary>
    public bool IsSparse => _handle is not null;

    /// <summary>Section header <paramref name="index"/> (0 ≤ index &lt; <see cref="SectionCount"/>).</summary>
    public DepmodSection Header(int index) => _sections[index];

    /// <summary>Opens <paramref name="path"/> sparsely when it is a plain ELF file, else whole. Valid on this thread until disposed.</summary>
    /// <exception cref="ModuleFormatException">The file is not a well-formed ELF file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static DepmodElfImage Open(string path)
    {
        if (FileStatus.Of(path).Kind == FileKind.Regular)
        {
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            try
            {
                long length = RandomAccess.GetLength(handle);
                if (length is >= SmallestSparseFile and <= int.MaxValue && TryOpenSparse(path, handle, (int)length) is { } image)
                {
                    return image;
                }
            }
            catch
            {
                handle.Dispose();
                throw;
            }

            handle.Dispose();
        }

        return OpenWhole(path);
    }

    /// <summary>Opens <paramref name="path"/> whole: decompressed if needed and checked by <see cref="ElfFile"/>.</summary>
    public static DepmodElfImage OpenWhole(string path)
    {
        var source = ModuleSource.Open(path);
        try
        {
            return new DepmodElfImage(source, ElfFile.Parse(source.Data, path));
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>The file bytes of section <paramref name="index"/> (empty for NOBITS), read on first use.</summary>
    public ReadOnlySpan<byte> Section(int index)
    {
        var section = _sections[index];
        if (!section.HasContents || section.Size == 0)
        {
            return default;
        }

        if (_elf is not null)
        {
            return _elf.GetSectionBytes(index);
        }

        if (!_loaded![index])
        {
            ReadExactly(_handle!, _buffer!, (long)section.Offset, (int)section.Size, Path);
            _loaded[index] = true;
        }

        return _buffer!.GetSpan().Slice((int)section.Offset, (int)section.Size);
    }

    /// <summary>Index of the first section called <paramref name="name"/>, or -1.</summary>
    public int FindSection(ReadOnlySpan<byte> name)
    {
        var names = Section(_namesIndex);
        for (int i = 0; i < SectionCount; i++)
        {
            int offset = (int)_sections[i].NameOffset;
            if (offset + name.Length < names.Length && names[offset + name.Length] == 0 && names.Slice(offset, name.Length).SequenceEqual(name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Something <see cref="ElfFile"/> would refuse: in a sparse image this throws <see cref="OddFileException"/> so the
    /// caller starts again with <see cref="OpenWhole"/>; in a whole image <paramref name="strictCheck"/> raises the
    /// reader's own error.
    /// </summary>
    public Exception Odd(Action<ElfFile> strictCheck)
    {
        if (_elf is null)
        {
            return new OddFileException();
        }

        strictCheck(_elf);
        return new ModuleFormatException(Path, 0, "ELF file", "inconsistent symbol table");
    }

    /// <summary>Reads an integer of this file's byte order.</summary>
    public ushort U16(ReadOnlySpan<byte> s) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    /// <inheritdoc cref="U16"/>
    public uint U32(ReadOnlySpan<byte> s) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    /// <inheritdoc cref="U16"/>
    public ulong U64(ReadOnlySpan<byte> s) => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);

    /// <inheritdoc />
    public void Dispose()
    {
        _handle?.Dispose();
        _source?.Dispose();
    }

    /// <summary>
    /// Reads and checks the header, the section header table and the section names. Returns null when the file is
    /// not a plain ELF file whose tables and sections lie inside it (compressed, foreign, extended numbering, damaged).
    /// </summary>
    private static DepmodElfImage? TryOpenSparse(string path, SafeFileHandle handle, int length)
    {
        var buffer = ThreadNativeBuffer.ForCurrentThread(length);
        var span = buffer.GetSpan();
        ReadExactly(handle, buffer, 0, SmallestSparseFile, path);
        if (!ElfFile.IsElf(span) || span[4] is not (ElfConstants.Class32 or ElfConstants.Class64) || span[5] is not (ElfConstants.DataLsb or ElfConstants.DataMsb))
        {
            return null;
        }

        bool is64 = span[4] == ElfConstants.Class64, bigEndian = span[5] == ElfConstants.DataMsb;

        ulong tableOffset = Word(span, is64 ? 0x28 : 0x20, is64, bigEndian);
        int entrySize = Half(span, is64 ? 0x3a : 0x2e, bigEndian), count = Half(span, is64 ? 0x3c : 0x30, bigEndian), namesIndex = Half(span, is64 ? 0x3e : 0x32, bigEndian);
        if (entrySize != (is64 ? 64 : 40) || count == 0 || namesIndex >= count || tableOffset == 0
            || tableOffset > (ulong)length || (ulong)(count * entrySize) > (ulong)length - tableOffset)
        {
            return null;
        }

        ReadExactly(handle, buffer, (long)tableOffset, count * entrySize, path);
        var sections = t_sections is { } cached && cached.Length >= count ? cached : t_sections = new DepmodSection[Math.Max(count, 64)];
        for (int i = 0; i < count; i++)
        {
            int at = (int)tableOffset + i * entrySize;
            var section = is64
                ? new DepmodSection((uint)Word(span, at, false, bigEndian), (uint)Word(span, at + 4, false, bigEndian), Word(span, at + 24, true, bigEndian), Word(span, at + 32, true, bigEndian), (uint)Word(span, at + 40, false, bigEndian), Word(span, at + 56, true, bigEndian))
                : new DepmodSection((uint)Word(span, at, false, bigEndian), (uint)Word(span, at + 4, false, bigEndian), Word(span, at + 16, false, bigEndian), Word(span, at + 20, false, bigEndian), (uint)Word(span, at + 24, false, bigEndian), Word(span, at + 36, false, bigEndian));
            if (section.HasContents && section.Size > 0 && (section.Offset > (ulong)length || section.Size > (ulong)length - section.Offset))
            {
                return null;
            }

            sections[i] = section;
        }

        var image = new DepmodElfImage(path, handle, buffer, is64, bigEndian, sections, count, namesIndex);
        var names = image.Section(namesIndex);
        int lastNul = names.LastIndexOf((byte)0);
        for (int i = 0; i < count; i++)
        {
            if (sections[i].NameOffset != 0 && (long)sections[i].NameOffset > lastNul)
            {
                return null;
            }
        }

        return image;
    }

    private static ulong Word(ReadOnlySpan<byte> s, int at, bool wide, bool bigEndian) => wide
        ? (bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(s[at..]))
        : (bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[at..]));

    private static int Half(ReadOnlySpan<byte> s, int at, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);

    private static void ReadExactly(SafeFileHandle handle, ThreadNativeBuffer buffer, long offset, int count, string path)
    {
        var span = buffer.GetSpan();
        int done = 0;
        while (done < count)
        {
            int read = RandomAccess.Read(handle, span.Slice((int)offset + done, count - done), offset + done);
            if (read == 0)
            {
                throw new ModuleFormatException(path, offset + done, "file", $"the file shrank while being read (0x{count:x} bytes at 0x{offset:x} wanted)");
            }

            done += read;
        }
    }
}

/// <summary>A sparsely read file turned out odd; read it whole (<see cref="DepmodElfImage.OpenWhole"/>) for the real error.</summary>
internal sealed class OddFileException : Exception;
