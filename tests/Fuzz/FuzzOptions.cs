namespace LkmKit.Fuzz;

/// <summary>What a fuzz run does.</summary>
internal sealed record FuzzOptions
{
    /// <summary>The run's seed; input <c>i</c> of a run is the same on every machine.</summary>
    public ulong Seed { get; init; } = 0x4c6b6d4b6974;
    /// <summary>How many mutated inputs to run.</summary>
    public long Inputs { get; init; } = 1000;
    /// <summary>The first input number (to resume or replay a range).</summary>
    public long First { get; init; }
    /// <summary>An input that takes longer than this twice in a row is a finding.</summary>
    public TimeSpan SlowInput { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Allowed allocation per input: this many times the larger of the input and its decompressed size, plus <see cref="AllocationSlack"/>.</summary>
    public int AllocationFactor { get; init; } = 256;
    /// <summary>Fixed allocation allowance per input (JSON writers, string builders, the linker's tables).</summary>
    public long AllocationSlack { get; init; } = 8 << 20;
    /// <summary>The allocation allowed for an input of <paramref name="size"/> bytes (decompressed) whose image is <paramref name="linkedSize"/> bytes (the image is written twice: laid out, then as ELF).</summary>
    public long Budget(long size, long linkedSize) => size * AllocationFactor + AllocationSlack + 3 * linkedSize;

    /// <summary>Every this many inputs, a progress line and a checkpoint of the figures so far.</summary>
    public long CheckpointEvery { get; init; } = 50_000;
    /// <summary>Where findings are written (null: kept in memory only).</summary>
    public string? FindingsDirectory { get; init; }
    /// <summary>Progress lines on this writer (null: none).</summary>
    public TextWriter? Progress { get; init; }
}
