using System.Text;

namespace LkmKit.TestSupport;

/// <summary>
/// Compares output with a golden file under <c>testdata/golden/</c>. Set <c>LKMKIT_UPDATE_GOLDEN=1</c> to rewrite the
/// files instead (only after checking the new output by hand or against a reference tool).
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
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual, new UTF8Encoding(false));
            return;
        }

        Xunit.Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests with {UpdateVariable}=1 to create it after checking the output");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (expected != actual)
        {
            string[] e = expected.Split('\n'), a = actual.Split('\n');
            int line = 0;
            while (line < e.Length && line < a.Length && e[line] == a[line])
            {
                line++;
            }

            Xunit.Assert.Fail($"{name} differs at line {line + 1}:\n expected: {(line < e.Length ? e[line] : "<end>")}\n actual:   {(line < a.Length ? a[line] : "<end>")}");
        }
    }
}
