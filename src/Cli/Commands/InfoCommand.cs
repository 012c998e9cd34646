using System.CommandLine;
using LkmKit.Cli.Output;

namespace LkmKit.Cli.Commands;

/// <summary><c>lkm info [--json] [-F FIELD] PATH...</c>: modinfo-compatible module information.</summary>
public static class InfoCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object per module per line (JSON Lines)." };
        var field = new Option<string?>("--field", "-F") { Description = "Print only the values of FIELD, one per line, like modinfo -F." };
        var os = new Option<string?>("--os")
        {
            Description = "The system a legacy a.out LKM was built for, which fixes how its lkm_type is numbered: "
                + string.Join(", ", Formats.Flavors.Lkm.LkmTypes.All.Select(Formats.Flavors.Lkm.LkmTypes.OsName))
                + ". Without it the type is read only where the file decides it.",
        };
        os.AcceptOnlyFromAmong([.. Formats.Flavors.Lkm.LkmTypes.All.Select(Formats.Flavors.Lkm.LkmTypes.OsName)]);
        var paths = new Argument<string[]>("PATH") { Description = "Module files or directories (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("info", CommandHelp.Describe("Show module metadata; for Linux modules field-for-field what kmod's modinfo prints.",
            "lkm info /lib/modules/$(uname -r)/kernel/fs/ext4/ext4.ko.xz")) { json, field, os, paths };
        command.SetAction(result =>
        {
            bool asJson = result.GetValue(json);
            string? only = result.GetValue(field);
            Func<string, Formats.Model.KernelModule, string> render = asJson ? ModuleJson.Render
                : only is not null ? (p, m) => ModinfoText.RenderField(p, m, only)
                : ModinfoText.Render;
            // modinfo's view touches a few pages of each file: map all but the small ones instead of copying them whole.
            var options = Formats.ModuleReadOptions.Default with { MapAbove = 64 << 10 };
            if (result.GetValue(os) is { } osName && Formats.Flavors.Lkm.LkmTypes.TryParseOs(osName, out var system))
            {
                options = options with { LkmOperatingSystem = system };
            }

            using var progress = ProgressReporter.Create(stderr, "lkm info", forPeople: !asJson);
            return BatchOutput.Write(result.GetValue(paths) ?? [], render, asJson, stdout, stderr, options, progress);
        });
        return command;
    }
}
