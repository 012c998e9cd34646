using System.Globalization;

namespace LkmKit.Fuzz;

/// <summary>
/// The long pass: <c>dotnet run -c Release --project tests/Fuzz -- [--seed N] [--inputs N] [--first N] [--findings DIR]</c>.
/// Prints the figures; exit code 1 when any input broke a rule (each kept under the findings directory).
/// </summary>
public static class Program
{
    /// <summary>Runs the fuzzer.</summary>
    public static int Main(string[] args)
    {
        var options = new FuzzOptions { FindingsDirectory = Path.Combine(RepoPaths.Root, "artifacts", "fuzz"), Progress = Console.Error };
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string value = args[i + 1];
            options = args[i] switch
            {
                "--seed" => options with { Seed = ParseNumber(value) },
                "--inputs" => options with { Inputs = (long)ParseNumber(value) },
                "--first" => options with { First = (long)ParseNumber(value) },
                "--findings" => options with { FindingsDirectory = value },
                _ => throw new ArgumentException($"unknown option {args[i]} (--seed, --inputs, --first, --findings)"),
            };
        }

        if (args.Length % 2 != 0)
        {
            Console.Error.WriteLine("usage: fuzz [--seed N] [--inputs N] [--first N] [--findings DIR]");
            return 2;
        }

        var seeds = Corpus.Load(RepoPaths.TestData());
        var report = new FuzzRunner(seeds, options).Run();
        Console.Write(report.Summarise(options.Seed, seeds.Count));
        return report.Findings.Count == 0 ? 0 : 1;
    }

    private static ulong ParseNumber(string text) => text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        ? ulong.Parse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
        : ulong.Parse(text, CultureInfo.InvariantCulture);
}
