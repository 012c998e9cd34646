using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Text;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// An <c>nm</c>-format symbol list (System.map, kallsyms) read in place: a <see cref="KernelSymbol"/> is made only for
/// a name that is asked for. A System.map has some 100,000 lines while a module imports a few hundred names, so a
/// link that says which names it needs (<see cref="Prepare"/>) is answered by one pass that checks each line and
/// matches its name against a small table of those names; only a source asked many times (linking a whole tree)
/// builds a hash index of every line. Lines are checked on first use, so a malformed line is reported then.
/// Lookups may run on several threads at once.
/// </summary>
internal sealed class SystemMapSymbols : IKernelSymbolSource
{
    private const int StackNameBytes = 512;
    private const int ScansBeforeIndex = 4;
    private static readonly SearchValues<byte> Blanks = SearchValues.Create(" \t"u8);
    private static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);
    private readonly ReadOnlyMemory<byte> _text;
    private readonly Lock _gate = new();
    private Line[]? _lines;
    private int[]? _index;
    private Dictionary<string, Line>? _prepared;
    private int _scans;

    /// <summary>Keeps <paramref name="utf8"/>; its lines are checked on first use.</summary>
    internal SystemMapSymbols(ReadOnlyMemory<byte> utf8, string description)
    {
        Description = description;
        _text = utf8;
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>How many symbol lines the list has.</summary>
    /// <exception cref="LinkException">A line is not <c>ADDRESS TYPE NAME</c>.</exception>
    public int Count => Lines().Length;

    /// <inheritdoc />
    /// <exception cref="LinkException">A line is not <c>ADDRESS TYPE NAME</c>.</exception>
    public IEnumerable<KernelSymbol> Symbols
    {
        get
        {
            var lines = Lines();
            for (int i = 0; i < lines.Length; i++)
            {
                yield return Materialize(lines[i]);
            }
        }
    }

    /// <inheritdoc />
    public bool WantsNames => _index is null;

    /// <inheritdoc />
    /// <exception cref="LinkException">A line is not <c>ADDRESS TYPE NAME</c>.</exception>
    public void Prepare(IReadOnlyCollection<string> names)
    {
        if (_index is not null || names.Count == 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _scans) > ScansBeforeIndex)
        {
            Index();
            Volatile.Write(ref _prepared, null);
            return;
        }

        var wanted = new NameTable(names.Count);
        var keys = new List<string>(names.Count);
        foreach (string name in names)
        {
            if (wanted.Add(Encoding.UTF8.GetBytes(name)))
            {
                keys.Add(name);
            }
        }

        var best = new Line[keys.Count];
        var text = _text.Span;
        var reader = new LineReader(text, Description);
        while (reader.MoveNext())
        {
            ref readonly var line = ref reader.Current;
            int w = wanted.Find(line.Hash, line.Name(text));
            if (w >= 0 && (best[w].IsEmpty || Prefers(line.Type, best[w].Type)))
            {
                best[w] = line;
            }
        }

        var prepared = new Dictionary<string, Line>(keys.Count, StringComparer.Ordinal);
        for (int w = 0; w < keys.Count; w++)
        {
            prepared[keys[w]] = best[w];
        }

        // Published only when complete: a link on another thread may be reading the previous table right now.
        Volatile.Write(ref _prepared, prepared);
    }

    /// <inheritdoc />
    /// <exception cref="LinkException">A line is not <c>ADDRESS TYPE NAME</c>.</exception>
    public bool TryGet(string name, [MaybeNullWhen(false)] out KernelSymbol symbol)
    {
        var prepared = Volatile.Read(ref _prepared);
        if (!(prepared is not null && prepared.TryGetValue(name, out var line)))
        {
            int i = Lookup(name);
            line = i >= 0 ? _lines![i] : default;
        }

        symbol = line.IsEmpty ? null : Materialize(line);
        return symbol is not null;
    }

    private Line[] Lines()
    {
        lock (_gate)
        {
            if (_lines is null)
            {
                var lines = new List<Line>(_text.Length / 40);
                var reader = new LineReader(_text.Span, Description);
                while (reader.MoveNext())
                {
                    lines.Add(reader.Current);
                }

                _lines = [.. lines];
            }

            return _lines;
        }
    }

    private int[] Index()
    {
        var lines = Lines();
        lock (_gate)
        {
            return _index ??= BuildIndex(lines);
        }
    }

    private int Lookup(string name)
    {
        var lines = Lines();
        var index = Index();
        int most = Encoding.UTF8.GetMaxByteCount(name.Length);
        Span<byte> buffer = most <= StackNameBytes ? stackalloc byte[StackNameBytes] : new byte[most];
        var key = buffer[..Encoding.UTF8.GetBytes(name, buffer)];
        uint hash = Hash(key);
        var text = _text.Span;
        int mask = index.Length - 1;
        for (int slot = (int)hash & mask; index[slot] != 0; slot = (slot + 1) & mask)
        {
            int i = index[slot] - 1;
            if (lines[i].Hash == hash && lines[i].Name(text).SequenceEqual(key))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Open addressing over every line; a name's slot holds its preferred line.</summary>
    private int[] BuildIndex(Line[] lines)
    {
        var index = new int[BitOperations.RoundUpToPowerOf2((uint)Math.Max(lines.Length, 1) * 2)];
        int mask = index.Length - 1;
        var text = _text.Span;
        for (int i = 0; i < lines.Length; i++)
        {
            ref readonly var line = ref lines[i];
            for (int slot = (int)line.Hash & mask; ; slot = (slot + 1) & mask)
            {
                int other = index[slot] - 1;
                if (other < 0)
                {
                    index[slot] = i + 1;
                    break;
                }

                if (lines[other].Hash == line.Hash && lines[other].Name(text).SequenceEqual(line.Name(text)))
                {
                    if (Prefers(line.Type, lines[other].Type))
                    {
                        index[slot] = i + 1;
                    }

                    break;
                }
            }
        }

        return index;
    }

    private KernelSymbol Materialize(in Line line)
    {
        var text = _text.Span[line.Start..];
        int end = text.IndexOf((byte)'\n');
        text = (end < 0 ? text : text[..end]).TrimEnd(" \t\r"u8);
        ulong address = 0;
        for (int i = 0; HexDigits.Contains(text[i]); i++)
        {
            address = (address << 4) | (uint)HexValue(text[i]);
        }

        var suffix = text[(line.NameOffset + line.NameLength)..].Trim(" \t"u8);
        string? owner = suffix.Length >= 2 && suffix[0] == '[' && suffix[^1] == ']' ? Encoding.UTF8.GetString(suffix[1..^1]) : null;
        return new KernelSymbol(Encoding.UTF8.GetString(line.Name(_text.Span)), address, (char)line.Type, Owner: owner);
    }

    private static bool Prefers(byte candidate, byte earlier) => IsGlobal(candidate) && !IsGlobal(earlier);

    private static bool IsGlobal(byte type) => type is >= (byte)'A' and <= (byte)'Z';

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

    /// <summary>Where one symbol line and its name lie in the text (a default value is no line).</summary>
    private readonly record struct Line(int Start, int NameOffset, int NameLength, uint Hash, byte Type)
    {
        public bool IsEmpty => NameLength == 0;

        public ReadOnlySpan<byte> Name(ReadOnlySpan<byte> text) => text.Slice(Start + NameOffset, NameLength);
    }

    /// <summary>Walks the non-empty lines, checking each is <c>ADDRESS TYPE NAME[ OWNER]</c>.</summary>
    private ref struct LineReader(ReadOnlySpan<byte> text, string description)
    {
        private readonly ReadOnlySpan<byte> _text = text;
        private int _position;
        private int _lineNumber;

        public Line Current;

        public bool MoveNext()
        {
            while (_position < _text.Length)
            {
                int start = _position;
                var rest = _text[start..];
                int newline = rest.IndexOf((byte)'\n');
                var line = newline < 0 ? rest : rest[..newline];
                _position = start + line.Length + 1;
                _lineNumber++;
                int length = line.Length;
                while (length > 0 && line[length - 1] is (byte)' ' or (byte)'\t' or (byte)'\r')
                {
                    length--;
                }

                if (length > 0)
                {
                    Current = Check(line[..length], start);
                    return true;
                }
            }

            return false;
        }

        private readonly Line Check(ReadOnlySpan<byte> line, int start)
        {
            // The usual shape, "ADDRESS T NAME" with single spaces, without the general path's searches.
            int space = line.IndexOf((byte)' ');
            if (space is > 0 and <= 16 && space + 3 < line.Length && line[space + 2] == ' ' && line[space + 1] != ' '
                && line[space + 3] is not ((byte)' ' or (byte)'\t') && IsHex(line[..space]))
            {
                var name = line[(space + 3)..];
                int end = name.IndexOfAny((byte)' ', (byte)'\t');
                name = end < 0 ? name : name[..end];
                return new Line(start, space + 3, name.Length, Hash(name), line[space + 1]);
            }

            return CheckGeneral(line, start);
        }

        // Branch-free: address digits mix 0-9 and a-f unpredictably.
        private static bool IsHex(ReadOnlySpan<byte> digits)
        {
            bool all = true;
            foreach (byte c in digits)
            {
                all &= ((uint)(c - '0') <= 9) | ((uint)((c | 0x20) - 'a') <= 5);
            }

            return all;
        }

        private readonly Line CheckGeneral(ReadOnlySpan<byte> line, int start)
        {
            int digits = line.IndexOfAny(Blanks);
            if (digits <= 0 || digits > 16 || line[..digits].ContainsAnyExcept(HexDigits))
            {
                throw Bad(line, "expected 'ADDRESS TYPE NAME' (nm format)");
            }

            int i = digits + 1;
            while (Blanks.Contains(line[i]))
            {
                i++;
            }

            if (i + 2 >= line.Length || !Blanks.Contains(line[i + 1]))
            {
                throw Bad(line, "expected a one-letter symbol type after the address");
            }

            byte type = line[i];
            i += 2;
            while (Blanks.Contains(line[i]))
            {
                i++;
            }

            int nameLength = line[i..].IndexOfAny(Blanks);
            if (nameLength < 0)
            {
                nameLength = line.Length - i;
            }

            return new Line(start, i, nameLength, Hash(line.Slice(i, nameLength)), type);
        }

        private readonly LinkException Bad(ReadOnlySpan<byte> line, string expected) =>
            new($"{description}:{_lineNumber}: {expected}, got '{QuotedLine.Of(line)}'");
    }

    /// <summary>A small open-addressing set of UTF-8 names, numbered in the order added.</summary>
    private sealed class NameTable(int capacity)
    {
        private readonly int[] _slots = new int[BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 1) * 2)];
        private readonly List<(byte[] Name, uint Hash)> _names = new(capacity);

        public bool Add(byte[] name)
        {
            uint h = Hash(name);
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
