using System.Globalization;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.Model;

namespace LkmKit.Cli;

/// <summary>
/// What FreeBSD's <c>kldxref</c> does to a directory tree: every directory gets its own <c>linker.hints</c> built from
/// its <c>*.ko</c> (and dot-less) files, files before subdirectories, names in strcmp order; a directory without
/// records gets none (a stale one is removed). With <c>dump</c> the records are printed instead.
/// </summary>
internal sealed class Kldxref(bool dump, string hintsName, TextWriter stdout, TextWriter stderr)
{
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
            stderr.WriteLine($"lkm kldxref: {root}: {e.Message}");
            return;
        }

        var writer = ProcessDirectory(root, files);
        if (!dump)
        {
            string hints = Path.Combine(root, hintsName);
            byte[] bytes = writer?.ToArray() ?? [];
            if (bytes.Length == 0)
            {
                File.Delete(hints);
            }
            else
            {
                File.WriteAllBytes(hints, bytes);
            }
        }

        foreach (var directory in directories)
        {
            Run(root.TrimEnd('/') + "/" + directory);
        }
    }

    /// <summary>True for the file names kldxref reads: ending in <c>.ko</c>, or without a dot (like <c>kernel</c>).</summary>
    public static bool IsCandidate(string name) => !name.Contains('.', StringComparison.Ordinal) || name.EndsWith(".ko", StringComparison.Ordinal);

    /// <summary>A record as <c>kldxref -d</c> prints it, or null for records it does not print.</summary>
    public static string? Describe(FreeBsdMetadataRecord record) => record.Type switch
    {
        FreeBsdMetadataType.Module => $"  module {record.Name}",
        FreeBsdMetadataType.Version when record.Version is { } v => string.Create(CultureInfo.InvariantCulture, $"  interface {record.Name}.{v}"),
        FreeBsdMetadataType.Depend when record.Depend is { } d =>
            string.Create(CultureInfo.InvariantCulture, $"  depends on {record.Name}.{d.Preferred} ({d.Minimum},{d.Maximum})"),
        FreeBsdMetadataType.PnpInfo when record.Pnp is { } p =>
            string.Create(CultureInfo.InvariantCulture, $"  pnp info for bus {record.Name} format {p.Descriptor} {p.EntryCount} entries of {p.EntryLength} bytes"),
        _ => null,
    };

    private LinkerHintsWriter? ProcessDirectory(string root, string[] files)
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
                using var opened = ModuleReader.Open(path);
                var module = opened.Modules[0];
                if (module.Details is not FreeBsdModuleDetails details)
                {
                    stderr.WriteLine($"lkm kldxref: {path}: not a FreeBSD module, skipped");
                    continue;
                }

                if (first is not null && (first.RawMachine != module.RawMachine || first.Bits != module.Bits || first.ByteOrder != module.ByteOrder))
                {
                    stderr.WriteLine($"lkm kldxref: {path} does not match architecture of {first.Path}");
                    continue;
                }

                first ??= module;
                writer ??= new LinkerHintsWriter(module.ByteOrder == ByteOrder.BigEndian);
                if (dump)
                {
                    stdout.WriteLine(path);
                    foreach (var line in LinkerHintsWriter.HintOrder(details).Select(Describe).OfType<string>())
                    {
                        stdout.WriteLine(line);
                    }
                }
                else
                {
                    writer.AddKld(name, details);
                }
            }
            catch (Exception e) when (e is Formats.ModuleFormatException or IOException or InvalidOperationException)
            {
                stderr.WriteLine($"lkm kldxref: {e.Message}");
            }
        }

        return writer;
    }
}
