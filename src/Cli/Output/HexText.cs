using System.Text;

namespace LkmKit.Cli.Output;

/// <summary>Hexadecimal renderings shared by the text views.</summary>
public static class HexText
{
    /// <summary>Upper-case hex pairs joined by ':' (e.g. <c>66:F5:4E</c>).</summary>
    public static string ColonPairs(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                text.Append(':');
            }

            text.Append(bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
