namespace LkmKit.Formats.Flavors.Linux;

/// <summary>A parsed Linux <c>vermagic=</c> string: kernel release and the build options the loader compares.</summary>
/// <param name="Raw">The string as stored.</param>
/// <param name="Release">The kernel release (first token), e.g. <c>6.1.0-27-amd64</c>.</param>
/// <param name="Smp">Built for SMP.</param>
/// <param name="Preemption">The preemption token (<c>preempt</c> or <c>preempt_rt</c>), or null.</param>
/// <param name="ModuleUnload">Built with module unloading.</param>
/// <param name="ModVersions">Built with symbol versions (CRCs).</param>
/// <param name="Other">Remaining tokens: the architecture's token (e.g. <c>686</c>, <c>aarch64</c>) and RANDSTRUCT seeds.</param>
internal sealed record VersionMagic(string Raw, string Release, bool Smp, string? Preemption, bool ModuleUnload, bool ModVersions, IReadOnlyList<string> Other)
{
    /// <summary>Parses a vermagic string; never fails (an empty string gives an empty release).</summary>
    public static VersionMagic Parse(string raw)
    {
        var tokens = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string release = tokens.Length > 0 ? tokens[0] : "";
        bool smp = false, unload = false, modversions = false;
        string? preempt = null;
        var other = new List<string>();
        foreach (var token in tokens.Skip(1))
        {
            switch (token)
            {
                case "SMP": smp = true; break;
                case "preempt" or "preempt_rt": preempt = token; break;
                case "mod_unload": unload = true; break;
                case "modversions": modversions = true; break;
                default: other.Add(token); break;
            }
        }

        return new VersionMagic(raw, release, smp, preempt, unload, modversions, other);
    }
}
