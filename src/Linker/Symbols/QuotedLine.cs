using System.Text;

namespace LkmKit.Linker.Symbols;

/// <summary>A line of a symbol file as an error message shows it: printable ASCII as is, anything else as <c>\xNN</c>, at most 80 bytes (a binary file given as a symbol file is never echoed raw).</summary>
internal static class QuotedLine
{
    private const int MaxBytes = 80;

    /// <summary>The quotable form of <paramref name="line"/>.</summary>
    public static string Of(ReadOnlySpan<byte> line)
    {
        var text = new StringBuilder(Math.Min(line.Length, MaxBytes) + 8);
        foreach (byte b in line[..Math.Min(line.Length, MaxBytes)])
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(b == '\t' ? "\\t" : b == '\\' ? "\\\\" : $"\\x{b:x2}");
            }
        }

        return line.Length > MaxBytes ? text.Append("...").ToString() : text.ToString();
    }

    /// <summary>The quotable form of a line already decoded as text.</summary>
    public static string Of(string line) => Of(Encoding.UTF8.GetBytes(line));
}
