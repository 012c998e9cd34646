using System.Collections;

namespace LkmKit.Formats.Model;

/// <summary>
/// A list whose initial items are produced on first use, so that a reader can postpone work (and the errors of
/// malformed input) until someone asks for the items. After that it behaves like <see cref="List{T}"/>.
/// The producer runs once even when several threads read the list at the same time; changing the list is not
/// thread-safe (a module is read-only once its reader returned it).
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
internal sealed class DeferredList<T> : IList<T>, IReadOnlyList<T>
{
    private readonly List<T> _items = [];
    private Func<IEnumerable<T>>? _fill;
    private bool _filled = true;

    /// <summary>Makes <paramref name="fill"/> produce the list's first items when it is first used.</summary>
    public void Defer(Func<IEnumerable<T>> fill)
    {
        _fill = fill;
        Volatile.Write(ref _filled, false);
    }

    private List<T> Items
    {
        get
        {
            if (!Volatile.Read(ref _filled))
            {
                Fill();
            }

            return _items;
        }
    }

    /// <summary>Runs the deferred producer once, even when several threads read the list at the same time.</summary>
    private void Fill()
    {
        lock (_items)
        {
            if (_fill is { } fill)
            {
                // Cleared first, as before: a producer that throws leaves the list empty rather than retrying.
                _fill = null;
                try
                {
                    _items.AddRange(fill());
                }
                finally
                {
                    // Published only once the items are complete, so a reader on another thread never sees half a list.
                    Volatile.Write(ref _filled, true);
                }
            }
        }
    }

    /// <inheritdoc />
    public T this[int index] { get => Items[index]; set => Items[index] = value; }
    /// <inheritdoc />
    public int Count => Items.Count;
    /// <inheritdoc />
    public bool IsReadOnly => false;
    /// <inheritdoc />
    public void Add(T item) => Items.Add(item);
    /// <inheritdoc />
    public void Clear() => Items.Clear();
    /// <inheritdoc />
    public bool Contains(T item) => Items.Contains(item);
    /// <inheritdoc />
    public void CopyTo(T[] array, int arrayIndex) => Items.CopyTo(array, arrayIndex);
    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => Items.GetEnumerator();
    /// <inheritdoc />
    public int IndexOf(T item) => Items.IndexOf(item);
    /// <inheritdoc />
    public void Insert(int index, T item) => Items.Insert(index, item);
    /// <inheritdoc />
    public bool Remove(T item) => Items.Remove(item);
    /// <inheritdoc />
    public void RemoveAt(int index) => Items.RemoveAt(index);
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
