using System.Text;

namespace LkmKit.Formats.Text;

/// <summary>
/// NUL-terminated (C) strings in file bytes, in the three shapes the formats use: a NUL-padded field of fixed size
/// (<see cref="Field"/>), a string that must end before a bound (<see cref="TryRead"/>, <see cref="Read"/>, <see cref="At"/>),
/// and a run of NUL-separated strings (<see cref="Split"/>). Every read stays inside the span it is given; decoding
/// (UTF-8, Latin-1…) is the caller's choice.
/// </summary>
internal static class CString
{
    /// <summary>The bytes of a NUL-padded field up to its first NUL; the whole field when it has none (it is full).</summary>
    public static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return end < 0 ? field : field[..end];
    }

    /// <summary>The string at the start of <paramref name="bytes"/> up to (not including) its NUL; false when no NUL comes before the end.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out ReadOnlySpan<byte> value)
    {
        int end = bytes.IndexOf((byte)0);
        value = end < 0 ? default : bytes[..end];
        return end >= 0;
    }

    /// <summary>The string at the start of <paramref name="bytes"/> up to its NUL, which must come before the end.</summary>
    /// <exception cref="ModuleFormatException">No NUL: names <paramref name="path"/>, <paramref name="offset"/> (the string's file offset),
    /// <paramref name="structure"/> and <paramref name="reason"/>.</exception>
    public static ReadOnlySpan<byte> Read(ReadOnlySpan<byte> bytes, string path, long offset, string structure, string reason = "string is not NUL-terminated") =>
        TryRead(bytes, out var value) ? value : throw new ModuleFormatException(path, offset, structure, reason);

    /// <summary>
    /// The UTF-8 string at <paramref name="offset"/> of a string table (ELF <c>.strtab</c>-like: offset 0 of an empty
    /// table is the empty string); the offset must lie in the table and the string must end in it.
    /// </summary>
    /// <exception cref="ModuleFormatException">The offset is past the table or the string has no NUL; the error names the table's
    /// file offset <paramref name="tableFileOffset"/> (plus the string's offset for a missing NUL).</exception>
    public static string At(ReadOnlySpan<byte> table, ulong offset, string path, long tableFileOffset, string structure)
    {
        if (offset >= (ulong)table.Length)
        {
            return offset == 0 ? "" : throw new ModuleFormatException(path, tableFileOffset, structure,
                $"string offset {offset} is past the end of its string table ({table.Length} bytes)");
        }

        var value = Read(table[(int)offset..], path, tableFileOffset + (long)offset, structure);
        return Decode(value);
    }

    /// <summary>
    /// Decodes UTF-8 to a string. Names in modules are nearly always ASCII, so the bytes are widened into the new string
    /// in one pass, and only a string with other bytes takes the validating UTF-8 decoder.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }

        string result = string.Create(utf8.Length, utf8, static (chars, bytes) =>
        {
            if (Ascii.ToUtf16(bytes, chars, out _) != System.Buffers.OperationStatus.Done)
            {
                chars[0] = '\uffff'; // not ASCII: marks the result for the slow path below
            }
        });

        return result[0] == '\uffff' ? Encoding.UTF8.GetString(utf8) : result;
    }

    /// <summary>The non-empty NUL-separated strings of <paramref name="bytes"/>; the last may run to the end without a NUL.</summary>
    public static SplitEnumerator Split(ReadOnlySpan<byte> bytes) => new(bytes);

    /// <summary>Enumerates the non-empty NUL-separated strings of a span without allocating.</summary>
    internal ref struct SplitEnumerator(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        /// <summary>The current string (without its NUL).</summary>
        public ReadOnlySpan<byte> Current { get; private set; }

        /// <summary>This enumerator, for <c>foreach</c>.</summary>
        public readonly SplitEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next non-empty string; false at the end.</summary>
        public bool MoveNext()
        {
            while (!_rest.IsEmpty)
            {
                int end = _rest.IndexOf((byte)0);
                var item = end < 0 ? _rest : _rest[..end];
                _rest = end < 0 ? default : _rest[(end + 1)..];
                if (!item.IsEmpty)
                {
                    Current = item;
                    return true;
                }
            }

            return false;
        }
    }
}
