namespace LkmKit.Linker.Indexing;

/// <summary>
/// kmod's string hash table order (shared/hash.c): <c>hash_superfast</c> picks a bucket among a power of two,
/// entries of a bucket are kept in strcmp order, iteration walks the buckets in turn. depmod's module array and
/// its modules.symbols follow this order, so it is reproduced exactly.
/// </summary>
internal static class KmodHash
{
    /// <summary>Paul Hsieh's SuperFastHash as kmod computes it (x86: 16-bit little-endian reads, signed char).</summary>
    public static uint SuperFast(string key)
    {
        int len = key.Length;
        uint hash = (uint)len;
        int rem = len & 3;
        int at = 0;
        for (int blocks = len >> 2; blocks > 0; blocks--, at += 4)
        {
            hash += Le16(key, at);
            uint tmp = (Le16(key, at + 2) << 11) ^ hash;
            hash = (hash << 16) ^ tmp;
            hash += hash >> 11;
        }

        switch (rem)
        {
            case 3:
                hash += Le16(key, at);
                hash ^= hash << 16;
                hash ^= (uint)(byte)key[at + 2] << 18;
                hash += hash >> 11;
                break;
            case 2:
                hash += Le16(key, at);
                hash ^= hash << 11;
                hash += hash >> 17;
                break;
            case 1:
                hash += (uint)(sbyte)(byte)key[at];
                hash ^= hash << 10;
                hash += hash >> 1;
                break;
        }

        hash ^= hash << 3;
        hash += hash >> 5;
        hash ^= hash << 4;
        hash += hash >> 17;
        hash ^= hash << 25;
        hash += hash >> 6;
        return hash;
    }

    /// <summary>Orders <paramref name="items"/> (distinct keys) as iterating a kmod hash of <paramref name="buckets"/> buckets would.</summary>
    public static void SortInIterationOrder<T>(List<T> items, Func<T, string> key, int buckets)
    {
        uint mask = (uint)buckets - 1;
        var withBucket = new (uint Bucket, T Item)[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            withBucket[i] = (SuperFast(key(items[i])) & mask, items[i]);
        }

        Array.Sort(withBucket, (a, b) => a.Bucket != b.Bucket ? a.Bucket.CompareTo(b.Bucket) : string.CompareOrdinal(key(a.Item), key(b.Item)));
        for (int i = 0; i < items.Count; i++)
        {
            items[i] = withBucket[i].Item;
        }
    }

    private static uint Le16(string key, int at) => (uint)((byte)key[at] | ((byte)key[at + 1] << 8));
}
