using LkmKit.Formats;
using LkmKit.Formats.IO;
using LkmKit.Linker;

namespace LkmKit.Fuzz;

/// <summary>How one input ended.</summary>
internal enum Outcome
{
    /// <summary>Read, every view rendered, linked or not linkable by size.</summary>
    Read,
    /// <summary>Refused by a reader with <c>ModuleFormatException</c>.</summary>
    Refused,
    /// <summary>Read, then refused by the linker with <c>LinkException</c>.</summary>
    LinkRefused,
}

/// <summary>Runs one input: opens it (from memory, or from a scratch copy of its bundle), exercises it, classifies the end.</summary>
internal sealed class InputRunner : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"lkmkit-fuzz-{Environment.ProcessId}-{Guid.NewGuid():n}");
    private readonly Dictionary<string, string> _copies = new(StringComparer.Ordinal);

    /// <summary>The size the input's bytes came to once decompressed (0 until read).</summary>
    public long DecompressedSize { get; private set; }

    /// <summary>The size of the image the input's allocated sections declare (what linking it rightly allocates).</summary>
    public long LinkedSize { get; private set; }

    /// <summary>Runs <paramref name="bytes"/> as a mutation of <paramref name="seed"/>. Exceptions other than the documented ones propagate.</summary>
    public Outcome Run(Seed seed, byte[] bytes)
    {
        DecompressedSize = 0;
        LinkedSize = 0;
        string path = seed.OnDisk ? PrepareOnDisk(seed, bytes) : "fuzz:/" + seed.Name;
        try
        {
            using var file = seed.OnDisk ? ModuleReader.Open(path) : OpenFromMemory(path, bytes);
            ulong linked = 0; // set (by reference) before linking starts: a link refused after laying out the image still allocated it
            try
            {
                Exerciser.Exercise(path, file, out linked);
            }
            catch (LinkException)
            {
                return Outcome.LinkRefused;
            }
            finally
            {
                LinkedSize = (long)Math.Min(linked, Exerciser.MaxLinkedBytes);
            }

            return Outcome.Read;
        }
        catch (ModuleFormatException)
        {
            return Outcome.Refused;
        }
    }

    private Formats.Model.ModuleFile OpenFromMemory(string path, byte[] bytes)
    {
        var source = ModuleSource.FromMemory(path, bytes);
        DecompressedSize = source.Data.Length;
        try
        {
            return new Formats.Model.ModuleFile(path, ModuleReader.Read(source), source);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Copies the seed's directory once, writes the mutated file into the copy, returns the path to open.</summary>
    private string PrepareOnDisk(Seed seed, byte[] bytes)
    {
        if (!_copies.TryGetValue(seed.Directory!, out var copy))
        {
            copy = Path.Combine(_scratch, _copies.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.GetFileName(seed.Directory!));
            CopyDirectory(seed.Directory!, copy);
            _copies[seed.Directory!] = copy;
        }

        File.WriteAllBytes(Path.Combine(copy, seed.MutatedFile!), bytes);
        return Path.GetFullPath(Path.Combine(copy, seed.OpenPath!));
    }

    /// <summary>Puts the seed's original bytes back, so the next mutation of another file of the bundle starts from a good one.</summary>
    public void Restore(Seed seed)
    {
        if (seed.OnDisk && _copies.TryGetValue(seed.Directory!, out var copy))
        {
            File.WriteAllBytes(Path.Combine(copy, seed.MutatedFile!), seed.Bytes);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }
}
