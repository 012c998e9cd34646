using System.CommandLine;
using System.Globalization;
using LkmKit.Cli.Output;
using LkmKit.Formats;
using LkmKit.Linker.Loading;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm load --state STATE.json [--force] [--force-vermagic] [--force-modversion] [--dry-run] [--json] NAME|ALIAS|PATH...</c>:
/// loads modules and what they need into a model kernel with that kernel's checks.
/// </summary>
public static class LoadCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var state = StateOption();
        var force = new Option<bool>("--force", "-f") { Description = "Force the load as the OS's tool does (Linux: ignore vermagic and modversions; NetBSD: modload -f)." };
        var forceVermagic = new Option<bool>("--force-vermagic") { Description = "Linux: ignore the version magic (taint F)." };
        var forceModversion = new Option<bool>("--force-modversion") { Description = "Linux: ignore symbol versions (taint F)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check and link, but do not write the state." };
        var json = new Option<bool>("--json") { Description = "One JSON object per event per line." };
        var modules = new Argument<string[]>("MODULE") { Description = "Module names, aliases or paths.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("load", CommandHelp.Describe("Load modules into a model kernel with that kernel's rules, in its order.", "lkm load --state /tmp/kernel.json ext4"))
        {
            state, force, forceVermagic, forceModversion, dryRun, json, modules,
        };
        command.SetAction(result =>
        {
            var options = new LoadOptions { Force = result.GetValue(force), ForceVermagic = result.GetValue(forceVermagic), ForceModversion = result.GetValue(forceModversion) };
            return Run(result.GetValue(state)!, result.GetValue(json), result.GetValue(dryRun), stdout, stderr,
                kernel => kernel.Load(result.GetValue(modules) ?? [], options));
        });
        return command;
    }

    /// <summary>The <c>--state</c> option every model-kernel command takes.</summary>
    internal static Option<string> StateOption() => new("--state") { Description = "The model kernel's state file (lkm kernel new).", Required = true };

    /// <summary>Opens the state, runs <paramref name="action"/>, prints its events and writes the state when it changed.</summary>
    internal static int Run(string statePath, bool json, bool dryRun, TextWriter stdout, TextWriter stderr, Func<ModelKernel, IEnumerable<LoadEvent>> action)
    {
        try
        {
            using var kernel = ModelKernel.Open(statePath);
            bool refused = false;
            var notesSeen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in action(kernel))
            {
                refused |= e.Refused;
                stdout.Write(json ? Json(e) : Text(e, notesSeen) + Environment.NewLine);
            }

            if (!json && kernel.Changed)
            {
                foreach (var note in kernel.Simplifications)
                {
                    stdout.WriteLine(note);
                }
            }

            if (kernel.Changed && !dryRun)
            {
                kernel.Save(statePath);
            }

            return refused ? 1 : 0;
        }
        catch (Exception e) when (e is LoaderException or IOException or UnauthorizedAccessException or ModuleFormatException)
        {
            stdout.Flush();
            stderr.WriteLine($"lkm: {e.Message}");
            return 2;
        }
    }

    private static string Text(LoadEvent e, HashSet<string> notesSeen)
    {
        var lines = new List<string>();
        foreach (var note in e.Notes)
        {
            // Model notes repeat for every module; print each once per command.
            if (!note.StartsWith("model:", StringComparison.Ordinal) || notesSeen.Add(note))
            {
                lines.Add("  " + note);
            }
        }

        lines.Add(e.Result switch
        {
            "refused" => $"{e.Event} {e.Module}: refused: {e.Errno}: {e.Message}",
            "already-loaded" => $"{e.Event} {e.Module}: already loaded",
            _ => $"{e.Event} {e.Module}: {e.Result} {e.Path} at 0x{e.Address:x} size {e.Size}{(e.Taint is null ? "" : $" taint {e.Taint}")}",
        });
        return string.Join(Environment.NewLine, lines);
    }

    private static string Json(LoadEvent e) => ModuleJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("event", e.Event);
        w.WriteString("module", e.Module);
        if (e.Path is not null)
        {
            w.WriteString("path", e.Path);
        }

        w.WriteString("result", e.Result);
        if (e.Address is { } address)
        {
            w.WriteString("address", "0x" + address.ToString("x", CultureInfo.InvariantCulture));
        }

        if (e.Size is { } size)
        {
            w.WriteNumber("size", size);
        }

        if (e.Errno is not null)
        {
            w.WriteString("errno", e.Errno);
            w.WriteString("message", e.Message);
        }

        if (e.Taint is not null)
        {
            w.WriteString("taint", e.Taint);
        }

        if (e.Notes.Count > 0)
        {
            ModuleJson.WriteStrings(w, "notes", e.Notes);
        }

        w.WriteEndObject();
    });
}
