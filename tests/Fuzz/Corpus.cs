using LkmKit.Formats;
using LkmKit.Formats.IO;

namespace LkmKit.Fuzz;

/// <summary>Finds the seeds: every committed file under testdata/ that reads as a module (content decides), every file of every kext bundle, every NetBSD <c>.prop</c>.</summary>
internal static class Corpus
{
    /// <summary>The seeds under <paramref name="testdata"/>, in ordinal order of their names (so a run is reproducible).</summary>
    public static IReadOnlyList<Seed> Load(string testdata)
    {
        var seeds = new List<Seed>();
        foreach (var file in Directory.EnumerateFiles(testdata, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetRelativePath(testdata, file);
            // golden/ holds outputs, bombs/ decompression bombs (read once by their own tests), fuzz/ the caught inputs.
            if (name.StartsWith("golden", StringComparison.Ordinal) || name.StartsWith("bombs", StringComparison.Ordinal)
                || name.StartsWith("fuzz", StringComparison.Ordinal) || new FileInfo(file).LinkTarget is not null)
            {
                continue;
            }

            if (BundleOf(file) is { } bundle)
            {
                seeds.Add(new Seed(name, File.ReadAllBytes(file), bundle, Path.GetRelativePath(bundle, file), "."));
            }
            else if (file.EndsWith(".prop", StringComparison.Ordinal) && File.Exists(Path.ChangeExtension(file, ".kmod")))
            {
                seeds.Add(new Seed(name, File.ReadAllBytes(file), Path.GetDirectoryName(file)!, Path.GetFileName(file),
                    Path.GetFileName(Path.ChangeExtension(file, ".kmod"))));
            }
            else if (ReadsAsModule(file) is { } bytes)
            {
                seeds.Add(new Seed(name, bytes));
            }
        }

        return seeds;
    }

    /// <summary>The outermost <c>*.kext</c> directory holding <paramref name="file"/>, if any.</summary>
    private static string? BundleOf(string file)
    {
        string? outermost = null;
        for (var dir = Path.GetDirectoryName(file); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (dir.EndsWith(".kext", StringComparison.Ordinal))
            {
                outermost = dir;
            }
        }

        return outermost;
    }

    private static byte[]? ReadsAsModule(string file)
    {
        var bytes = File.ReadAllBytes(file);
        if (bytes.Length == 0)
        {
            return null;
        }

        try
        {
            using var source = ModuleSource.FromMemory("seed", bytes);
            return ModuleReader.Read(source).Count > 0 ? bytes : null;
        }
        catch (ModuleFormatException)
        {
            return null;
        }
    }
}
