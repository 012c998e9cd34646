using System.CommandLine;

namespace LkmKit.Cli.Commands;

/// <summary><c>lkm unload --state STATE.json [--force] [--json] NAME...</c>: unloads modules from a model kernel with its rules.</summary>
public static class UnloadCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var state = LoadCommand.StateOption();
        var force = new Option<bool>("--force", "-f") { Description = "Force the unload (Linux: rmmod -f, taint R)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per event per line." };
        var names = new Argument<string[]>("NAME") { Description = "Loaded module names.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("unload", CommandHelp.Describe("Unload modules from a model kernel with that kernel's rules.", "lkm unload --state /tmp/kernel.json ext4")) { state, force, json, names };
        command.SetAction(result => LoadCommand.Run(result.GetValue(state)!, result.GetValue(json), false, stdout, stderr,
            kernel => kernel.Unload(result.GetValue(names) ?? [], result.GetValue(force))));
        return command;
    }
}
