using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Text;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// An <c>nm</c>-format symbol list (System.map, kallsyms) read in place. One forward pass checks every line and
/// records where its name lies and the name's hash; a <see cref="KernelSymbol"/> is made only for a name that is
/// asked for. A System.map has some 100,000 lines while a module imports a few hundred names, so a link that says
/// which names it needs (<see cref="Prepare"/>) is answered by one sequential pass against a small table of those
/// names; only a source asked many times (linking a whole tree) builds a hash index of every line.
/// </summary>
public sealed class SystemMapSymbols : IKernelSymbolSource
{
    private const int StackNameBytes = 512;
    private const int ScansBeforeIndex = 4;
    private readonly ReadOnlyMemory<byte> _text;
    private readonly Line[] _lines;
    private Dictionary<string, int>? _prepared;
    private int[]? _index;
    private int _scans;

    /// <summary>Checks <paramref name="utf8"/> line by line.</summary>
    /// <exception cref="LinkException">A line is not <c>ADDRESS TYPE NAME</c>.</exception>
    internal SystemMapSymbols(ReadOnlyMemory<byte> utf8, string description)
    {
        Description = description;
        _text = utf8;
        var text = utf8.Span;
        _lines = new Line[text.Count((byte)'\n') + 1];
        int position = 0, lineNumber = 0;
        while (position < text.Length)
        {
            int newline = text[position..].IndexOf((byte)'\n');
            int end = newline < 0 ? text.Length : position + newline;
            lineNumber++;
            var line = text[position..end];
            int length = line.Length;
            while (length > 0 && line[length - 1] is (byte)' ' or (byte)'\t' or (byte)'\r')
            {
                length--;
            }

            if (length > 0)
            {
                _lines[Count++] = Check(line[..length], position, lineNumber);
            }

            position = end + 1;
        }
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>How many symbol lines the list has.</summary>
    public int Count { get; }

    /// <inheritdoc />
    public IEnumerable<KernelSymbol> Symbols
    {
        get
        {
            for (int i = 0; i < Count; i++)
            {
                yield return Materialize(i);
            }
        }
    }

    /// <inheritdoc />
    public void Prepare(IReadOnlyCollection<string> names)
    {
        if (_index is not null || names.Count == 0)
        {
            return;
        }

        if (++_scans > ScansBeforeIndex)
        {
            _index = BuildIndex();
            _prepared = null;
            return;
        }

        var wanted = new NameTable(names.Count);
        var keys = new List<string>(names.Count);
        foreach (string name in names)
        {
            if (wanted.Add(Encoding.UTF8.GetBytes(name), Hash))
            {
                keys.Add(name);
            }
        }

        var best = new int[keys.Count];
        Array.Fill(best, -1);
        var text = _text.Span;
        for (int i = 0; i < Count; i++)
        {
            int w = wanted.Find(_lines[i].Hash, _lines[i].Name(text));
            if (w >= 0 && (best[w] < 0 || Prefers(_lines[i].Type, _lines[best[w]].Type)))
            {
                best[w] = i;
            }
        }

        _prepared = new Dictionary<string, int>(keys.Count, StringComparer.Ordinal);
        for (int w = 0; w < keys.Count; w++)
        {
            _prepared[keys[w]] = best[w];
        }
    }

    /// <inheritdoc />
    public bool TryGet(string name, [MaybeNullWhen(false)] out KernelSymbol symbol)
    {
        int line = _prepared is not null && _prepared.TryGetValue(name, out int found) ? found : Lookup(name);
        symbol = line >= 0 ? Materialize(line) : null;
        return symbol is not null;
    }

    private int Lookup(string name)
    {
        var index = _index ??= BuildIndex();
        int most = Encoding.UTF8.GetMaxByteCount(name.Length);
        Span<byte> buffer = most <= StackNameBytes ? stackalloc byte[StackNameBytes] : new byte[most];
        var key = buffer[..Encoding.UTF8.GetBytes(name, buffer)];
        uint hash = Hash(key);
        var text = _text.Span;
        int mask = index.Length - 1;
        for (int slot = (int)hash & mask; index[slot] != 0; slot = (slot + 1) & mask)
        {
            int i = index[slot] - 1;
            if (_lines[i].Hash == hash && _lines[i].Name(text).SequenceEqual(key))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Open addressing over every line; a name's slot holds its preferred line.</summary>
    private int[] BuildIndex()
    {
        var index = new int[BitOperations.RoundUpToPowerOf2((uint)Math.Max(Count, 1) * 2)];
        int mask = index.Length - 1;
        var text = _text.Span;
        for (int i = 0; i < Count; i++)
        {
            ref readonly var line = ref _lines[i];
            for (int slot = (int)line.Hash & mask; ; slot = (slot + 1) & mask)
            {
                int other = index[slot] - 1;
                if (other < 0)
                {
                    index[slot] = i + 1;
                    break;
                }

                if (_lines[other].Hash == line.Hash && _lines[other].Name(text).SequenceEqual(line.Name(text)))
                {
                    if (Prefers(line.Type, _lines[other].Type))
                    {
                        index[slot] = i + 1;
                    }

                    break;
                }
            }
        }

        return index;
    }

    /// <summary>Checks <c>ADDRESS TYPE NAME[ OWNER]</c> in one forward scan.</summary>
    private Line Check(ReadOnlySpan<byte> line, int start, int lineNumber)
    {
        int i = 0;
        while (i < line.Length && IsHexDigit(line[i]))
        {
            i++;
        }

        if (i == 0 || i > 16 || i == line.Length || !IsBlank(line[i]))
        {
            throw Bad(line, lineNumber, "expected 'ADDRESS TYPE NAME' (nm format)");
        }

        while (IsBlank(line[i]))
        {
            i++;
        }

        if (i + 2 >= line.Length || !IsBlank(line[i + 1]))
        {
            throw Bad(line, lineNumber, "expected a one-letter symbol type after the address");
        }

        byte type = line[i];
        i += 2;
        while (IsBlank(line[i]))
        {
            i++;
        }

        int nameStart = i;
        while (i < line.Length && !IsBlank(line[i]))
        {
            i++;
        }

        return new Line(start, nameStart, i - nameStart, Hash(line[nameStart..i]), type);
    }

    private LinkException Bad(ReadOnlySpan<byte> line, int lineNumber, string expected) =>
        new($"{Description}:{lineNumber}: {expected}, got '{Encoding.UTF8.GetString(line)}'");

    private KernelSymbol Materialize(int index)
    {
        var line = _lines[index];
        var text = _text.Span[line.Start..];
        int end = text.IndexOf((byte)'\n');
        text = (end < 0 ? text : text[..end]).TrimEnd(" \t\r"u8);
        ulong address = 0;
        for (int i = 0; IsHexDigit(text[i]); i++)
        {
            address = (address << 4) | (uint)HexValue(text[i]);
        }

        var suffix = text[(line.NameOffset + line.NameLength)..].Trim(" \t"u8);
        string? owner = suffix.Length >= 2 && suffix[0] == '[' && suffix[^1] == ']' ? Encoding.UTF8.GetString(suffix[1..^1]) : null;
        return new KernelSymbol(Encoding.UTF8.GetString(line.Name(_text.Span)), address, (char)line.Type, Owner: owner);
    }

    private static bool Prefers(byte candidate, byte earlier) => IsGlobal(candidate) && !IsGlobal(earlier);

    private static bool IsGlobal(byte type) => type is >= (byte)'A' and <= (byte)'Z';

    private static bool IsBlank(byte c) => c is (byte)' ' or (byte)'\t';

    private static bool IsHexDigit(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>A multiply-xorshift hash over 8-byte words: names share long prefixes, so every byte must mix in.</summary>
    private static uint Hash(ReadOnlySpan<byte> name)
    {
        ulong h = (ulong)name.Length * 0x9E3779B97F4A7C15UL;
        while (name.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(name)) * 0xFF51AFD7ED558CCDUL;
            h ^= h >> 29;
            name = name[8..];
        }

        ulong tail = 0;
        for (int i = 0; i < name.Length; i++)
        {
            tail |= (ulong)name[i] << (8 * i);
        }

        h = (h ^ tail) * 0xC4CEB9FE1A85EC53UL;
        return (uint)(h ^ (h >> 32));
    }

    /// <summary>Where one symbol line and its name lie in the text.</summary>
    private readonly record struct Line(int Start, int NameOffset, int NameLength, uint Hash, byte Type)
    {
        public ReadOnlySpan<byte> Name(ReadOnlySpan<byte> text) => text.Slice(Start + NameOffset, NameLength);
    }

    /// <summary>A small open-addressing set of UTF-8 names, numbered in the order added.</summary>
    private sealed class NameTable(int capacity)
    {
        private readonly int[] _slots = new int[BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 1) * 2)];
        private readonly List<(byte[] Name, uint Hash)> _names = new(capacity);

        public bool Add(byte[] name, Func<ReadOnlySpan<byte>, uint> hash)
        {
            uint h = hash(name);
            if (Find(h, name) >= 0)
            {
                return false;
            }

            int mask = _slots.Length - 1;
            int slot = (int)h & mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            _names.Add((name, h));
            _slots[slot] = _names.Count;
            return true;
        }

        public int Find(uint hash, ReadOnlySpan<byte> name)
        {
            int mask = _slots.Length - 1;
            for (int slot = (int)hash & mask; _slots[slot] != 0; slot = (slot + 1) & mask)
            {
                var (candidate, h) = _names[_slots[slot] - 1];
                if (h == hash && name.SequenceEqual(candidate))
                {
                    return _slots[slot] - 1;
                }
            }

            return -1;
        }
    }
}
