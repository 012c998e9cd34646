using System.Globalization;
using System.Text;

namespace LkmKit.Fuzz;

/// <summary>One input that broke a rule: an exception other than the documented ones, too slow, or too much memory.</summary>
/// <param name="Kind">exception, slow or memory.</param>
/// <param name="Signature">What makes two findings the same bug (exception type and throwing method; or kind and seed).</param>
/// <param name="SeedName">The fixture the input was mutated from.</param>
/// <param name="Input">The input's number in the run.</param>
/// <param name="Bytes">The input.</param>
/// <param name="Message">What happened.</param>
internal sealed record Finding(string Kind, string Signature, string SeedName, long Input, byte[] Bytes, string Message);

/// <summary>The figures of a run.</summary>
internal sealed class FuzzReport
{
    /// <summary>Inputs run.</summary>
    public long Inputs { get; set; }
    /// <summary>Inputs read without error.</summary>
    public long Read { get; set; }
    /// <summary>Inputs refused with <c>ModuleFormatException</c>.</summary>
    public long Refused { get; set; }
    /// <summary>Inputs linked, and refused by the linker with <c>LinkException</c>.</summary>
    public long Linked { get; set; }
    /// <summary>Inputs the linker refused (LinkException).</summary>
    public long LinkRefused { get; set; }
    /// <summary>Every exception seen, by type (the documented ones included).</summary>
    public SortedDictionary<string, long> ExceptionsByType { get; } = new(StringComparer.Ordinal);
    /// <summary>The slowest input (time, fixture, number).</summary>
    public (double Milliseconds, string Seed, long Input) Slowest { get; set; }
    /// <summary>The largest allocation per input as a multiple of the input's size.</summary>
    public (double Ratio, long Bytes, string Seed, long Input) MostAllocating { get; set; }
    /// <summary>The first input of each signature (the smallest one is kept).</summary>
    public SortedDictionary<string, Finding> Findings { get; } = new(StringComparer.Ordinal);
    /// <summary>How many inputs broke a rule, signatures counted once per input.</summary>
    public long FindingCount { get; set; }
    /// <summary>Wall time of the run.</summary>
    public TimeSpan Elapsed { get; set; }
    /// <summary>The process's peak resident memory (VmHWM), in bytes.</summary>
    public long PeakResidentBytes { get; set; }

    /// <summary>A human summary.</summary>
    public string Summarise(ulong seed, int seeds)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"seed 0x{seed:x}, {seeds} fixtures, {Inputs} inputs in {Elapsed.TotalSeconds:F1} s ({Inputs / Math.Max(Elapsed.TotalSeconds, 1e-9):F0}/s)\n");
        text.Append(c, $"read {Read}, refused (ModuleFormatException) {Refused}, linked {Linked}, link refused (LinkException) {LinkRefused}\n");
        foreach (var (type, count) in ExceptionsByType)
        {
            text.Append(c, $"  {type}: {count}\n");
        }

        text.Append(c, $"slowest input: {Slowest.Milliseconds:F1} ms of CPU (#{Slowest.Input}, from {Slowest.Seed})\n");
        text.Append(c, $"most allocating input: {MostAllocating.Bytes} bytes = {MostAllocating.Ratio:F1} x its size (#{MostAllocating.Input}, from {MostAllocating.Seed})\n");
        text.Append(c, $"peak resident memory: {PeakResidentBytes / (1 << 20)} MiB\n");
        text.Append(c, $"findings: {FindingCount} inputs, {Findings.Count} distinct\n");
        foreach (var finding in Findings.Values)
        {
            text.Append(c, $"  [{finding.Kind}] {finding.Signature}: #{finding.Input} from {finding.SeedName}, {finding.Bytes.Length} bytes: {FirstLine(finding.Message)}\n");
        }

        return text.ToString();
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
