using System.Buffers.Binary;
using System.Text;
using LkmKit.Formats;
using LkmKit.Formats.Text;

namespace LkmKit.Linker.Indexing;

/// <summary>One value stored under a key of a kmod index, with its priority (lower comes first).</summary>
/// <param name="Value">The stored string.</param>
/// <param name="Priority">The priority; depmod stores the module's position in the module order.</param>
internal readonly record struct KmodIndexValue(string Value, uint Priority);

/// <summary>
/// A kmod binary index (<c>modules.dep.bin</c>, <c>modules.alias.bin</c>, <c>modules.symbols.bin</c>,
/// <c>modules.builtin.bin</c>, <c>modules.builtin.alias.bin</c>) read from memory, as written by depmod (any
/// version: offsets are absolute, so post-order and pre-order files read alike). Every offset is checked against
/// the file length; a malformed file throws <see cref="ModuleFormatException"/>.
/// </summary>
internal sealed class KmodIndex
{
    private const int MaxDepth = 4096;
    private readonly byte[] _data;
    private readonly string _path;
    private readonly uint _root;

    private KmodIndex(byte[] data, string path)
    {
        _data = data;
        _path = path;
        if (data.Length < KmodIndexWriter.HeaderSize)
        {
            throw new ModuleFormatException(path, 0, "index header", $"file of {data.Length} bytes is shorter than the 12-byte header");
        }

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (magic != KmodIndexWriter.Magic)
        {
            throw new ModuleFormatException(path, 0, "index header", $"magic 0x{magic:x8} is not 0xb007f457");
        }

        uint version = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4));
        if (version >> 16 != KmodIndexWriter.Version >> 16)
        {
            throw new ModuleFormatException(path, 4, "index header", $"version 0x{version:x8}: only major version 2 is supported");
        }

        _root = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8));
    }

    /// <summary>Reads the index file at <paramref name="path"/>.</summary>
    /// <exception cref="ModuleFormatException">The file is not a kmod index.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static KmodIndex Open(string path) => new(File.ReadAllBytes(path), path);

    /// <summary>Reads an index held in memory; <paramref name="path"/> names it in error messages.</summary>
    /// <exception cref="ModuleFormatException">The bytes are not a kmod index.</exception>
    public static KmodIndex FromBytes(byte[] data, string path) => new(data, path);

    /// <summary>The values stored under exactly <paramref name="key"/>, by ascending priority; empty when absent.</summary>
    public IReadOnlyList<KmodIndexValue> Lookup(string key)
    {
        uint word = _root;
        int i = 0;
        for (int depth = 0; depth < MaxDepth && word != 0; depth++)
        {
            var node = ReadNode(word);
            foreach (byte ch in node.Prefix)
            {
                if (i >= key.Length || key[i] != ch)
                {
                    return [];
                }

                i++;
            }

            if (i == key.Length)
            {
                return node.Values;
            }

            word = node.ChildWord(key[i]);
            i++;
        }

        return [];
    }

    /// <summary>
    /// The values of every stored key that matches <paramref name="key"/>, where stored keys are fnmatch patterns
    /// (<c>*</c>, <c>?</c>, <c>[…]</c>), as modprobe searches <c>modules.alias.bin</c>: by ascending priority,
    /// a later-found value before an earlier one of the same priority.
    /// </summary>
    public IReadOnlyList<KmodIndexValue> LookupWildcard(string key)
    {
        var found = new List<KmodIndexValue>();
        var pattern = new StringBuilder();
        uint word = _root;
        int i = 0;
        for (int depth = 0; depth < MaxDepth && word != 0; depth++)
        {
            var node = ReadNode(word);
            for (int j = 0; j < node.Prefix.Length; j++)
            {
                byte ch = node.Prefix[j];
                if (ch is (byte)'*' or (byte)'?' or (byte)'[')
                {
                    CollectMatching(node, j, pattern, key[Math.Min(i + j, key.Length)..], found, depth);
                    return found;
                }

                if (i + j >= key.Length || key[i + j] != ch)
                {
                    return found;
                }
            }

            i += node.Prefix.Length;
            foreach (char wild in "*?[")
            {
                uint child = node.ChildWord(wild);
                if (child != 0)
                {
                    pattern.Append(wild);
                    CollectMatching(ReadNode(child), 0, pattern, key[i..], found, depth + 1);
                    pattern.Length--;
                }
            }

            if (i == key.Length)
            {
                AddSorted(found, node.Values);
                return found;
            }

            word = node.ChildWord(key[i]);
            i++;
        }

        return found;
    }

    /// <summary>Every key and value in the index, keys in ascending byte order, values in stored order.</summary>
    public IEnumerable<KeyValuePair<string, KmodIndexValue>> Entries()
    {
        var results = new List<KeyValuePair<string, KmodIndexValue>>();
        if (_root != 0)
        {
            Walk(_root, new StringBuilder(), results, 0);
        }

        return results;
    }

    private void Walk(uint word, StringBuilder key, List<KeyValuePair<string, KmodIndexValue>> results, int depth)
    {
        CheckDepth(depth, word);
        var node = ReadNode(word);
        int length = key.Length;
        foreach (byte b in node.Prefix)
        {
            key.Append((char)b);
        }

        foreach (var value in node.Values)
        {
            results.Add(new(key.ToString(), value));
        }

        for (int c = node.First; c <= node.Last && node.HasChildren; c++)
        {
            uint child = node.ChildWord((char)c);
            if (child != 0)
            {
                key.Append((char)c);
                Walk(child, key, results, depth + 1);
                key.Length--;
            }
        }

        key.Length = length;
    }

    private void CollectMatching(Node node, int from, StringBuilder pattern, string subkey, List<KmodIndexValue> found, int depth)
    {
        CheckDepth(depth, 0);
        int pushed = node.Prefix.Length - from;
        for (int j = from; j < node.Prefix.Length; j++)
        {
            pattern.Append((char)node.Prefix[j]);
        }

        for (int c = node.First; c <= node.Last && node.HasChildren; c++)
        {
            uint child = node.ChildWord((char)c);
            if (child != 0)
            {
                pattern.Append((char)c);
                CollectMatching(ReadNode(child), 0, pattern, subkey, found, depth + 1);
                pattern.Length--;
            }
        }

        if (node.Values.Count > 0 && Fnmatch.Matches(pattern.ToString(), subkey))
        {
            AddSorted(found, node.Values);
        }

        pattern.Length -= pushed;
    }

    private static void AddSorted(List<KmodIndexValue> found, IReadOnlyList<KmodIndexValue> values)
    {
        foreach (var value in values)
        {
            int at = 0;
            while (at < found.Count && found[at].Priority < value.Priority)
            {
                at++;
            }

            found.Insert(at, value);
        }
    }

    private void CheckDepth(int depth, uint word)
    {
        if (depth >= MaxDepth)
        {
            throw new ModuleFormatException(_path, word & KmodIndexWriter.OffsetMask, "index node", $"trie deeper than {MaxDepth} nodes (a loop?)");
        }
    }

    private Node ReadNode(uint word)
    {
        int offset = (int)(word & KmodIndexWriter.OffsetMask);
        int at = offset;
        ReadOnlySpan<byte> prefix = [];
        if ((word & KmodIndexWriter.FlagPrefix) != 0)
        {
            prefix = CString.Read(Remaining(at, "index node prefix"), _path, at, "index node prefix", "prefix is not NUL-terminated");
            at += prefix.Length + 1;
        }

        int first = 128, last = 0, childAt = 0;
        if ((word & KmodIndexWriter.FlagChilds) != 0)
        {
            var span = Remaining(at, "index node children");
            if (span.Length < 2)
            {
                throw new ModuleFormatException(_path, at, "index node children", "truncated child range");
            }

            first = span[0];
            last = span[1];
            if (last < first || last >= 128)
            {
                throw new ModuleFormatException(_path, at, "index node children", $"bad child range {first}..{last}");
            }

            childAt = at + 2;
            at = childAt + 4 * (last - first + 1);
            if (at > _data.Length)
            {
                throw new ModuleFormatException(_path, childAt, "index node children", "child table runs past the end of the file");
            }
        }

        IReadOnlyList<KmodIndexValue> values = [];
        if ((word & KmodIndexWriter.FlagValues) != 0)
        {
            values = ReadValues(at);
        }

        return new Node(this, prefix.ToArray(), first, last, childAt, values);
    }

    private List<KmodIndexValue> ReadValues(int at)
    {
        var span = Remaining(at, "index node values");
        if (span.Length < 4)
        {
            throw new ModuleFormatException(_path, at, "index node values", "truncated value count");
        }

        uint count = BinaryPrimitives.ReadUInt32BigEndian(span);
        if (count > (uint)(span.Length - 4) / 5)
        {
            throw new ModuleFormatException(_path, at, "index node values", $"{count} values cannot fit in the rest of the file");
        }

        var values = new List<KmodIndexValue>((int)count);
        at += 4;
        for (uint v = 0; v < count; v++)
        {
            var rest = Remaining(at, "index value");
            if (rest.Length < 4 || !CString.TryRead(rest[4..], out var value))
            {
                throw new ModuleFormatException(_path, at, "index value", "value is truncated or not NUL-terminated");
            }

            values.Add(new KmodIndexValue(Encoding.Latin1.GetString(value), BinaryPrimitives.ReadUInt32BigEndian(rest)));
            at += 4 + value.Length + 1;
        }

        return values;
    }

    private ReadOnlySpan<byte> Remaining(int at, string structure)
    {
        if (at < 0 || at > _data.Length)
        {
            throw new ModuleFormatException(_path, at, structure, $"offset 0x{at:x} is past the end of the {_data.Length}-byte file");
        }

        return _data.AsSpan(at);
    }

    private readonly struct Node(KmodIndex index, byte[] prefix, int first, int last, int childAt, IReadOnlyList<KmodIndexValue> values)
    {
        public byte[] Prefix { get; } = prefix;
        public int First { get; } = first;
        public int Last { get; } = last;
        public bool HasChildren => First < 128;
        public IReadOnlyList<KmodIndexValue> Values { get; } = values;

        public uint ChildWord(char c) => c < First || c > Last || !HasChildren
            ? 0
            : BinaryPrimitives.ReadUInt32BigEndian(index._data.AsSpan(childAt + 4 * (c - First)));
    }
}
