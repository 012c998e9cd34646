using System.CommandLine;
using LkmKit.Linker.Loading;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm kernel new --os OS --release R --modules DIR [--symbols FILE]... [--symvers FILE] [--cert FILE]... [--kernel IMAGE]
/// [--assume-kernel-symbols] [--set NAME=VALUE]... -o STATE.json</c>: makes a model kernel with nothing loaded.
/// </summary>
public static class KernelCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var os = new Option<string>("--os") { Description = "linux, freebsd, netbsd, macos or lkm (the legacy lkm(4) of NetBSD 1.x/OpenBSD/FreeBSD 2.x).", Required = true };
        os.AcceptOnlyFromAmong("linux", "freebsd", "netbsd", "macos", "lkm");
        var release = new Option<string>("--release") { Description = "Linux uname -r (6.1.0-57-amd64), FreeBSD __FreeBSD_version (1001000), NetBSD release (7.99.34), Darwin version (20.6.0).", Required = true };
        var modules = new Option<string>("--modules") { Description = "The directory the kernel loads modules from by name.", Required = true };
        var symbols = new Option<string[]>("--symbols") { Description = "The kernel's symbols: System.map, kallsyms, vmlinux or a BSD kernel ELF (repeatable)." };
        var symvers = new Option<string?>("--symvers") { Description = "Linux Module.symvers: vmlinux's exports with CRCs, GPL-only flags and namespaces." };
        var certs = new Option<string[]>("--cert") { Description = "A certificate the kernel trusts for module signatures (repeatable)." };
        var image = new Option<string?>("--kernel") { Description = "The kernel image (its built-in certificates)." };
        var assume = new Option<bool>("--assume-kernel-symbols") { Description = "Resolve kernel symbols no symbol table gives an address to synthetic addresses (said in the output)." };
        var set = new Option<string[]>("--set") { Description = "NAME=VALUE: Linux modules_disabled, sig_enforce, lockdown, vermagic, module_blacklist; BSD securelevel; lkm system=netbsd|openbsd|freebsd, syscalls=N; arch=… (repeatable)." };
        var output = new Option<string>("--output", "-o") { Description = "The state file to write.", Required = true };
        var create = new Command("new", "Make a model kernel with nothing loaded.") { os, release, modules, symbols, symvers, certs, image, assume, set, output };
        create.SetAction(result =>
        {
            try
            {
                var settings = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var pair in result.GetValue(set) ?? [])
                {
                    int eq = pair.IndexOf('=');
                    if (eq <= 0)
                    {
                        throw new LoaderException($"--set {pair}: expected NAME=VALUE");
                    }

                    settings[pair[..eq]] = pair[(eq + 1)..];
                }

                using var kernel = ModelKernel.Create(new KernelSettings
                {
                    Os = Enum.Parse<KernelOs>(result.GetValue(os)!, ignoreCase: true),
                    Release = result.GetValue(release)!,
                    ModulesDirectory = result.GetValue(modules)!,
                    SymbolFiles = result.GetValue(symbols) ?? [],
                    Symvers = result.GetValue(symvers),
                    Certificates = result.GetValue(certs) ?? [],
                    KernelImage = result.GetValue(image),
                    AssumeKernelSymbols = result.GetValue(assume),
                    Settings = settings,
                });
                kernel.Save(result.GetValue(output)!);
                stdout.WriteLine($"{result.GetValue(output)}: {kernel.Os} {kernel.Release}, no modules loaded");
                foreach (var note in kernel.Simplifications)
                {
                    stdout.WriteLine(note);
                }

                return 0;
            }
            catch (Exception e) when (e is LoaderException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"lkm: {e.Message}");
                return 1;
            }
        });
        return new Command("kernel", CommandHelp.Describe("Model kernels for lkm load/unload/list.", "lkm kernel new --os linux --release 6.1.0-57-amd64 --modules /lib/modules/6.1.0-57-amd64 --symbols System.map -o /tmp/kernel.json")) { create };
    }
}
