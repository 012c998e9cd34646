using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Text;

namespace LkmKit.Linker.Symbols;

/// <summary>
/// An <c>nm</c>-format symbol list (System.map, kallsyms) indexed in place: one pass checks every line and hashes
/// its name into an open-addressing table of line positions, and a <see cref="KernelSymbol"/> is made only for a
/// name that is asked for. A System.map has some 150,000 lines while a module imports a few hundred names, so
/// this is what keeps a one-module link from being dominated by reading the kernel's symbols.
/// </summary>
public sealed class SystemMapSymbols : IKernelSymbolSource
{
    private const int StackNameBytes = 512;
    private readonly ReadOnlyMemory<byte> _text;
    private readonly Line[] _lines;
    private readonly int[] _buckets;
    private readonly int _mask;

    /// <summary>Checks and indexes <paramref name="utf8"/>.</summary>
    /// <exception cref="LinkException">A line is not <c>ADDRESS TYPE NAME</c>.</exception>
    internal SystemMapSymbols(ReadOnlyMemory<byte> utf8, string description)
    {
        Description = description;
        _text = utf8;
        var text = utf8.Span;
        _lines = new Line[text.Count((byte)'\n') + 1];
        _buckets = new int[BitOperations.RoundUpToPowerOf2((uint)_lines.Length * 2)];
        _mask = _buckets.Length - 1;
        int position = 0, lineNumber = 0;
        while (position < text.Length)
        {
            int newline = text[position..].IndexOf((byte)'\n');
            int end = newline < 0 ? text.Length : position + newline;
            lineNumber++;
            var line = text[position..end].TrimEnd(" \t\r"u8);
            if (!line.IsEmpty)
            {
                Insert(Check(line, position, lineNumber));
            }

            position = end + 1;
        }
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>How many symbol lines the list has.</summary>
    public int Count { get; private set; }

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
    public bool TryGet(string name, [MaybeNullWhen(false)] out KernelSymbol symbol)
    {
        int most = Encoding.UTF8.GetMaxByteCount(name.Length);
        Span<byte> buffer = most <= StackNameBytes ? stackalloc byte[StackNameBytes] : new byte[most];
        var key = buffer[..Encoding.UTF8.GetBytes(name, buffer)];
        uint hash = Hash(key);
        var text = _text.Span;
        for (int slot = (int)hash & _mask; _buckets[slot] != 0; slot = (slot + 1) & _mask)
        {
            int index = _buckets[slot] - 1;
            if (_lines[index].Hash == hash && _lines[index].Name(text).SequenceEqual(key))
            {
                symbol = Materialize(index);
                return true;
            }
        }

        symbol = null;
        return false;
    }

    private Line Check(ReadOnlySpan<byte> line, int start, int lineNumber)
    {
        int firstSpace = line.IndexOfAny((byte)' ', (byte)'\t');
        if (firstSpace <= 0 || !Utf8Parser.TryParse(line[..firstSpace], out ulong _, out int consumed, 'x') || consumed != firstSpace)
        {
            throw Bad(line, lineNumber, "expected 'ADDRESS TYPE NAME' (nm format)");
        }

        var rest = line[(firstSpace + 1)..].TrimStart(" \t"u8);
        if (rest.Length < 3 || rest[1] is not ((byte)' ' or (byte)'\t'))
        {
            throw Bad(line, lineNumber, "expected a one-letter symbol type after the address");
        }

        var nameAndOwner = rest[2..].TrimStart(" \t"u8);
        int end = nameAndOwner.IndexOfAny((byte)'\t', (byte)' ');
        var name = end >= 0 ? nameAndOwner[..end] : nameAndOwner;
        return new Line(start, line.Length, line.Length - nameAndOwner.Length, name.Length, Hash(name), rest[0]);
    }

    private LinkException Bad(ReadOnlySpan<byte> line, int lineNumber, string expected) =>
        new($"{Description}:{lineNumber}: {expected}, got '{Encoding.UTF8.GetString(line)}'");

    private void Insert(Line line)
    {
        int index = Count++;
        _lines[index] = line;
        var text = _text.Span;
        var name = line.Name(text);
        for (int slot = (int)line.Hash & _mask; ; slot = (slot + 1) & _mask)
        {
            int other = _buckets[slot] - 1;
            if (other < 0)
            {
                _buckets[slot] = index + 1;
                return;
            }

            if (_lines[other].Hash == line.Hash && _lines[other].Name(text).SequenceEqual(name))
            {
                if (IsGlobal(line.Type) && !IsGlobal(_lines[other].Type))
                {
                    _buckets[slot] = index + 1;
                }

                return;
            }
        }
    }

    private KernelSymbol Materialize(int index)
    {
        var line = _lines[index];
        var text = _text.Span.Slice(line.Start, line.Length);
        Utf8Parser.TryParse(text, out ulong address, out _, 'x');
        var suffix = text[(line.NameOffset + line.NameLength)..].Trim(" \t"u8);
        string? owner = suffix.Length >= 2 && suffix[0] == '[' && suffix[^1] == ']' ? Encoding.UTF8.GetString(suffix[1..^1]) : null;
        return new KernelSymbol(Encoding.UTF8.GetString(line.Name(_text.Span)), address, (char)line.Type, Owner: owner);
    }

    private static bool IsGlobal(byte type) => type is >= (byte)'A' and <= (byte)'Z';

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
    private readonly record struct Line(int Start, int Length, int NameOffset, int NameLength, uint Hash, byte Type)
    {
        public ReadOnlySpan<byte> Name(ReadOnlySpan<byte> text) => text.Slice(Start + NameOffset, NameLength);
    }
}
