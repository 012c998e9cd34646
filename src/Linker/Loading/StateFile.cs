using System.Text.Json;
using System.Text.Json.Serialization;

namespace LkmKit.Linker.Loading;

/// <summary>Reads and writes the state file; a write goes to a temporary file renamed over the old one.</summary>
internal static class StateFile
{
    public static KernelState Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            var state = JsonSerializer.Deserialize(bytes, StateJsonContext.Default.KernelState)
                ?? throw new LoaderException($"{path}: the state file is empty");
            if (state.Format != 1)
            {
                throw new LoaderException($"{path}: state format {state.Format} is not understood (expected 1)");
            }

            return state;
        }
        catch (JsonException e)
        {
            throw new LoaderException($"{path}: not a model kernel state file: {e.Message}");
        }
    }

    public static void Write(string path, KernelState state)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, state, StateJsonContext.Default.KernelState);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(KernelState))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
