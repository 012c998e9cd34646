using System.Text;

namespace LkmKit.TestSupport;

/// <summary>
/// Compares output with a golden file under <c>testdata/golden/</c>. Set <c>LKMKIT_UPDATE_GOLDEN=1</c> to rewrite the
/// files instead (only after checking the new output by hand or against a reference tool); the rewrite prints what
/// changed, and under CI (<c>CI=true</c>) it is refused, so that CI always compares.
/// </summary>
public static class Golden
{
    /// <summary>The environment variable that rewrites golden files.</summary>
    public const string UpdateVariable = "LKMKIT_UPDATE_GOLDEN";

    /// <summary>Asserts that <paramref name="actual"/> equals the golden file <paramref name="name"/>.</summary>
    public static void Check(string name, string actual)
    {
        string path = RepoPaths.TestData("golden", name);
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        string? expected = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal) : null;
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Xunit.Assert.False(Environment.GetEnvironmentVariable("CI") == "true",
                $"{UpdateVariable}=1 is refused under CI: golden files are rewritten by hand, after checking the new output");
            if (expected != actual)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, actual, new UTF8Encoding(false));
                Console.Error.WriteLine($"rewrote {path}:\n{Diff(expected ?? "", actual)}");
            }

            return;
        }

        Xunit.Assert.True(expected is not null, $"golden file {path} is missing; run the tests with {UpdateVariable}=1 to create it after checking the output");
        if (expected != actual)
        {
            Xunit.Assert.Fail($"{name} differs from the golden file:\n{Diff(expected!, actual)}");
        }
    }

    /// <summary>
    /// The changed lines between <paramref name="expected"/> and <paramref name="actual"/>: the common head and tail are
    /// dropped, the middle shown as <c>-</c>/<c>+</c> lines (at most 40 of each).
    /// </summary>
    internal static string Diff(string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        int head = 0;
        while (head < e.Length && head < a.Length && e[head] == a[head])
        {
            head++;
        }

        int tail = 0;
        while (tail < e.Length - head && tail < a.Length - head && e[^(tail + 1)] == a[^(tail + 1)])
        {
            tail++;
        }

        const int Shown = 40;
        var text = new StringBuilder($"@@ line {head + 1} @@\n");
        foreach (var (sign, lines) in new[] { ('-', e[head..^tail]), ('+', a[head..^tail]) })
        {
            foreach (string line in lines.Take(Shown))
            {
                text.Append(sign).Append(' ').Append(line).Append('\n');
            }

            if (lines.Length > Shown)
            {
                text.Append(sign).Append($" … {lines.Length - Shown} more lines\n");
            }
        }

        return text.ToString();
    }
}
