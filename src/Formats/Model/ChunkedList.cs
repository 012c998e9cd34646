using System.Collections;

namespace LkmKit.Formats.Model;

/// <summary>
/// A fixed-length list of references kept in arrays of at most 8,192 elements (64 KB), so that none of them lands on the
/// large-object heap (85,000 bytes and up).
/// </summary>
/// <remarks>
/// Why it matters: an array on the large-object heap counts as old from the start, so every young object it points to
/// survives each gen-0 and gen-1 collection until a full one finds the array dead. A module with tens of thousands of
/// symbols (amdgpu.ko has 26,033) would keep its symbols and their names alive, and have them copied, long after the
/// module was closed: in a full parse of a whole tree that was 25–30 ms of collection pauses per pass, against about
/// 2 ms with chunks (bench/README.md, seventh session). Small lists stay plain arrays (<see cref="Create"/> picks).
/// </remarks>
internal sealed class ChunkedList<T> : IReadOnlyList<T>, IChunkedList
    where T : class?
{
    private const int ChunkBits = 13;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly T[][] _chunks;

    private ChunkedList(int count)
    {
        Count = count;
        _chunks = new T[(count + ChunkSize - 1) >> ChunkBits][];
        for (int c = 0; c < _chunks.Length; c++)
        {
            _chunks[c] = new T[Math.Min(ChunkSize, count - (c << ChunkBits))];
        }
    }

    /// <summary>True when <paramref name="count"/> references fit one array below the large-object threshold.</summary>
    public static bool FitsOneArray(int count) => count <= ChunkSize;

    /// <summary>A list of <paramref name="count"/> default elements: chunked only when one array would be large.</summary>
    public static IReadOnlyList<T> Create(int count) => FitsOneArray(count) ? new T[count] : new ChunkedList<T>(count);

    /// <summary>Element <paramref name="index"/> of a list from <see cref="Create"/>, to fill it.</summary>
    public static ref T Slot(IReadOnlyList<T> list, int index) =>
        ref list is T[] array ? ref array[index] : ref ((ChunkedList<T>)list).SlotAt(index);

    /// <summary>The arrays that hold a list from <see cref="Create"/>, in order: to fill it a span at a time.</summary>
    public static IReadOnlyList<T[]> Arrays(IReadOnlyList<T> list) => list is T[] array ? [array] : ((ChunkedList<T>)list)._chunks;

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public T this[int index] => SlotAt(index);

    private ref T SlotAt(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return ref _chunks[index >> ChunkBits][index & (ChunkSize - 1)];
    }

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator()
    {
        foreach (var chunk in _chunks)
        {
            foreach (var item in chunk)
            {
                yield return item;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Marks a <see cref="ChunkedList{T}"/> for code that cannot name its element type's constraint.</summary>
internal interface IChunkedList;
