using System.CommandLine;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.IO;
using LkmKit.Linker.Converting;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm convert IN.o --to netbsd|freebsd|linux [--os SRC] [--release R] [--license L] -o OUT</c>: turns a legacy
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
        var release = new Option<string?>("--release") { Description = "Target release (NetBSD: 10.0 by default; FreeBSD: 14.x, 14.2 by default)." };
        var like = new Option<string?>("--like") { Description = "A real module of the target kernel to take its layout from (Linux)." };
        var license = new Option<string?>("--license") { Description = "Licence to declare (Linux: MODULE_LICENSE)." };
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

                if (result.GetValue(like) is not null)
                {
                    stderr.WriteLine("lkm: --like is used by the Linux target, which is not implemented yet");
                    return 2;
                }

                using var file = ModuleReader.Open(path, readOptions);
                var options = new ConversionOptions
                {
                    Target = result.GetValue(to) switch { "netbsd" => ConversionTarget.NetBsd, "linux" => ConversionTarget.Linux, _ => ConversionTarget.FreeBsd },
                    Release = result.GetValue(release),
                    License = result.GetValue(license),
                };
                var bytes = LkmConverter.Convert(file.Modules[0], options);
                File.WriteAllBytes(result.GetValue(output)!, bytes);
                return 0;
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
}
