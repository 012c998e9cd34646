using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using LkmKit.Formats;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Text;

namespace LkmKit.Linker.Indexing;

/// <summary>A symbol a module exports, with the CRC it carries (0 when none).</summary>
internal readonly record struct DepmodSymbol(string Name, ulong Crc, bool Weak);

/// <summary>A symbol a module needs: its name is <see cref="DepmodModuleScan.NeedName"/>, to spare a string per symbol.</summary>
internal readonly record struct DepmodNeed(int Start, int Length, ulong Crc, bool Weak);

/// <summary>What depmod reads from one module file: the aliases and softdeps of <c>.modinfo</c>, exports and needed symbols.</summary>
internal sealed class DepmodModuleScan
{
    /// <summary>The <c>alias=</c> values of <c>.modinfo</c>, in file order.</summary>
    public required List<string> Aliases { get; init; }
    /// <summary>The <c>softdep=</c> values of <c>.modinfo</c>, in file order.</summary>
    public required List<string> Softdeps { get; init; }
    public required List<DepmodSymbol> Exports { get; init; }
    /// <summary>Needed symbols in kmod's order; the names are slices of <see cref="NeedNames"/>.</summary>
    public required DepmodNeed[] Needs { get; init; }
    public required string NeedNames { get; init; }

    public ReadOnlySpan<char> NeedName(in DepmodNeed need) => NeedNames.AsSpan(need.Start, need.Length);

    private static ReadOnlySpan<byte> CrcPrefix => "__crc_"u8;
    private static ReadOnlySpan<byte> AliasKey => "alias="u8;
    private static ReadOnlySpan<byte> SoftdepKey => "softdep="u8;

    /// <summary>
    /// Reads the module at <paramref name="path"/> (plain or compressed) the way kmod's libkmod-elf does: exports are
    /// the <c>__crc_</c> symbols (or <c>__ksymtab_strings</c> without modversions); needed symbols are the named
    /// undefined symbols followed by the <c>__versions</c> entries no undefined symbol matched.
    /// </summary>
    /// <exception cref="ModuleFormatException">The file is not a well-formed ELF module.</exception>
    public static DepmodModuleScan Read(string path)
    {
        try
        {
            using var image = DepmodElfImage.Open(path);
            return Read(image);
        }
        catch (OddFileException)
        {
            using var image = DepmodElfImage.OpenWhole(path);
            return Read(image);
        }
    }

    /// <summary>Scans an opened image (sparse or whole).</summary>
    internal static DepmodModuleScan Read(DepmodElfImage image)
    {
        var aliases = new List<string>();
        var softdeps = new List<string>();
        ReadModinfo(image, aliases, softdeps);
        var versions = Versions.ForCurrentThread(image);
        var exports = new List<DepmodSymbol>();
        var needs = NeedBuilder.ForCurrentThread();
        int symtab = image.FindSection(".symtab"u8);
        if (symtab >= 0 && image.Header(symtab).Type == ElfConstants.ShtSymTab)
        {
            ReadSymbols(image, symtab, versions, exports, needs);
        }

        if (exports.Count == 0)
        {
            ReadKsymtabStrings(image, exports);
        }

        versions.AddUnmatched(needs);
        return new DepmodModuleScan { Aliases = aliases, Softdeps = softdeps, Exports = exports, Needs = [.. needs.Items], NeedNames = needs.Names() };
    }

    private static void ReadModinfo(DepmodElfImage image, List<string> aliases, List<string> softdeps)
    {
        int index = image.FindSection(".modinfo"u8);
        if (index < 0)
        {
            return;
        }

        foreach (var item in CString.Split(image.Section(index)))
        {
            if (item.StartsWith(AliasKey))
            {
                aliases.Add(Encoding.Latin1.GetString(item[AliasKey.Length..]));
            }
            else if (item.StartsWith(SoftdepKey))
            {
                softdeps.Add(Encoding.Latin1.GetString(item[SoftdepKey.Length..]));
            }
        }
    }

    /// <summary>
    /// Walks the symbol table once, decoding only the fields depmod looks at. Whatever the ELF reader would refuse
    /// (table shape, a name outside the string table or unterminated, a missing extended section index) is handed to
    /// <see cref="DepmodElfImage.Odd"/>; a defined symbol's name is only compared with <c>__crc_</c>.
    /// </summary>
    private static void ReadSymbols(DepmodElfImage image, int symtab, Versions versions, List<DepmodSymbol> exports, NeedBuilder needs)
    {
        var header = image.Header(symtab);
        int entrySize = image.Is64 ? 24 : 16;
        if ((header.EntrySize != 0 && header.EntrySize != (ulong)entrySize) || header.Link >= (uint)image.SectionCount
            || image.Header((int)header.Link).Type != ElfConstants.ShtStrTab)
        {
            throw image.Odd(elf => elf.GetSymbolTable(symtab));
        }

        var extended = ReadOnlySpan<byte>.Empty;
        for (int i = 0; i < image.SectionCount; i++)
        {
            if (image.Header(i).Type == ElfConstants.ShtSymTabShndx && image.Header(i).Link == (uint)symtab)
            {
                extended = image.Section(i);
                break;
            }
        }

        var symbols = image.Section(symtab);
        var strings = image.Section((int)header.Link);
        bool terminated = !strings.IsEmpty && strings[^1] == 0;
        int count = symbols.Length / entrySize;
        for (int i = 1; i < count; i++)
        {
            var entry = symbols.Slice(i * entrySize, entrySize);
            uint nameOffset = image.U32(entry);
            ushort sectionIndex = image.U16(entry[(image.Is64 ? 6 : 14)..]);
            if (nameOffset >= (uint)strings.Length)
            {
                if (nameOffset == 0)
                {
                    continue;
                }

                throw image.Odd(elf => NameOf(elf, symtab, i));
            }

            var rest = strings[(int)nameOffset..];
            if (sectionIndex != ElfConstants.ShnUndef && !rest.StartsWith(CrcPrefix))
            {
                // A defined symbol matters only as a __crc_ one. When the table ends in NUL every name is terminated.
                if (!terminated && !CString.TryRead(rest, out _))
                {
                    throw image.Odd(elf => NameOf(elf, symtab, i));
                }

                continue;
            }

            if (!CString.TryRead(rest, out var name))
            {
                throw image.Odd(elf => NameOf(elf, symtab, i));
            }

            if (name.IsEmpty)
            {
                continue;
            }

            bool weak = entry[image.Is64 ? 4 : 12] >> 4 == ElfConstants.StbWeak;
            if (name.StartsWith(CrcPrefix))
            {
                ulong value = image.Is64 ? image.U64(entry[8..]) : image.U32(entry[4..]);
                uint crcSection = sectionIndex;
                if (sectionIndex == ElfConstants.ShnXIndex)
                {
                    if (i * 4 + 4 > extended.Length)
                    {
                        throw image.Odd(elf => _ = elf.GetSymbolTable(symtab)[i]);
                    }

                    crcSection = image.U32(extended[(i * 4)..]);
                }

                string exported = Encoding.Latin1.GetString(name[CrcPrefix.Length..]);
                exports.Add(new DepmodSymbol(exported, ResolveCrc(image, sectionIndex, crcSection, value), weak));
            }

            if (sectionIndex == ElfConstants.ShnUndef)
            {
                needs.Add(name, versions.Match(name), weak);
            }
        }
    }

    private static void NameOf(ElfFile elf, int symtab, int index)
    {
        var table = elf.GetSymbolTable(symtab);
        table.GetNameBytes(table[index]);
    }

    /// <summary>A <c>__crc_</c> symbol's value is the CRC itself when absolute, else its offset in the CRC section.</summary>
    private static ulong ResolveCrc(DepmodElfImage image, ushort rawSectionIndex, uint sectionIndex, ulong value)
    {
        if (rawSectionIndex is ElfConstants.ShnAbs or ElfConstants.ShnUndef)
        {
            return value;
        }

        if (sectionIndex >= (uint)image.SectionCount)
        {
            return ulong.MaxValue;
        }

        var section = image.Header((int)sectionIndex);
        if (section.Size < 4 || value > section.Size - 4 || !section.HasContents)
        {
            return ulong.MaxValue;
        }

        return image.U32(image.Section((int)sectionIndex)[(int)value..]);
    }

    private static void ReadKsymtabStrings(DepmodElfImage image, List<DepmodSymbol> exports)
    {
        int index = image.FindSection("__ksymtab_strings"u8);
        if (index < 0)
        {
            return;
        }

        foreach (var item in CString.Split(image.Section(index)))
        {
            exports.Add(new DepmodSymbol(Encoding.Latin1.GetString(item), 0, false));
        }
    }

    /// <summary>Collects needed names into one character buffer (Latin-1, as kmod compares bytes); one per thread, reused.</summary>
    private sealed class NeedBuilder
    {
        [ThreadStatic]
        private static NeedBuilder? t_current;

        private char[] _names = new char[16384];
        private int _length;

        public List<DepmodNeed> Items { get; } = [];

        public static NeedBuilder ForCurrentThread()
        {
            var builder = t_current ??= new NeedBuilder();
            builder._length = 0;
            builder.Items.Clear();
            return builder;
        }

        public void Add(ReadOnlySpan<byte> name, ulong crc, bool weak)
        {
            if (_length + name.Length > _names.Length)
            {
                Array.Resize(ref _names, Math.Max(_names.Length * 2, _length + name.Length));
            }

            int written = Encoding.Latin1.GetChars(name, _names.AsSpan(_length));
            Items.Add(new DepmodNeed(_length, written, crc, weak));
            _length += written;
        }

        public string Names() => new(_names, 0, _length);
    }

    /// <summary>
    /// The <c>__versions</c> records (CRC, 56- or 60-byte NUL-padded name) with a hash index on the name, so that
    /// each undefined symbol finds its CRC without comparing against every record; the first record of a name wins.
    /// One per thread, reused; the names stay in the image's buffer.
    /// </summary>
    private sealed class Versions
    {
        private const int Record = 64;

        [ThreadStatic]
        private static Versions? t_current;

        private byte[] _section = new byte[256 * Record];
        private int _count;
        private int _crcSize;
        private ulong[] _crcs = new ulong[256];
        private int[] _nameLengths = new int[256];
        private bool[] _matched = new bool[256];
        private int[] _slots = new int[512];
        private int _mask;

        public static Versions ForCurrentThread(DepmodElfImage image)
        {
            var versions = t_current ??= new Versions();
            versions.Load(image);
            return versions;
        }

        private void Load(DepmodElfImage image)
        {
            _count = 0;
            int index = image.FindSection("__versions"u8);
            if (index < 0)
            {
                return;
            }

            var span = image.Section(index);
            _count = span.Length / Record;
            if (_section.Length < _count * Record)
            {
                _section = new byte[_count * Record];
            }

            span[..(_count * Record)].CopyTo(_section);
            _crcSize = image.Is64 ? 8 : 4;
            if (_crcs.Length < _count)
            {
                _crcs = new ulong[_count];
                _nameLengths = new int[_count];
                _matched = new bool[_count];
            }

            int slots = Math.Max(4, (int)BitOperations.RoundUpToPowerOf2((uint)_count * 2));
            if (_slots.Length < slots)
            {
                _slots = new int[slots];
            }

            _mask = slots - 1;
            Array.Clear(_slots, 0, slots);
            Array.Clear(_matched, 0, _count);
            for (int v = 0; v < _count; v++)
            {
                int at = v * Record;
                _crcs[v] = image.Is64 ? image.U64(span[at..]) : image.U32(span[at..]);
                var name = span.Slice(at + _crcSize, Record - _crcSize);
                _nameLengths[v] = CString.Field(name).Length;
                int slot = Find(Name(v));
                if (_slots[slot] == 0)
                {
                    _slots[slot] = v + 1;
                }
            }
        }

        /// <summary>The CRC of the first record called <paramref name="name"/> (marking it used), or 0.</summary>
        public ulong Match(ReadOnlySpan<byte> name)
        {
            if (_count == 0)
            {
                return 0;
            }

            int v = _slots[Find(name)] - 1;
            if (v < 0)
            {
                return 0;
            }

            _matched[v] = true;
            return _crcs[v];
        }

        public void AddUnmatched(NeedBuilder needs)
        {
            for (int v = 0; v < _count; v++)
            {
                if (!_matched[v])
                {
                    needs.Add(Name(v), _crcs[v], false);
                }
            }
        }

        private ReadOnlySpan<byte> Name(int v) => _section.AsSpan(v * Record + _crcSize, _nameLengths[v]);

        /// <summary>The slot holding <paramref name="name"/>, or the empty slot where it would go (linear probing).</summary>
        private int Find(ReadOnlySpan<byte> name)
        {
            for (int slot = (int)Hash(name) & _mask; ; slot = (slot + 1) & _mask)
            {
                int v = _slots[slot] - 1;
                if (v < 0 || Name(v).SequenceEqual(name))
                {
                    return slot;
                }
            }
        }

        /// <summary>A cheap hash of the length and the first and last eight bytes (symbol names differ at both ends).</summary>
        private static uint Hash(ReadOnlySpan<byte> name)
        {
            ulong head, tail;
            if (name.Length >= 8)
            {
                head = BinaryPrimitives.ReadUInt64LittleEndian(name);
                tail = BinaryPrimitives.ReadUInt64LittleEndian(name[^8..]);
            }
            else
            {
                head = 0;
                foreach (byte b in name)
                {
                    head = (head << 8) | b;
                }

                tail = 0;
            }

            ulong mixed = ((head * 0x9E3779B97F4A7C15UL) ^ (tail * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)name.Length) * 0x165667B19E3779F9UL;
            return (uint)(mixed >> 32);
        }
    }
}
