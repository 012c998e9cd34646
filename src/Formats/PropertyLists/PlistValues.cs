namespace LkmKit.Formats.PropertyLists;

/// <summary>A plist dictionary that keeps its keys in file order.</summary>
internal sealed class PlistDictionary : Dictionary<string, object>
{
    private readonly List<string> _order = [];

    /// <summary>Creates an empty dictionary with ordinal keys.</summary>
    public PlistDictionary() : base(StringComparer.Ordinal)
    {
    }

    /// <summary>The keys in file order.</summary>
    public IReadOnlyList<string> OrderedKeys => _order;

    /// <summary>Gets or sets a value; a new key is appended to <see cref="OrderedKeys"/>.</summary>
    public new object this[string key]
    {
        get => base[key];
        set
        {
            if (!ContainsKey(key))
            {
                _order.Add(key);
            }

            base[key] = value;
        }
    }

    /// <summary>The string stored under <paramref name="key"/>, or null.</summary>
    public string? GetString(string key) => TryGetValue(key, out var v) ? v as string : null;
}

/// <summary>A plist integer: its value and its text as the file wrote it (e.g. <c>0x3f8</c>; binary plists give the decimal value).</summary>
/// <param name="Value">The value.</param>
/// <param name="Text">The text as written (trimmed).</param>
internal sealed record PlistInteger(long Value, string Text);

/// <summary>A plist data value: its bytes and its base64 text as the file wrote it (trimmed; binary plists give the canonical base64).</summary>
/// <param name="Bytes">The decoded bytes.</param>
/// <param name="Text">The base64 text.</param>
internal sealed record PlistData(byte[] Bytes, string Text);
