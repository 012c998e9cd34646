using System.Buffers.Binary;
using System.Text;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Output;

/// <summary>
/// Writes a <see cref="LinkedImage"/> as a little-endian ELF executable: one section per loaded input section at its
/// address (same name; with several modules the name is prefixed <c>MODULE:</c>), one PT_LOAD program header per
/// section, and a symbol table with the final addresses.
/// </summary>
public static class ElfImageWriter
{
    private const uint ShtProgBits = 1, ShtSymTab = 2, ShtStrTab = 3, ShtNoBits = 8;
    private const ushort EtExec = 2;

    /// <summary>Writes <paramref name="image"/> to <paramref name="path"/>.</summary>
    public static void Write(LinkedImage image, string path) => File.WriteAllBytes(path, Build(image));

    /// <summary>The ELF file bytes of <paramref name="image"/>.</summary>
    public static byte[] Build(LinkedImage image)
    {
        bool is64 = image.Bits == 64;
        bool prefix = image.Modules.Count > 1;
        var sections = image.Modules.SelectMany(m => m.Sections.Select(s => (Module: m, Section: s))).ToList();
        var shstr = new StringTable();
        var strtab = new StringTable();
        int ehSize = is64 ? 64 : 52, phEntry = is64 ? 56 : 32, shEntry = is64 ? 64 : 40, symEntry = is64 ? 24 : 16;

        using var body = new MemoryStream();
        long headersEnd = ehSize + (long)phEntry * sections.Count;
        body.SetLength(headersEnd);
        body.Position = headersEnd;
        var offsets = new long[sections.Count];
        for (int i = 0; i < sections.Count; i++)
        {
            var s = sections[i].Section;
            Pad(body, Math.Max(1, Math.Min(s.Alignment, 4096)));
            offsets[i] = body.Position;
            if (s.HasContents)
            {
                body.Write(s.Data);
            }
        }

        // Symbol table: null symbol, then each module's symbols mapped to output section indexes (1-based).
        var sectionNumber = new Dictionary<(LinkedModule, int), int>();
        for (int i = 0; i < sections.Count; i++)
        {
            sectionNumber[(sections[i].Module, sections[i].Section.Index)] = i + 1;
        }

        // ELF wants the local symbols first; sh_info of .symtab is the index of the first non-local one.
        var symbols = new List<byte[]> { new byte[symEntry] };
        var ordered = image.Modules.SelectMany(m => m.Symbols.Select(s => (Module: m, Symbol: s)))
            .OrderBy(p => p.Symbol.Binding == SymbolBinding.Local ? 0 : 1).ToList();
        int firstGlobal = 1 + ordered.Count(p => p.Symbol.Binding == SymbolBinding.Local);
        foreach (var (module, sym) in ordered)
        {
            ushort shndx = sym.SectionIndex >= 0 && sectionNumber.TryGetValue((module, sym.SectionIndex), out int n) ? (ushort)n : (ushort)0xfff1;
            symbols.Add(Symbol(is64, strtab.Add(sym.Name), sym.Address, sym.Size, Info(sym), shndx));
        }

        Pad(body, is64 ? 8UL : 4UL);
        long symOffset = body.Position;
        foreach (var s in symbols)
        {
            body.Write(s);
        }

        long strOffset = body.Position;
        body.Write(strtab.Bytes);
        var names = sections.Select(p => shstr.Add(prefix ? $"{p.Module.Name}:{p.Section.Name}" : p.Section.Name)).ToArray();
        uint symtabName = shstr.Add(".symtab"), strtabName = shstr.Add(".strtab"), shstrName = shstr.Add(".shstrtab");
        long shstrOffset = body.Position;
        body.Write(shstr.Bytes);
        Pad(body, 8);
        long shOffset = body.Position;
        int shnum = sections.Count + 4;

        var buffer = new byte[shEntry];
        body.Write(buffer);
        for (int i = 0; i < sections.Count; i++)
        {
            var s = sections[i].Section;
            uint type = s.HasContents ? (s.RawType == ShtNoBits ? ShtProgBits : s.RawType) : ShtNoBits;
            body.Write(SectionHeader(is64, names[i], type, s.RawFlags & 0x7, s.Address, offsets[i], s.Size, 0, 0, s.Alignment, 0));
        }

        int symtabIndex = sections.Count + 1;
        body.Write(SectionHeader(is64, symtabName, ShtSymTab, 0, 0, symOffset, (ulong)(symbols.Count * symEntry), (uint)symtabIndex + 1, (uint)firstGlobal, is64 ? 8UL : 4UL, (ulong)symEntry));
        body.Write(SectionHeader(is64, strtabName, ShtStrTab, 0, 0, strOffset, (ulong)strtab.Bytes.Length, 0, 0, 1, 0));
        body.Write(SectionHeader(is64, shstrName, ShtStrTab, 0, 0, shstrOffset, (ulong)shstr.Bytes.Length, 0, 0, 1, 0));

        var bytes = body.ToArray();
        WriteHeader(bytes, image, is64, shOffset, sections.Count, shnum, shnum - 1);
        for (int i = 0; i < sections.Count; i++)
        {
            WriteProgramHeader(bytes.AsSpan(ehSize + i * phEntry), is64, sections[i].Section, offsets[i]);
        }

        return bytes;
    }

    private static byte Info(in LinkedSymbol s)
    {
        int bind = s.Binding switch { SymbolBinding.Global => 1, SymbolBinding.Weak => 2, _ => 0 };
        int type = s.Type switch { SymbolType.Object => 1, SymbolType.Function => 2, SymbolType.Common => 1, SymbolType.Tls => 6, _ => 0 };
        return (byte)((bind << 4) | type);
    }

    private static void Pad(MemoryStream stream, ulong alignment)
    {
        long aligned = (long)Layout.Align.Up((ulong)stream.Position, alignment);
        stream.SetLength(Math.Max(stream.Length, aligned));
        stream.Position = aligned;
    }

    private static void WriteHeader(Span<byte> b, LinkedImage image, bool is64, long shOffset, int phnum, int shnum, int shstrndx)
    {
        "\x7f"u8.CopyTo(b);
        "ELF"u8.CopyTo(b[1..]);
        b[4] = (byte)(is64 ? 2 : 1);
        b[5] = 1;
        b[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(b[16..], EtExec);
        BinaryPrimitives.WriteUInt16LittleEndian(b[18..], (ushort)image.RawMachine);
        BinaryPrimitives.WriteUInt32LittleEndian(b[20..], 1);
        if (is64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b[32..], phnum > 0 ? 64UL : 0);
            BinaryPrimitives.WriteUInt64LittleEndian(b[40..], (ulong)shOffset);
            BinaryPrimitives.WriteUInt16LittleEndian(b[52..], 64);
            BinaryPrimitives.WriteUInt16LittleEndian(b[54..], 56);
            BinaryPrimitives.WriteUInt16LittleEndian(b[56..], (ushort)phnum);
            BinaryPrimitives.WriteUInt16LittleEndian(b[58..], 64);
            BinaryPrimitives.WriteUInt16LittleEndian(b[60..], (ushort)shnum);
            BinaryPrimitives.WriteUInt16LittleEndian(b[62..], (ushort)shstrndx);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b[28..], phnum > 0 ? 52u : 0);
            BinaryPrimitives.WriteUInt32LittleEndian(b[32..], (uint)shOffset);
            BinaryPrimitives.WriteUInt16LittleEndian(b[40..], 52);
            BinaryPrimitives.WriteUInt16LittleEndian(b[42..], 32);
            BinaryPrimitives.WriteUInt16LittleEndian(b[44..], (ushort)phnum);
            BinaryPrimitives.WriteUInt16LittleEndian(b[46..], 40);
            BinaryPrimitives.WriteUInt16LittleEndian(b[48..], (ushort)shnum);
            BinaryPrimitives.WriteUInt16LittleEndian(b[50..], (ushort)shstrndx);
        }
    }

    private static void WriteProgramHeader(Span<byte> b, bool is64, LinkedSection s, long offset)
    {
        uint flags = 4 | ((s.RawFlags & 1) != 0 ? 2u : 0) | ((s.RawFlags & 4) != 0 ? 1u : 0);
        ulong fileSize = s.HasContents ? s.Size : 0;
        ulong align = Math.Max(1, s.Alignment);
        BinaryPrimitives.WriteUInt32LittleEndian(b, 1);
        if (is64)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b[4..], flags);
            BinaryPrimitives.WriteUInt64LittleEndian(b[8..], (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(b[16..], s.Address);
            BinaryPrimitives.WriteUInt64LittleEndian(b[24..], s.Address);
            BinaryPrimitives.WriteUInt64LittleEndian(b[32..], fileSize);
            BinaryPrimitives.WriteUInt64LittleEndian(b[40..], s.Size);
            BinaryPrimitives.WriteUInt64LittleEndian(b[48..], align);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b[4..], (uint)offset);
            BinaryPrimitives.WriteUInt32LittleEndian(b[8..], (uint)s.Address);
            BinaryPrimitives.WriteUInt32LittleEndian(b[12..], (uint)s.Address);
            BinaryPrimitives.WriteUInt32LittleEndian(b[16..], (uint)fileSize);
            BinaryPrimitives.WriteUInt32LittleEndian(b[20..], (uint)s.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(b[24..], flags);
            BinaryPrimitives.WriteUInt32LittleEndian(b[28..], (uint)align);
        }
    }

    private static byte[] SectionHeader(bool is64, uint name, uint type, ulong flags, ulong address, long offset, ulong size, uint link, uint info, ulong align, ulong entSize)
    {
        var b = new byte[is64 ? 64 : 40];
        BinaryPrimitives.WriteUInt32LittleEndian(b, name);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), type);
        if (is64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), flags);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), address);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(24), (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32), size);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(40), link);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(44), info);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(48), align);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(56), entSize);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)flags);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), (uint)address);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), (uint)offset);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), link);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(28), info);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(32), (uint)align);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(36), (uint)entSize);
        }

        return b;
    }

    private static byte[] Symbol(bool is64, uint name, ulong value, ulong size, byte info, ushort shndx)
    {
        var b = new byte[is64 ? 24 : 16];
        BinaryPrimitives.WriteUInt32LittleEndian(b, name);
        if (is64)
        {
            b[4] = info;
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), shndx);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), value);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(16), size);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)value);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)size);
            b[12] = info;
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), shndx);
        }

        return b;
    }

    private sealed class StringTable
    {
        private readonly MemoryStream _stream = new();

        public StringTable() => _stream.WriteByte(0);

        public byte[] Bytes => _stream.ToArray();

        public uint Add(string name)
        {
            uint offset = (uint)_stream.Position;
            _stream.Write(Encoding.UTF8.GetBytes(name));
            _stream.WriteByte(0);
            return offset;
        }
    }
}
