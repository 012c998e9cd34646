using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.FreeBsd;

/// <summary>
/// What FreeBSD's <c>kldxref</c> does to a directory tree: every directory gets its own <c>linker.hints</c> built from
/// its <c>*.ko</c> (and dot-less) files, files before subdirectories, names in strcmp order; a file that is not a FreeBSD
/// module, or whose architecture differs from the directory's first module, is reported and skipped; a directory
/// without records gets no hints file (a stale one is removed). With <see cref="WriteHints"/> off nothing is written,
/// and the caller sees each module (as <c>kldxref -d</c> prints them).
/// </summary>
/// <param name="hintsName">The hints file's name in each directory (kldxref <c>-f</c>).</param>
/// <param name="reader">The reader used for the modules.</param>
internal sealed class KldxrefIndexer(string hintsName, ModuleReader reader)
{
    /// <summary>The name kldxref gives the hints file.</summary>
    public const string DefaultHintsName = "linker.hints";

    /// <summary>Whether each directory's hints file is written (or removed when empty); off for <c>kldxref -d</c>.</summary>
    public bool WriteHints { get; init; } = true;

    /// <summary>Called for each module read, with its path (directory + "/" + name) and its FreeBSD details, in kldxref's order.</summary>
    public Action<string, FreeBsdModuleDetails>? ModuleRead { get; init; }

    /// <summary>Called for each file or directory skipped, with the message (which names it).</summary>
    public Action<string>? Problem { get; init; }

    /// <summary>True for the file names kldxref reads: ending in <c>.ko</c>, or without a dot (like <c>kernel</c>).</summary>
    public static bool IsCandidate(string name) => !name.Contains('.', StringComparison.Ordinal) || name.EndsWith(".ko", StringComparison.Ordinal);

    /// <summary>Processes <paramref name="root"/> and every directory below it.</summary>
    public void Run(string root)
    {
        string[] files, directories;
        try
        {
            files = Directory.GetFiles(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
            directories = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Problem?.Invoke($"{root}: {e.Message}");
            return;
        }

        var hints = IndexDirectory(root, files);
        if (WriteHints)
        {
            string path = Path.Combine(root, hintsName);
            byte[] bytes = hints?.ToArray() ?? [];
            if (bytes.Length == 0)
            {
                File.Delete(path);
            }
            else
            {
                File.WriteAllBytes(path, bytes);
            }
        }

        foreach (var directory in directories)
        {
            Run(root.TrimEnd('/') + "/" + directory);
        }
    }

    private LinkerHintsWriter? IndexDirectory(string root, string[] files)
    {
        LinkerHintsWriter? writer = null;
        KernelModule? first = null;
        foreach (var name in files)
        {
            if (!IsCandidate(name) || name == hintsName)
            {
                continue;
            }

            string path = root.TrimEnd('/') + "/" + name;
            try
            {
                using var opened = reader.OpenFile(path);
                var module = opened.Modules[0];
                if (module.Details is not FreeBsdModuleDetails details)
                {
                    Problem?.Invoke($"{path}: not a FreeBSD module, skipped");
                    continue;
                }

                if (first is not null && (first.RawMachine != module.RawMachine || first.Bits != module.Bits || first.ByteOrder != module.ByteOrder))
                {
                    Problem?.Invoke($"{path} does not match architecture of {first.Path}");
                    continue;
                }

                first ??= module;
                writer ??= new LinkerHintsWriter(module.ByteOrder == ByteOrder.BigEndian);
                ModuleRead?.Invoke(path, details);
                if (WriteHints)
                {
                    writer.AddKld(name, details);
                }
            }
            catch (Exception e) when (e is ModuleFormatException or IOException or InvalidOperationException)
            {
                Problem?.Invoke(e.Message);
            }
        }

        return writer;
    }
}
