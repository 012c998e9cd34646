using System.Collections;
using System.Runtime.ExceptionServices;

namespace LkmKit.Formats.Model;

/// <summary>
/// A read-only list whose items are produced on first use, so that a reader can postpone work (and the errors of
/// malformed input) until someone asks for the items. The model's one lazy list: sections, symbols, relocation tables,
/// exports, imports, entry points and <c>__versions</c> records all use it.
/// </summary>
/// <remarks>
/// <para>Guarantees, for any number of threads reading at once:</para>
/// <list type="bullet">
/// <item>The producer runs at most once. Threads that read while it runs wait for it.</item>
/// <item>Items are published only when complete: no reader ever sees part of the list.</item>
/// <item>If the producer throws (<see cref="ModuleFormatException"/> for a malformed table, <see cref="ObjectDisposedException"/>
/// when the file was closed first), that read and every later read throw the same exception again; the list never
/// turns into an empty one, and the producer is not retried.</item>
/// </list>
/// <para>There is no way to change the items. <see cref="Defer"/> belongs to the reader that builds the module and must be
/// called before the module is handed out. The list keeps what the producer returns (an array or a list the producer
/// created for it, not one it shares).</para>
/// </remarks>
/// <typeparam name="T">Element type.</typeparam>
internal sealed class LazyList<T> : IReadOnlyList<T>
{
    private static readonly T[] Empty = [];

    private IReadOnlyList<T>? _items;
    private Func<IEnumerable<T>>? _producer;
    private ExceptionDispatchInfo? _error;
    private Lock? _gate;

    /// <summary>Creates an empty list; a reader may give it a producer with <see cref="Defer"/>.</summary>
    public LazyList() => _items = Empty;

    /// <summary>Creates a list whose items <paramref name="producer"/> makes on first use.</summary>
    public LazyList(Func<IEnumerable<T>> producer) => _producer = producer;

    /// <summary>Makes <paramref name="producer"/> produce the items on first use, in place of the empty list.</summary>
    /// <exception cref="InvalidOperationException">The list already has items or a producer.</exception>
    public void Defer(Func<IEnumerable<T>> producer)
    {
        if (!ReferenceEquals(_items, Empty) || _producer is not null)
        {
            throw new InvalidOperationException("a lazy list's items are produced once: it already has items or a producer");
        }

        _producer = producer;
        Volatile.Write(ref _items, null);
    }

    /// <summary>The produced items themselves (producing them on first use): for tests of how they are stored.</summary>
    internal IReadOnlyList<T> Items => Volatile.Read(ref _items) ?? Produce();

    private IReadOnlyList<T> Produce()
    {
        var gate = Volatile.Read(ref _gate) ?? Interlocked.CompareExchange(ref _gate, new Lock(), null) ?? _gate;
        lock (gate)
        {
            if (_items is { } items)
            {
                return items;
            }

            _error?.Throw();
            var producer = _producer ?? throw new InvalidOperationException("a lazy list's producer read the list itself");
            _producer = null;
            try
            {
                var produced = producer();
                items = produced switch
                {
                    T[] array => array,
                    List<T> list => list,
                    IChunkedList when produced is IReadOnlyList<T> chunked => chunked,
                    _ => produced.ToArray(),
                };
            }
            catch (Exception e)
            {
                _error = ExceptionDispatchInfo.Capture(e);
                throw;
            }

            Volatile.Write(ref _items, items);
            return items;
        }
    }

    /// <inheritdoc />
    public T this[int index] => Items[index];

    /// <inheritdoc />
    public int Count => Items.Count;

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => Items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
