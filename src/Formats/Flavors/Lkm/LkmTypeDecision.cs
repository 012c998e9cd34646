using LkmKit.Formats.AOut;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.Lkm;

/// <summary>
/// Decides what <c>lkm_type</c> means. The file narrows the systems it can be for (header layout, a_midmag
/// encoding, FreeBSD descriptor naming, lkm_ver 2); an explicit <see cref="ModuleReadOptions.LkmOperatingSystem"/>
/// wins over the file (with a warning when they disagree). Without a choice, a number that means different
/// things on the remaining systems is never guessed: the kind stays unknown and a diagnostic says why.
/// </summary>
internal static class LkmTypeDecision
{
    /// <summary>Fills <see cref="LkmModuleDetails.Candidates"/>, <see cref="LkmModuleDetails.Evidence"/>, the kind and the system.</summary>
    public static void Decide(AOutFile aout, LkmModuleDetails details, KernelModule module, ModuleReadOptions options)
    {
        var candidates = new List<LkmOperatingSystem>(LkmTypes.All);
        void Keep(string evidence, params LkmOperatingSystem[] allowed)
        {
            candidates.RemoveAll(c => Array.IndexOf(allowed, c) < 0);
            details.EvidenceList.Add(evidence);
        }

        if (details.Layout == LkmHeaderLayout.NetBsd4)
        {
            Keep("24-byte NetBSD 4 descriptor header (lkm_name relocated at offset 4)", LkmOperatingSystem.NetBsd4);
        }
        else
        {
            Keep("16-byte classic descriptor header (lkm_name relocated at offset 8)",
                LkmOperatingSystem.NetBsd, LkmOperatingSystem.OpenBsdOld, LkmOperatingSystem.FreeBsd, LkmOperatingSystem.OpenBsd);
            if (aout.Header.Encoding == AOutMagicEncoding.HostOrder)
            {
                Keep($"host-order a_midmag with machine id {aout.Header.MachineId} (FreeBSD 2.x)", LkmOperatingSystem.FreeBsd);
            }
            else if (aout.Header.Encoding is AOutMagicEncoding.Gnu or AOutMagicEncoding.OldStyle)
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Info,
                    $"a_midmag in the {(aout.Header.Encoding == AOutMagicEncoding.Gnu ? "Linux/GNU" : "old 386BSD")} encoding names no BSD system"));
            }
            else if (aout.Header.Encoding == AOutMagicEncoding.NetBsd)
            {
                Keep("network-order a_midmag (NetBSD/OpenBSD; FreeBSD's toolchain writes host order)",
                    LkmOperatingSystem.NetBsd, LkmOperatingSystem.OpenBsdOld, LkmOperatingSystem.OpenBsd);
            }

            if (details.DescriptorSymbol?.EndsWith(LkmModuleReader.FreeBsdDescriptorSuffix, StringComparison.Ordinal) == true)
            {
                Keep("descriptor named *_mod_struct (FreeBSD MOD_* macros)", LkmOperatingSystem.FreeBsd);
            }

            if (details.InterfaceVersion == 2)
            {
                Keep("lkm_ver 2 (LKM_VERSION of OpenBSD 4.x; the other classic headers have 1)", LkmOperatingSystem.OpenBsd);
            }
        }

        foreach (var c in candidates)
        {
            details.CandidatesList.Add(c);
        }

        long type = details.RawType ?? -1;
        if (options.LkmOperatingSystem is { } chosen)
        {
            details.OperatingSystem = chosen;
            details.Kind = LkmTypes.Kind(chosen, type);
            if (!candidates.Contains(chosen))
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                    $"LKM system chosen as {LkmTypes.OsName(chosen)}, but the file points to {Describe(candidates)}: {string.Join("; ", details.Evidence)}"));
            }

            if (details.Kind == LkmModuleKind.Unknown)
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, $"lkm_type {type} is not a module type on {LkmTypes.OsName(chosen)}"));
            }

            return;
        }

        var meanings = candidates.Select(c => (System: c, Kind: LkmTypes.Kind(c, type))).Where(m => m.Kind != LkmModuleKind.Unknown).ToList();
        var kinds = meanings.Select(m => m.Kind).Distinct().ToList();
        if (kinds.Count == 1)
        {
            details.Kind = kinds[0];
            var systems = meanings.Select(m => m.System).ToList();
            details.OperatingSystem = systems.Count == 1 ? systems[0] : null;
            if (systems.Count < candidates.Count)
            {
                details.EvidenceList.Add($"lkm_type {type} is valid only on {Describe(systems)}");
                details.CandidatesList.Clear();
                foreach (var s in systems)
                {
                    details.CandidatesList.Add(s);
                }
            }

            return;
        }

        if (AgreedByInterfaceVersion(details, candidates, type) is { } agreed)
        {
            details.Kind = agreed;
            return;
        }

        details.Kind = LkmModuleKind.Unknown;
        if (kinds.Count == 0)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                $"lkm_type {type} is not a module type on {Describe(candidates)}"));
            return;
        }

        string readings = string.Join("; ", kinds.Select(k =>
            $"{LkmTypes.ConstantName(k)} on {Describe(meanings.Where(m => m.Kind == k).Select(m => m.System))}"));
        module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
            $"lkm_type {type} is ambiguous: {readings}; the file does not say which system it was built for (choose one with --os or ModuleReadOptions.LkmOperatingSystem)"));
    }

    /// <summary>
    /// The kind every remaining system whose LKM_VERSION equals the descriptor's <c>lkm_ver</c> gives the number, when
    /// they agree; the system itself stays undecided. (A descriptor records the LKM_VERSION it was compiled with: 1 on
    /// NetBSD 1.x, OpenBSD 1997 and FreeBSD 2.x, 2 on OpenBSD 4.x and in NetBSD 4's lkm_modver.)
    /// </summary>
    private static LkmModuleKind? AgreedByInterfaceVersion(LkmModuleDetails details, List<LkmOperatingSystem> candidates, long type)
    {
        if (details.InterfaceVersion is not { } version)
        {
            return null;
        }

        var consistent = candidates.Where(c => InterfaceVersion(c) == version).ToList();
        var kinds = consistent.Select(c => LkmTypes.Kind(c, type)).Distinct().ToList();
        if (consistent.Count == 0 || kinds.Count != 1 || kinds[0] == LkmModuleKind.Unknown)
        {
            return null;
        }

        details.EvidenceList.Add($"lkm_ver {version}: every system with LKM_VERSION {version} ({Describe(consistent)}) reads lkm_type {type} as {LkmTypes.ConstantName(kinds[0])}");
        return kinds[0];
    }

    private static int InterfaceVersion(LkmOperatingSystem system) => system is LkmOperatingSystem.OpenBsd or LkmOperatingSystem.NetBsd4 ? 2 : 1;

    private static string Describe(IEnumerable<LkmOperatingSystem> systems)
    {
        var names = systems.Select(LkmTypes.OsName).ToList();
        return names.Count == 0 ? "no known system" : string.Join(", ", names);
    }
}
