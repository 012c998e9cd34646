using System.Collections;

namespace LkmKit.Formats.Model;

/// <summary>A read-only list built on first use, so that readers do not materialise tables nobody asks for.</summary>
/// <typeparam name="T">Element type.</typeparam>
internal sealed class LazyList<T> : IReadOnlyList<T>
{
    private readonly Lazy<IReadOnlyList<T>> _items;

    /// <summary>Creates a list whose items are produced by <paramref name="factory"/> on first access.</summary>
    public LazyList(Func<IReadOnlyList<T>> factory) => _items = new Lazy<IReadOnlyList<T>>(factory);

    /// <inheritdoc />
    public T this[int index] => _items.Value[index];

    /// <inheritdoc />
    public int Count => _items.Value.Count;

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => _items.Value.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
