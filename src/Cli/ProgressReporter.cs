using System.Diagnostics;

namespace LkmKit.Cli;

/// <summary>
/// Progress of a long run on stderr ("lkm info: 1200/4023 modules"), redrawn in place at most ten times a second and
/// cleared at the end. It shows only when stderr is a terminal and the output is for people (not <c>--json</c>), so
/// pipes, logs and machines see nothing extra. Commands create one with <see cref="Create"/>, call
/// <see cref="Advance"/> per item and dispose it when done.
/// </summary>
public sealed class ProgressReporter : IDisposable
{
    private readonly TextWriter? _terminal;
    private readonly string _label;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = long.MinValue;
    private int _done;
    private int _width;

    private ProgressReporter(TextWriter? terminal, string label)
    {
        _terminal = terminal;
        _label = label;
    }

    /// <summary>
    /// A reporter for <paramref name="label"/> writing to <paramref name="stderr"/>; silent unless stderr is the
    /// process's own, a terminal, and <paramref name="forPeople"/> is true.
    /// </summary>
    public static ProgressReporter Create(TextWriter stderr, string label, bool forPeople) =>
        new(forPeople && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected ? stderr : null, label);

    /// <summary>True when progress is being drawn.</summary>
    public bool Visible => _terminal is not null;

    /// <summary>Counts one finished item out of <paramref name="total"/> (0 when unknown) and redraws when due.</summary>
    public void Advance(int total = 0)
    {
        _done++;
        if (_terminal is null || _clock.ElapsedMilliseconds - _lastDraw < 100)
        {
            return;
        }

        _lastDraw = _clock.ElapsedMilliseconds;
        string text = total > 0 ? $"{_label}: {_done}/{total}" : $"{_label}: {_done}";
        _width = Math.Max(_width, text.Length);
        _terminal.Write($"\r{text.PadRight(_width)}");
        _terminal.Flush();
    }

    /// <summary>Clears the progress line.</summary>
    public void Dispose()
    {
        if (_terminal is not null && _width > 0)
        {
            _terminal.Write($"\r{new string(' ', _width)}\r");
            _terminal.Flush();
        }
    }
}
