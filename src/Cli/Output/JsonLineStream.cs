using System.Buffers;
using System.Text;
using System.Text.Json;

namespace LkmKit.Cli.Output;

/// <summary>
/// One JSON line written to a <see cref="TextWriter"/> as it is produced: the writer's bytes are handed on in chunks
/// (<see cref="FlushIfLarge"/> between elements), so a module with millions of relocations never sits in memory whole.
/// </summary>
public sealed class JsonLineStream : IDisposable
{
    private const int ChunkBytes = 1 << 16;
    private readonly ArrayBufferWriter<byte> _buffer = new(ChunkBytes);
    private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
    private readonly TextWriter _output;
    private char[] _chars = new char[ChunkBytes];

    /// <summary>Starts a line on <paramref name="output"/>.</summary>
    public JsonLineStream(TextWriter output)
    {
        _output = output;
        Writer = new Utf8JsonWriter(_buffer, ModuleJson.Options);
    }

    /// <summary>The JSON writer.</summary>
    public Utf8JsonWriter Writer { get; }

    /// <summary>Hands what was written so far to the output once it is large.</summary>
    public void FlushIfLarge()
    {
        if (Writer.BytesPending >= ChunkBytes)
        {
            Drain(flush: false);
        }
    }

    /// <summary>Ends the line: the rest of the JSON and a newline.</summary>
    public void Complete()
    {
        Drain(flush: true);
        _output.Write('\n');
    }

    private void Drain(bool flush)
    {
        Writer.Flush();
        var bytes = _buffer.WrittenSpan;
        int needed = _decoder.GetCharCount(bytes, flush);
        if (needed > _chars.Length)
        {
            _chars = new char[needed];
        }

        int count = _decoder.GetChars(bytes, _chars, flush);
        _output.Write(_chars, 0, count);
        _buffer.ResetWrittenCount();
    }

    /// <inheritdoc />
    public void Dispose() => Writer.Dispose();
}
