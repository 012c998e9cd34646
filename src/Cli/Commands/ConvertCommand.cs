using System.CommandLine;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Model;
using LkmKit.Formats.IO;
using LkmKit.Linker.Converting;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm convert IN.o --to netbsd|freebsd|linux [--os SRC] [--release R] [--like REF.ko]... [--license L] -o OUT</c>: turns a legacy
/// a.out LKM into a modern module of the target system.
/// </summary>
public static class ConvertCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var input = new Argument<string>("IN") { Description = "The legacy a.out LKM object (.o)." };
        var to = new Option<string>("--to") { Description = "Target: netbsd (a .kmod), linux (an i386 .ko) or freebsd (an i386 kld).", Required = true };
        to.AcceptOnlyFromAmong("netbsd", "linux", "freebsd");
        var os = new Option<string?>("--os") { Description = "The system the LKM was built for, when the file does not say: netbsd, netbsd4, openbsd, openbsd-old, freebsd." };
        var release = new Option<string?>("--release") { Description = "Target release (NetBSD: 10.0 by default; FreeBSD: 14.x, 14.2 by default; Linux: must be the --like module's release)." };
        var like = new Option<string[]>("--like")
        {
            Description = "Linux: a real module of the target kernel (with module_init and module_exit) to take struct module, vermagic and CRCs from; repeat to add CRCs.",
            AllowMultipleArgumentsPerToken = false,
        };
        var license = new Option<string?>("--license") { Description = "Licence to declare (Linux: MODULE_LICENSE; Proprietary by default, which taints P)." };
        var output = new Option<string>("--output", "-o") { Description = "The module to write.", Required = true };
        var command = new Command("convert", CommandHelp.Describe("Convert a legacy a.out LKM into a NetBSD, Linux or FreeBSD module.",
            "lkm convert testdata/lkm/cvmisc.o --to netbsd -o /tmp/cvmisc.kmod")) { input, to, os, release, like, license, output };
        command.SetAction(result =>
        {
            string path = result.GetValue(input)!;
            try
            {
                var readOptions = ModuleReadOptions.Default;
                if (result.GetValue(os) is { } osName)
                {
                    if (!LkmTypes.TryParseOs(osName, out var system))
                    {
                        stderr.WriteLine($"lkm: --os {osName}: not one of netbsd, netbsd4, openbsd, openbsd-old, freebsd");
                        return 2;
                    }

                    readOptions = readOptions with { LkmOperatingSystem = system };
                }

                var target = result.GetValue(to) switch { "netbsd" => ConversionTarget.NetBsd, "linux" => ConversionTarget.Linux, _ => ConversionTarget.FreeBsd };
                string[] likePaths = result.GetValue(like) ?? [];
                if (likePaths.Length > 0 && target != ConversionTarget.Linux)
                {
                    stderr.WriteLine("lkm: --like is used by the Linux target only");
                    return 2;
                }

                using var file = ModuleReader.Open(path, readOptions);
                var references = new List<ModuleFile>();
                try
                {
                    foreach (var likePath in likePaths)
                    {
                        references.Add(ModuleReader.Open(likePath));
                    }

                    var options = new ConversionOptions
                    {
                        Target = target,
                        Release = result.GetValue(release),
                        License = result.GetValue(license),
                        Like = [.. references.Select(r => r.Modules[0])],
                    };
                    var bytes = LkmConverter.Convert(file.Modules[0], options);
                    File.WriteAllBytes(result.GetValue(output)!, bytes);
                    if (target == ConversionTarget.Linux)
                    {
                        WarnLinux(stderr, path, bytes, options.License is null);
                    }

                    return 0;
                }
                finally
                {
                    references.ForEach(r => r.Dispose());
                }
            }
            catch (ConversionException e)
            {
                stderr.WriteLine($"lkm: {path}: cannot convert: {e.Message}");
                return 1;
            }
            catch (Exception e) when (e is ModuleFormatException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"lkm: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Says what the kernel will make of a converted Linux module: imports without a CRC and the default licence's taint.</summary>
    private static void WarnLinux(TextWriter stderr, string path, byte[] bytes, bool defaultLicense)
    {
        using var source = ModuleSource.FromMemory(path, bytes);
        var module = ModuleReader.Read(source)[0];
        var versioned = ((LinuxModuleDetails)module.Details!).SymbolVersions.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var unversioned = module.Imports.Select(i => i.Name).Where(n => !versioned.Contains(n)).ToList();
        if (versioned.Count > 0 && unversioned.Count > 0)
        {
            stderr.WriteLine($"lkm: {path}: warning: no --like module has a CRC for {string.Join(", ", unversioned)}: upstream Linux loads it with \"no symbol version\", Debian's kernel refuses it; add a --like module that imports them");
        }

        if (defaultLicense)
        {
            stderr.WriteLine($"lkm: {path}: note: license={module.Licenses.FirstOrDefault()} (no --license given): loading taints the kernel (P) and GPL-only symbols are not available");
        }
    }
}
