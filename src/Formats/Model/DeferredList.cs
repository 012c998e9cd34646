using System.Collections;

namespace LkmKit.Formats.Model;

/// <summary>
/// A list whose initial items are produced on first use, so that a reader can postpone work (and the errors of
/// malformed input) until someone asks for the items. After that it behaves like <see cref="List{T}"/>.
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
public sealed class DeferredList<T> : IList<T>, IReadOnlyList<T>
{
    private readonly List<T> _items = [];
    private Func<IEnumerable<T>>? _fill;

    /// <summary>Makes <paramref name="fill"/> produce the list's first items when it is first used.</summary>
    public void Defer(Func<IEnumerable<T>> fill) => _fill = fill;

    private List<T> Items
    {
        get
        {
            if (_fill is { } fill)
            {
                _fill = null;
                _items.AddRange(fill());
            }

            return _items;
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
