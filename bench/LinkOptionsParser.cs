using System.Globalization;

namespace LkmKit.Bench;

/// <summary>Parses the <c>link</c> command's arguments.</summary>
internal static class LinkOptionsParser
{
    public static LinkBenchOptions Parse(ReadOnlySpan<string> args)
    {
        string? dir = null, kallsyms = null;
        var symbols = new List<string>();
        int iterations = 3, warmup = 1, show = 5;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "--symbols":
                    symbols.Add(BenchArgs.Value(args, ref i, a));
                    break;
                case "--kallsyms":
                    kallsyms = BenchArgs.Value(args, ref i, a);
                    break;
                case "--iterations" or "-n":
                    iterations = BenchArgs.Count(args, ref i, a, allowZero: false);
                    break;
                case "--warmup":
                    warmup = BenchArgs.Count(args, ref i, a, allowZero: true);
                    break;
                case "--show-failures":
                    show = BenchArgs.Count(args, ref i, a, allowZero: true);
                    break;
                default:
                    if (a.StartsWith('-') || dir is not null)
                    {
                        throw new UsageException(a.StartsWith('-') ? $"unknown option '{a}'" : $"more than one directory given ('{dir}', '{a}')");
                    }

                    dir = a;
                    break;
            }
        }

        if (dir is null || !Directory.Exists(dir))
        {
            throw new UsageException(dir is null ? "no directory given" : $"'{dir}' is not a directory");
        }

        if (symbols.Count == 0)
        {
            throw new UsageException("link needs at least one --symbols FILE");
        }

        return new LinkBenchOptions(dir, symbols, iterations, warmup, show, kallsyms);
    }

}

/// <summary>Option values shared by the harness commands.</summary>
internal static class BenchArgs
{
    /// <summary>The value after option <paramref name="option"/> at <paramref name="i"/>, advancing past it.</summary>
    public static string Value(ReadOnlySpan<string> args, ref int i, string option) =>
        i + 1 < args.Length ? args[++i] : throw new UsageException($"{option} needs a value");

    /// <summary>The non-negative (or positive) integer after option <paramref name="option"/>.</summary>
    public static int Count(ReadOnlySpan<string> args, ref int i, string option, bool allowZero)
    {
        string v = Value(args, ref i, option);
        return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && (n > 0 || allowZero)
            ? n
            : throw new UsageException($"{option} needs a {(allowZero ? "non-negative" : "positive")} integer, not '{v}'");
    }
}
