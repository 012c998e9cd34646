using System.CommandLine;

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
        var file = new Option<string>("-f") { Description = "Name of the hints file (default linker.hints).", DefaultValueFactory = _ => "linker.hints" };
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

            new Kldxref(result.GetValue(dump), result.GetValue(file)!, stdout, stderr).Run(root);
            stdout.Flush();
            return 0;
        });
        return command;
    }
}
