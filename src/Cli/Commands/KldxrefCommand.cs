using System.CommandLine;
using System.Globalization;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.FreeBsd;
using LkmKit.Formats.Model;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm kldxref [-d] [-f FILE] DIR</c>: writes <c>DIR/linker.hints</c> for the FreeBSD modules in a directory as
/// FreeBSD's <c>kldxref</c> does (same files, order and bytes); <c>-d</c> prints the records instead.
/// </summary>
public static class KldxrefCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dump = new Option<bool>("-d") { Description = "Do not write a hints file; print the records on stdout." };
        var file = new Option<string>("-f") { Description = "Name of the hints file (default linker.hints).", DefaultValueFactory = _ => "linker.hints" };
        var directory = new Argument<string>("DIR") { Description = "Directory of FreeBSD modules (*.ko and dot-less files)." };
        var command = new Command("kldxref", "Build FreeBSD linker.hints for a directory of modules (like kldxref).") { dump, file, directory };
        command.SetAction(result => Run(result.GetValue(directory)!, result.GetValue(dump), result.GetValue(file)!, stdout, stderr));
        return command;
    }

    /// <summary>The files kldxref reads in <paramref name="directory"/>: names ending <c>.ko</c> or without a dot, in strcmp order.</summary>
    public static IEnumerable<string> Candidates(string directory) =>
        Directory.EnumerateFiles(directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.Contains('.', StringComparison.Ordinal) || name.EndsWith(".ko", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static int Run(string directory, bool dump, string hintsName, TextWriter stdout, TextWriter stderr)
    {
        if (!Directory.Exists(directory))
        {
            stderr.WriteLine($"lkm kldxref: {directory}: not a directory");
            return 1;
        }

        LinkerHintsWriter? writer = null;
        KernelModule? first = null;
        foreach (var name in Candidates(directory))
        {
            string path = directory.TrimEnd('/') + "/" + name;
            if (name == hintsName)
            {
                continue;
            }

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
                    foreach (var record in LinkerHintsWriter.HintOrder(details))
                    {
                        if (Describe(record) is { } line)
                        {
                            stdout.WriteLine(line);
                        }
                    }
                }
                else
                {
                    writer.AddKld(name, details);
                }
            }
            catch (Exception e) when (e is Formats.IO.ModuleFormatException or IOException or InvalidOperationException)
            {
                stderr.WriteLine($"lkm kldxref: {e.Message}");
            }
        }

        if (!dump)
        {
            string hints = Path.Combine(directory, hintsName);
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

        stdout.Flush();
        return 0;
    }

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
}
