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
        var output = new MemoryStream();
        Span<byte> header = stackalloc byte[HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, Magic);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], Version);
        output.Write(header);
        uint root = WriteNode(_root, output);
        var bytes = output.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), root);
        return bytes;
    }

    private static uint WriteNode(Node node, MemoryStream output)
    {
        uint[]? childWords = null;
        if (node.HasChildren)
        {
            childWords = new uint[node.Last - node.First + 1];
            for (int c = node.First; c <= node.Last; c++)
            {
                var child = node.Child((char)c);
                childWords[c - node.First] = child is null ? 0 : WriteNode(child, output);
            }
        }

        uint word = checked((uint)output.Position);
        if (word > OffsetMask)
        {
            throw new InvalidOperationException("index larger than the 256 MiB its offsets can address");
        }

        Span<byte> u32 = stackalloc byte[4];
        if (node.Prefix.Length > 0)
        {
            WriteString(output, node.Prefix);
            word |= FlagPrefix;
        }

        if (childWords is not null)
        {
            output.WriteByte((byte)node.First);
            output.WriteByte((byte)node.Last);
            foreach (uint child in childWords)
            {
                BinaryPrimitives.WriteUInt32BigEndian(u32, child);
                output.Write(u32);
            }

            word |= FlagChilds;
        }

        if (node.Values is { Count: > 0 } values)
        {
            BinaryPrimitives.WriteUInt32BigEndian(u32, (uint)values.Count);
            output.Write(u32);
            foreach (var (value, priority) in values)
            {
                BinaryPrimitives.WriteUInt32BigEndian(u32, priority);
                output.Write(u32);
                WriteString(output, value);
            }

            word |= FlagValues;
        }

        return word;
    }

    private static void WriteString(MemoryStream output, string text)
    {
        foreach (char c in text)
        {
            output.WriteByte((byte)c);
        }

        output.WriteByte(0);
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
        private Node?[]? _children;

        public string Prefix { get; private set; } = prefix;
        public int First { get; private set; } = 128;
        public int Last { get; private set; }
        public List<(string Value, uint Priority)>? Values { get; private set; }
        public bool HasChildren => First < 128;

        public Node? Child(char c) => _children is null || c >= 128 ? null : _children[c];

        public void SetChild(char c, Node child)
        {
            _children ??= new Node?[128];
            _children[c] = child;
            First = Math.Min(First, c);
            Last = Math.Max(Last, c);
        }

        /// <summary>Keeps Prefix[..at] here and moves everything else into a child at Prefix[at].</summary>
        public void SplitAt(int at)
        {
            var moved = new Node(Prefix[(at + 1)..])
            {
                _children = _children, First = First, Last = Last, Values = Values,
            };
            char c = Prefix[at];
            Prefix = Prefix[..at];
            _children = null;
            First = 128;
            Last = 0;
            Values = null;
            SetChild(c, moved);
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
