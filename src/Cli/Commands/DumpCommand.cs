using System.CommandLine;
using LkmKit.Cli.Output;

namespace LkmKit.Cli.Commands;

/// <summary><c>lkm dump [--sections] [--symbols] [--relocations] [--json] FILE...</c>: the container through the model.</summary>
public static class DumpCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var sections = new Option<bool>("--sections", "-S") { Description = "Show the section table." };
        var symbols = new Option<bool>("--symbols", "-s") { Description = "Show the symbol table." };
        var relocations = new Option<bool>("--relocations", "-r") { Description = "Show every relocation." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per module per line." };
        var files = new Argument<string[]>("FILE") { Description = "Module files or directories.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("dump", CommandHelp.Describe("Show a module's sections, symbols and relocations (all three when none is chosen).",
            "lkm dump -r testdata/linux/x86_64/lkmdemo_core.ko"))
        {
            sections, symbols, relocations, json, files,
        };
        command.SetAction(result =>
        {
            var parts = new DumpParts(result.GetValue(sections), result.GetValue(symbols), result.GetValue(relocations));
            if (!parts.Sections && !parts.Symbols && !parts.Relocations)
            {
                parts = new DumpParts(true, true, true);
            }

            bool asJson = result.GetValue(json);
            return BatchOutput.Stream(result.GetValue(files) ?? [],
                asJson ? (o, p, m) => DumpJson.Write(o, p, m, parts) : (o, p, m) => DumpText.Write(o, p, m, parts), asJson, stdout, stderr);
        });
        return command;
    }
}
