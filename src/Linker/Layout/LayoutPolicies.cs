using LkmKit.Formats.Model;

namespace LkmKit.Linker.Layout;

/// <summary>Chooses a layout policy by name or by the module's flavour.</summary>
public static class LayoutPolicies
{
    /// <summary>The policy a module's own kernel uses: Linux for Linux modules, BSD for FreeBSD/NetBSD, else sequential.</summary>
    public static ILayoutPolicy ForFlavor(ModuleFlavor flavor) => flavor switch
    {
        ModuleFlavor.Linux => new LinuxLayout(),
        ModuleFlavor.FreeBsd or ModuleFlavor.NetBsd => new BsdLayout(),
        ModuleFlavor.Kext => new KextLayout(),
        _ => new SequentialLayout(),
    };

    /// <summary>A policy named <c>linux</c>, <c>bsd</c> or <c>sequential</c>, or null for another name.</summary>
    public static ILayoutPolicy? Named(string name) => name switch
    {
        "linux" => new LinuxLayout(),
        "bsd" => new BsdLayout(),
        "sequential" => new SequentialLayout(),
        "kext" => new KextLayout(),
        _ => null,
    };

    /// <summary>
    /// An explicit layout from text: <c>NAME 0xADDRESS</c> per line (<c>#</c> starts a comment). Each line places the
    /// first allocated section of that name not yet placed; unlisted allocated sections follow sequentially after the
    /// highest listed one. <paramref name="description"/> names the text in errors.
    /// </summary>
    /// <exception cref="LinkException">A line is not <c>NAME 0xADDRESS</c>.</exception>
    public static ILayoutPolicy Parse(string text, string description) => LayoutFile.Parse(text, description);
}
