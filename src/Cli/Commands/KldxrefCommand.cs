using System.CommandLine;
using System.Globalization;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.FreeBsd;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm kldxref [-d] [-f FILE] DIR</c>: writes <c>linker.hints</c> for the FreeBSD modules of a directory tree as
/// FreeBSD's <c>kldxref</c> does (same files, order and bytes); <c>-d</c> prints the records instead.
/// </summary>
public static class KldxrefCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dump = new Option<bool>("-d") { Description = "Do not write hints files; print the records on stdout." };
        var file = new Option<string>("-f") { Description = "Name of the hints file (default linker.hints).", DefaultValueFactory = _ => KldxrefIndexer.DefaultHintsName };
        var directory = new Argument<string>("DIR") { Description = "Directory of FreeBSD modules (*.ko and dot-less files); subdirectories get their own file." };
        var command = new Command("kldxref", CommandHelp.Describe("Build FreeBSD linker.hints for a directory of modules (like kldxref).",
            "lkm kldxref -d testdata/freebsd/amd64")) { dump, file, directory };
        command.SetAction(result =>
        {
            string root = result.GetValue(directory)!;
            if (!Directory.Exists(root))
            {
                stderr.WriteLine($"lkm kldxref: {root}: not a directory");
                return 1;
            }

            bool print = result.GetValue(dump);
            new KldxrefIndexer(result.GetValue(file)!, ModuleReader.Default)
            {
                WriteHints = !print,
                ModuleRead = print ? (path, details) => Print(stdout, path, details) : null,
                Problem = message => stderr.WriteLine($"lkm kldxref: {message}"),
            }.Run(root);
            stdout.Flush();
            return 0;
        });
        return command;
    }

    /// <summary>Prints a module and its records as <c>kldxref -d</c> does.</summary>
    private static void Print(TextWriter stdout, string path, FreeBsdModuleDetails details)
    {
        stdout.WriteLine(path);
        foreach (var line in LinkerHintsWriter.HintOrder(details).Select(Describe).OfType<string>())
        {
            stdout.WriteLine(line);
        }
    }

    /// <summary>A record as <c>kldxref -d</c> prints it, or null for records it does not print.</summary>
    private static string? Describe(FreeBsdMetadataRecord record) => record.Type switch
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
