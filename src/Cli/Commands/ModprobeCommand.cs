using System.CommandLine;
using System.Text.Json;
using LkmKit.Formats;
using LkmKit.Linker.Indexing;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm modprobe --show-depends [-d BASEDIR] [-S KREL] [-C CONFIG] [-b] [-a] NAME|ALIAS [PARAM=VALUE...]</c>:
/// prints what kmod's modprobe would load (insmod lines with options, install commands, built-in modules) without
/// loading anything; <c>-R</c> prints the module names an alias resolves to; <c>--json</c> adds why each is there.
/// </summary>
public static class ModprobeCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var showDepends = new Option<bool>("--show-depends", "-D") { Description = "Print the modules a load would insert, dependencies first, and insert nothing." };
        var resolveAlias = new Option<bool>("--resolve-alias", "-R") { Description = "Print only the module names the name or alias resolves to." };
        var baseDir = new Option<string?>("--dirname", "-d") { Description = "Root of the tree: modules are in BASEDIR/lib/modules/KREL." };
        var release = new Option<string?>("--set-version", "-S") { Description = "Kernel release (default: the running kernel's)." };
        var config = new Option<string[]>("--config", "-C") { Description = "modprobe.d file or directory read instead of the default ones (repeatable).", AllowMultipleArgumentsPerToken = false };
        var useBlacklist = new Option<bool>("--use-blacklist", "-b") { Description = "Apply the blacklist to modules named directly too, not only to aliases." };
        var all = new Option<bool>("--all", "-a") { Description = "Every argument is a module name or alias (no parameters)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per module: name, path, reason, requiredBy, options, builtin, install, target." };
        var names = new Argument<string[]>("NAME") { Description = "Module name or alias, then PARAM=VALUE parameters (or more names with -a).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("modprobe", "Resolve a module name or alias to what modprobe would load (like modprobe --show-depends).")
        {
            showDepends, resolveAlias, baseDir, release, config, useBlacklist, all, json, names,
        };
        command.SetAction(result =>
        {
            if (!result.GetValue(showDepends) && !result.GetValue(resolveAlias))
            {
                stderr.WriteLine("lkm: ERROR: only --show-depends (-D) and --resolve-alias (-R) are supported: LkmKit never loads modules");
                return 1;
            }

            string? krel = result.GetValue(release) ?? RunningRelease();
            if (krel is null)
            {
                stderr.WriteLine("lkm: FATAL: no kernel release given (-S) and the running one is unknown");
                return 1;
            }

            string[] configs = result.GetValue(config) ?? [];
            string directory = (result.GetValue(baseDir) ?? "") + "/lib/modules/" + krel;
            ModuleResolver resolver;
            try
            {
                resolver = ModuleResolver.Open(new ModuleResolverOptions
                {
                    ModuleDirectory = directory,
                    ConfigPaths = configs.Length > 0 ? configs : null,
                    KernelCommandLine = ReadOrNull("/proc/cmdline"),
                });
            }
            catch (Exception e) when (e is ModuleFormatException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine("lkm: FATAL: " + e.Message);
                return 1;
            }

            foreach (string error in resolver.ConfigurationErrors)
            {
                stderr.WriteLine("lkm: ERROR: " + error);
            }

            string[] arguments = result.GetValue(names)!;
            bool eachIsName = result.GetValue(all);
            var targets = eachIsName ? arguments.Select(a => (a, (string?)null)) : [(arguments[0], JoinParameters(arguments.AsSpan(1)))];
            int code = 0;
            foreach (var (name, extra) in targets)
            {
                if (result.GetValue(resolveAlias))
                {
                    var matches = resolver.Lookup(name);
                    foreach (var match in matches)
                    {
                        stdout.Write(match.Name + "\n");
                    }

                    code |= matches.Count == 0 ? NotFound(name, directory, eachIsName, stderr) : 0;
                    continue;
                }

                var plans = resolver.Resolve(name, extra, result.GetValue(useBlacklist));
                if (plans.Count == 0)
                {
                    code |= NotFound(name, directory, eachIsName, stderr);
                    continue;
                }

                foreach (var plan in plans)
                {
                    Print(plan, result.GetValue(json), stdout);
                }
            }

            stdout.Flush();
            return code;
        });
        return command;
    }

    private static void Print(ModuleLoadPlan plan, bool json, TextWriter stdout)
    {
        foreach (var module in plan.Modules)
        {
            if (json)
            {
                WriteJson(plan, module, stdout);
            }
            else if (module.InstallCommand is not null)
            {
                stdout.Write($"install {module.InstallCommand} {module.Options}\n");
            }
            else if (module.Path is not null)
            {
                stdout.Write($"insmod {module.Path} {module.Options}\n");
            }
            else if (module.IsBuiltin)
            {
                stdout.Write($"builtin {module.Name}\n");
            }
        }
    }

    private static void WriteJson(ModuleLoadPlan plan, ResolvedModule module, TextWriter stdout)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("target", plan.Target.Name);
            w.WriteString("name", module.Name);
            w.WriteString("path", module.Path);
            w.WriteBoolean("builtin", module.IsBuiltin);
            w.WriteString("reason", module.Reason.ToString());
            w.WriteString("requiredBy", module.RequiredBy);
            w.WriteString("options", module.Options);
            w.WriteString("install", module.InstallCommand);
            w.WriteEndObject();
        }

        stdout.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }

    /// <summary>modprobe's words; with -a a missing name is only a warning and the others are still loaded.</summary>
    private static int NotFound(string name, string directory, bool oneOfMany, TextWriter stderr)
    {
        stderr.WriteLine($"lkm: {(oneOfMany ? "WARNING" : "FATAL")}: Module {name} not found in directory {directory}");
        return 1;
    }

    /// <summary>modprobe's joining of command-line parameters: a value with a space is quoted.</summary>
    private static string? JoinParameters(ReadOnlySpan<string> parameters)
    {
        if (parameters.IsEmpty)
        {
            return null;
        }

        var parts = new List<string>();
        foreach (string parameter in parameters)
        {
            int equals = parameter.IndexOf('=');
            string value = equals < 0 ? "" : parameter[(equals + 1)..];
            bool quote = equals >= 0 && !value.StartsWith('"') && !value.StartsWith('\'') && value.Contains(' ');
            parts.Add(quote ? $"{parameter[..(equals + 1)]}\"{value}\"" : parameter);
        }

        return string.Join(' ', parts);
    }

    private static string? RunningRelease() => ReadOrNull("/proc/sys/kernel/osrelease")?.Trim();

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
