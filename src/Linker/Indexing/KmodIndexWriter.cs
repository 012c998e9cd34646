using System.Buffers.Binary;
using LkmKit.Formats;

namespace LkmKit.Linker.Indexing;

/// <summary>
/// Builds a kmod <c>.bin</c> index (a radix trie over 7-bit keys, each key holding values ordered by priority) and
/// writes it the way kmod 30's depmod does: children before their parent (post-order), the root last, its offset
/// patched into the header.
/// </summary>
internal sealed class KmodIndexWriter
{
    internal const uint Magic = 0xB007F457;
    internal const uint Version = 0x00020001;
    internal const uint FlagPrefix = 0x80000000;
    internal const uint FlagValues = 0x40000000;
    internal const uint FlagChilds = 0x20000000;
    internal const uint OffsetMask = 0x0FFFFFFF;
    internal const int HeaderSize = 12;

    private readonly Node _root = new("");

    /// <summary>Adds <paramref name="value"/> under <paramref name="key"/>; returns true when the key already held that value.</summary>
    /// <exception cref="ArgumentException">The key or value holds a character outside 7-bit ASCII.</exception>
    public bool Insert(string key, string value, uint priority)
    {
        CheckString(key);
        CheckString(value);
        var node = _root;
        int i = 0;
        while (true)
        {
            int j = 0;
            for (; j < node.Prefix.Length; j++)
            {
                char ch = node.Prefix[j];
                if (i + j >= key.Length || key[i + j] != ch)
                {
                    node.SplitAt(j);
                    break;
                }
            }

            i += j;
            if (i == key.Length)
            {
                return node.AddValue(value, priority);
            }

            char next = key[i];
            var child = node.Child(next);
            if (child is null)
            {
                child = new Node(key[(i + 1)..]);
                node.SetChild(next, child);
                child.AddValue(value, priority);
                return false;
            }

            node = child;
            i++;
        }
    }

    /// <summary>Serialises the index into an array of exactly its size (measured first).</summary>
    public byte[] ToArray()
    {
        var output = new Output(HeaderSize + Measure(_root));
        output.U32(Magic);
        output.U32(Version);
        output.U32(0);
        uint root = WriteNode(_root, output);
        var bytes = output.Bytes;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), root);
        return bytes;
    }

    private static int Measure(Node node)
    {
        int size = node.Prefix.Length > 0 ? node.Prefix.Length + 1 : 0;
        if (node.HasChildren)
        {
            size += 2 + 4 * (node.Last - node.First + 1);
            for (int i = 0; i < node.ChildCount; i++)
            {
                size += Measure(node.ChildAt(i));
            }
        }

        var values = node.Values;
        if (!values.IsEmpty)
        {
            size += 4;
            foreach (var (value, _) in values)
            {
                size += 4 + value.Length + 1;
            }
        }

        return size;
    }

    private static uint WriteNode(Node node, Output output)
    {
        uint[]? childWords = null;
        if (node.HasChildren)
        {
            childWords = new uint[node.Last - node.First + 1];
            for (int i = 0; i < node.ChildCount; i++)
            {
                childWords[node.KeyAt(i) - node.First] = WriteNode(node.ChildAt(i), output);
            }
        }

        uint word = (uint)output.Length;
        if (word > OffsetMask)
        {
            throw new InvalidOperationException("index larger than the 256 MiB its offsets can address");
        }

        if (node.Prefix.Length > 0)
        {
            output.String(node.Prefix);
            word |= FlagPrefix;
        }

        if (childWords is not null)
        {
            output.Byte((byte)node.First);
            output.Byte((byte)node.Last);
            foreach (uint child in childWords)
            {
                output.U32(child);
            }

            word |= FlagChilds;
        }

        var values = node.Values;
        if (!values.IsEmpty)
        {
            output.U32((uint)values.Length);
            foreach (var (value, priority) in values)
            {
                output.U32(priority);
                output.String(value);
            }

            word |= FlagValues;
        }

        return word;
    }

    /// <summary>A big-endian writer into an array of the measured size (strings are 7-bit, checked on insertion).</summary>
    private sealed class Output(int size)
    {
        public byte[] Bytes { get; } = new byte[size];
        public int Length { get; private set; }

        public void Byte(byte value) => Bytes[Length++] = value;

        public void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(Bytes.AsSpan(Length), value);
            Length += 4;
        }

        public void String(string text)
        {
            Length += System.Text.Encoding.Latin1.GetBytes(text, Bytes.AsSpan(Length));
            Bytes[Length++] = 0;
        }
    }

    private static void CheckString(string text)
    {
        if (System.Text.Ascii.IsValid(text) && !text.Contains('\0'))
        {
            return;
        }

        foreach (char c in text)
        {
            if (c >= 128 || c == '\0')
            {
                throw new ArgumentException($"Module index: bad character '{c}'=0x{(int)c:x} - only 7-bit ASCII is supported:\n{text}");
            }
        }
    }

    private sealed class Node(string prefix)
    {
        // Children sorted by character, in arrays grown by doubling; most nodes have one or two, so no 128-entry table.
        private char[] _keys = [];
        private Node[] _children = [];
        private int _count;

        public string Prefix { get; private set; } = prefix;
        public int First => _count == 0 ? 128 : _keys[0];
        public int Last => _count == 0 ? 0 : _keys[_count - 1];
        // Most keys hold one value: an array grown by doubling, no list per node.
        private (string Value, uint Priority)[] _values = [];
        private int _valueCount;

        public ReadOnlySpan<(string Value, uint Priority)> Values => _values.AsSpan(0, _valueCount);
        public bool HasChildren => _count > 0;

        public int ChildCount => _count;

        public char KeyAt(int i) => _keys[i];

        public Node ChildAt(int i) => _children[i];

        public Node? Child(char c)
        {
            int at = _keys.AsSpan(0, _count).IndexOf(c);
            return at >= 0 ? _children[at] : null;
        }

        public void SetChild(char c, Node child)
        {
            if (_count == _keys.Length)
            {
                int capacity = Math.Max(2, _count * 2);
                Array.Resize(ref _keys, capacity);
                Array.Resize(ref _children, capacity);
            }

            int at = _count;
            while (at > 0 && _keys[at - 1] > c)
            {
                _keys[at] = _keys[at - 1];
                _children[at] = _children[at - 1];
                at--;
            }

            _keys[at] = c;
            _children[at] = child;
            _count++;
        }

        /// <summary>Keeps Prefix[..at] here and moves everything else into a child at Prefix[at].</summary>
        public void SplitAt(int at)
        {
            var moved = new Node(Prefix[(at + 1)..]) { _keys = _keys, _children = _children, _count = _count, _values = _values, _valueCount = _valueCount };
            char c = Prefix[at];
            Prefix = Prefix[..at];
            _keys = [c, '\0'];
            _children = [moved, null!];
            _count = 1;
            _values = [];
            _valueCount = 0;
        }

        /// <summary>Inserts before the first value of equal or higher priority, as kmod does.</summary>
        public bool AddValue(string value, uint priority)
        {
            bool duplicate = false;
            foreach (var (existing, _) in Values)
            {
                duplicate |= existing == value;
            }

            int at = 0;
            while (at < _valueCount && _values[at].Priority < priority)
            {
                at++;
            }

            if (_valueCount == _values.Length)
            {
                Array.Resize(ref _values, Math.Max(1, _valueCount * 2));
            }

            Array.Copy(_values, at, _values, at + 1, _valueCount - at);
            _values[at] = (value, priority);
            _valueCount++;
            return duplicate;
        }
    }
}
