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

    /// <summary>Serialises the index.</summary>
    public byte[] ToArray()
    {
        var output = new Output();
        output.U32(Magic);
        output.U32(Version);
        output.U32(0);
        uint root = WriteNode(_root, output);
        var bytes = output.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), root);
        return bytes;
    }

    private static uint WriteNode(Node node, Output output)
    {
        uint[]? childWords = null;
        if (node.HasChildren)
        {
            childWords = new uint[node.Last - node.First + 1];
            foreach (var (c, child) in node.Children)
            {
                childWords[c - node.First] = WriteNode(child, output);
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

        if (node.Values is { Count: > 0 } values)
        {
            output.U32((uint)values.Count);
            foreach (var (value, priority) in values)
            {
                output.U32(priority);
                output.String(value);
            }

            word |= FlagValues;
        }

        return word;
    }

    /// <summary>A growing big-endian byte buffer (strings are 7-bit, checked on insertion).</summary>
    private sealed class Output
    {
        private byte[] _bytes = new byte[1 << 16];

        public int Length { get; private set; }

        public void Byte(byte value)
        {
            Reserve(1);
            _bytes[Length++] = value;
        }

        public void U32(uint value)
        {
            Reserve(4);
            BinaryPrimitives.WriteUInt32BigEndian(_bytes.AsSpan(Length), value);
            Length += 4;
        }

        public void String(string text)
        {
            Reserve(text.Length + 1);
            Length += System.Text.Encoding.Latin1.GetBytes(text, _bytes.AsSpan(Length));
            _bytes[Length++] = 0;
        }

        public byte[] ToArray() => _bytes.AsSpan(0, Length).ToArray();

        private void Reserve(int count)
        {
            if (Length + count > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + count));
            }
        }
    }

    private static void CheckString(string text)
    {
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
        // Children sorted by character; most nodes have one or two, so no 128-entry table per node.
        private char[] _keys = [];
        private Node[] _children = [];

        public string Prefix { get; private set; } = prefix;
        public int First => _keys.Length == 0 ? 128 : _keys[0];
        public int Last => _keys.Length == 0 ? 0 : _keys[^1];
        public List<(string Value, uint Priority)>? Values { get; private set; }
        public bool HasChildren => _keys.Length > 0;

        public IEnumerable<(char Key, Node Child)> Children => _keys.Zip(_children);

        public Node? Child(char c)
        {
            int at = Array.BinarySearch(_keys, c);
            return at >= 0 ? _children[at] : null;
        }

        public void SetChild(char c, Node child)
        {
            int at = ~Array.BinarySearch(_keys, c);
            _keys = [.. _keys.AsSpan(0, at), c, .. _keys.AsSpan(at)];
            _children = [.. _children.AsSpan(0, at), child, .. _children.AsSpan(at)];
        }

        /// <summary>Keeps Prefix[..at] here and moves everything else into a child at Prefix[at].</summary>
        public void SplitAt(int at)
        {
            var moved = new Node(Prefix[(at + 1)..]) { _keys = _keys, _children = _children, Values = Values };
            char c = Prefix[at];
            Prefix = Prefix[..at];
            _keys = [c];
            _children = [moved];
            Values = null;
        }

        /// <summary>Inserts before the first value of equal or higher priority, as kmod does.</summary>
        public bool AddValue(string value, uint priority)
        {
            Values ??= [];
            bool duplicate = Values.Exists(v => v.Value == value);
            int at = 0;
            while (at < Values.Count && Values[at].Priority < priority)
            {
                at++;
            }

            Values.Insert(at, (value, priority));
            return duplicate;
        }
    }
}
