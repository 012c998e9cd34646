using System.CommandLine;
using System.Globalization;
using LkmKit.Formats;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;
using LkmKit.Linker;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Output;
using LkmKit.Linker.Symbols;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm link MODULE... --symbols FILE [--layout linux|bsd|sequential|kext|FILE] [--base ADDRESS] -o OUT [--map FILE]
/// [--allow-undefined]</c>: lays out, resolves and relocates modules as their kernel's loader would.
/// </summary>
public static class LinkCommand
{
    /// <summary>Exit code when some symbols stayed unresolved.</summary>
    public const int UnresolvedExitCode = 3;

    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var modules = new Argument<string[]>("MODULE") { Description = "Modules to link, in load order (later ones may use earlier ones' exports).", Arity = ArgumentArity.OneOrMore };
        var symbols = new Option<string[]>("--symbols") { Description = "Kernel symbols: System.map, /proc/kallsyms, Module.symvers or a kernel ELF image (repeatable).", AllowMultipleArgumentsPerToken = false };
        var layout = new Option<string?>("--layout") { Description = "linux, bsd, sequential, kext, or a layout file of 'NAME 0xADDRESS' lines (default: the module's own kernel)." };
        var baseAddress = new Option<string?>("--base") { Description = "First address (default: the architecture's module area)." };
        var output = new Option<string>("--output", "-o") { Description = "The linked ELF image to write.", Required = true };
        var map = new Option<string?>("--map") { Description = "Also write a text map: sections, then symbols." };
        var allowUndefined = new Option<bool>("--allow-undefined") { Description = "Resolve unknown symbols to zero, like weak ones." };
        var command = new Command("link", CommandHelp.Describe("Link modules against kernel symbols the way their kernel's loader does.",
            "lkm link mod.ko --symbols /boot/System.map-$(uname -r) -o /tmp/mod.elf --map /tmp/mod.map"))
        {
            modules, symbols, layout, baseAddress, output, map, allowUndefined,
        };
        command.SetAction(result =>
        {
            try
            {
                return Run(result.GetValue(modules) ?? [], result.GetValue(symbols) ?? [], result.GetValue(layout), result.GetValue(baseAddress),
                    result.GetValue(output)!, result.GetValue(map), result.GetValue(allowUndefined), stdout, stderr);
            }
            catch (Exception e) when (e is LinkException or ModuleFormatException or IOException or UnauthorizedAccessException)
            {
                stdout.Flush();
                stderr.WriteLine($"lkm: {e.Message.Replace("\n", "\nlkm: ", StringComparison.Ordinal)}");
                return e is UnresolvedSymbolsException ? UnresolvedExitCode : 1;
            }
        });
        return command;
    }

    private static int Run(string[] modulePaths, string[] symbolPaths, string? layoutName, string? baseText, string output, string? mapPath,
        bool allowUndefined, TextWriter stdout, TextWriter stderr)
    {
        var kernel = new KernelSymbols();
        foreach (var path in symbolPaths)
        {
            kernel.Add(SymbolFileLoader.Load(path));
        }

        var options = new LinkOptions
        {
            Layout = layoutName is null ? null : LayoutPolicies.Named(layoutName) ?? LayoutPolicies.Parse(File.ReadAllText(layoutName), layoutName),
            Base = baseText is null ? null : ParseAddress(baseText),
            AllowUndefined = allowUndefined,
        };

        var files = new List<ModuleFile>();
        try
        {
            var read = new List<KernelModule>();
            foreach (var path in modulePaths)
            {
                var file = ModuleReader.Open(path);
                files.Add(file);
                read.AddRange(file.Modules);
            }

            var image = new ModuleLinker(kernel, options).Link(read);
            var outputs = new List<(string Path, byte[] Bytes)> { (output, image.ToElf()) };
            if (mapPath is not null)
            {
                outputs.Add((mapPath, System.Text.Encoding.UTF8.GetBytes(image.ToLinkMap())));
            }

            OutputFiles.WriteAll(outputs);

            foreach (var m in image.Modules)
            {
                var undefinedZero = m.Resolutions.Where(r => r.Source == "undefined").Select(r => r.Name).ToList();
                if (undefinedZero.Count > 0)
                {
                    stderr.WriteLine($"lkm: {m.Name}: warning: resolved to zero (--allow-undefined): {string.Join(", ", undefinedZero)}");
                }
            }

            return 0;
        }
        finally
        {
            foreach (var file in files)
            {
                file.Dispose();
            }
        }
    }

    private static ulong ParseAddress(string text)
    {
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        return ulong.TryParse(hex ? text[2..] : text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new LinkException($"--base: '{text}' is not an address (decimal or 0x-prefixed hexadecimal)");
    }
}
