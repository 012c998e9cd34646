using System.Text;

namespace LkmKit.Formats.Flavors.NetBsd;

/// <summary>Splits NUL-separated strings.</summary>
internal static class NulStrings
{
    /// <summary>The non-empty NUL-separated strings of <paramref name="bytes"/> (UTF-8).</summary>
    public static IEnumerable<string> Split0(this byte[] bytes)
    {
        int start = 0;
        for (int i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == 0)
            {
                if (i > start)
                {
                    yield return Encoding.UTF8.GetString(bytes, start, i - start);
                }

                start = i + 1;
            }
        }
    }
}
