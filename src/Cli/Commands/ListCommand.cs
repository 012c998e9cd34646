using System.CommandLine;
using System.Globalization;
using LkmKit.Cli.Output;
using LkmKit.Linker.Loading;

namespace LkmKit.Cli.Commands;

/// <summary>
/// <c>lkm list --state STATE.json [--json]</c>: the loaded modules, shaped like the OS's own tool: <c>lsmod</c>,
/// <c>kldstat</c>, <c>modstat</c>, <c>kextstat</c>, or NetBSD 1.x <c>modstat</c> for lkm(4).
/// </summary>
public static class ListCommand
{
    /// <summary>Creates the command writing to the given streams.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var state = LoadCommand.StateOption();
        var json = new Option<bool>("--json") { Description = "One JSON object per module per line." };
        var command = new Command("list", CommandHelp.Describe("List the modules loaded into a model kernel, as the OS's tool prints them.", "lkm list --state /tmp/kernel.json")) { state, json };
        command.SetAction(result =>
        {
            try
            {
                using var kernel = ModelKernel.Open(result.GetValue(state)!);
                var modules = kernel.List();
                if (result.GetValue(json))
                {
                    foreach (var m in modules)
                    {
                        stdout.Write(Json(m));
                    }
                }
                else
                {
                    Text(kernel, modules, stdout);
                }

                return 0;
            }
            catch (Exception e) when (e is LoaderException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"lkm: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static string Json(ModuleListing m) => ModuleJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("id", m.Id);
        w.WriteString("name", m.Name);
        w.WriteString("path", m.Path);
        w.WriteString("address", Hex(m.Address));
        w.WriteNumber("size", m.Size);
        w.WriteNumber("refs", m.Refs);
        ModuleJson.WriteStrings(w, "usedBy", m.UsedBy);
        ModuleJson.WriteStrings(w, "uses", m.Uses);
        w.WriteString("taint", m.Taint);
        if (m.Version is not null)
        {
            w.WriteString("version", m.Version);
        }

        if (m.Kind is not null)
        {
            w.WriteString("kind", m.Kind);
        }

        w.WriteEndObject();
    });

    private static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static void Text(ModelKernel kernel, IReadOnlyList<ModuleListing> modules, TextWriter o)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (kernel.Os)
        {
            case KernelOs.Linux:
                // kmod's lsmod: newest first, "%-19s %8lu  %d" and the holders.
                o.WriteLine("Module                  Size  Used by");
                foreach (var m in modules.Reverse())
                {
                    o.WriteLine(string.Format(inv, "{0,-19} {1,8}  {2}{3}", m.Name, m.Size, m.Refs, m.UsedBy.Count > 0 ? " " + string.Join(',', m.UsedBy) : ""));
                }

                if (kernel.Taint.Length > 0)
                {
                    o.WriteLine($"# kernel taint: {kernel.Taint}");
                }

                break;
            case KernelOs.FreeBsd:
                o.WriteLine("Id Refs Address                Size Name");
                foreach (var m in modules)
                {
                    o.WriteLine(string.Format(inv, "{0,2} {1,4} 0x{2,-16:x} {3,-8:x} {4}", m.Id, m.Refs, m.Address, m.Size, Path.GetFileName(m.Path)));
                }

                break;
            case KernelOs.NetBsd:
                o.WriteLine("NAME                 CLASS       SOURCE     FLAG  REFS   SIZE REQUIRES");
                foreach (var m in modules)
                {
                    o.WriteLine(string.Format(inv, "{0,-20} {1,-11} {2,-10} {3,-4} {4,5} {5,6} {6}", m.Name, m.Kind ?? "misc", "filesys", "-", m.Refs, m.Size,
                        m.Uses.Count > 0 ? string.Join(',', m.Uses) : "-"));
                }

                break;
            case KernelOs.MacOs:
                o.WriteLine("Index Refs Address            Size       Wired      Name (Version) <Linked Against>");
                foreach (var m in modules)
                {
                    o.WriteLine(string.Format(inv, "{0,5} {1,4} 0x{2,-16:x} 0x{3,-8:x} 0x{3,-8:x} {4} ({5}){6}", m.Id, m.Refs, m.Address, m.Size, m.Kind ?? m.Name, m.Version ?? "0",
                        m.Uses.Count > 0 ? " <" + string.Join(' ', m.Uses) + ">" : ""));
                }

                break;
            default:
                // NetBSD 1.x modstat(8).
                o.WriteLine("Type     Id Off Loadaddr Size Info     Rev Module Name");
                foreach (var m in modules)
                {
                    var kind = (m.Kind ?? "MISC").Split(' ');
                    string off = kind.Length > 1 ? kind[1] : "-1";
                    o.WriteLine(string.Format(inv, "{0,-8} {1,2} {2,3} {3:x8} {4:x4} {5:x8} {6,3} {7}", kind[0].ToUpperInvariant(), m.Id, off, m.Address, m.Size / 4096,
                        m.Address, 1, m.Name));
                }

                break;
        }
    }
}
