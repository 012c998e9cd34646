using System.CommandLine;
using LkmKit.Cli.Commands;

namespace LkmKit.Cli;

/// <summary>Builds the <c>lkm</c> command tree and runs it against the given writers.</summary>
public static class LkmApp
{
    /// <summary>Parses <paramref name="args"/>, runs the command and returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("lkm: inspect, dump, check, link and convert operating-system kernel modules.");
        root.Subcommands.Add(InfoCommand.Create(stdout, stderr));
        root.Subcommands.Add(DumpCommand.Create(stdout, stderr));
        root.Subcommands.Add(KldxrefCommand.Create(stdout, stderr));
        root.Subcommands.Add(LinkCommand.Create(stdout, stderr));
        root.Subcommands.Add(ConvertCommand.Create(stdout, stderr));
        root.Subcommands.Add(DepmodCommand.Create(stdout, stderr));
        root.Subcommands.Add(ModprobeCommand.Create(stdout, stderr));
        root.Subcommands.Add(KernelCommand.Create(stdout, stderr));
        root.Subcommands.Add(LoadCommand.Create(stdout, stderr));
        root.Subcommands.Add(UnloadCommand.Create(stdout, stderr));
        root.Subcommands.Add(ListCommand.Create(stdout, stderr));
        root.Subcommands.Add(VerifyCommand.Create(stdout, stderr));
        root.Subcommands.Add(SignCommand.Create(stdout, stderr));
        var result = root.Parse(args);
        int code = result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        stdout.Flush();
        return code;
    }
}
