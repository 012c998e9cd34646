using LkmKit.Formats.Model;
using LkmKit.Linker.Output;

namespace LkmKit.Linker.Loading;

/// <summary>
/// Symbol resolution for kernels whose modules see global definitions rather than export tables (FreeBSD, NetBSD,
/// macOS, lkm): each undefined name from the kernel's symbol files, else from the given loaded modules, else (with
/// <c>--assume-kernel-symbols</c>) a synthetic kernel address; anything else is reported by the kernel's message.
/// </summary>
internal static class SymbolScope
{
    public const string AssumedNote = "model: kernel symbols no symbol file gives resolve to synthetic addresses (--assume-kernel-symbols)";

    public static Dictionary<string, ulong> Resolve(KernelSession session, KernelModule module, IEnumerable<LoadedModule> scope,
        Func<string, string> unknownMessage, string errno, List<string> notes)
    {
        var undefined = module.Symbols.Where(s => s.Index > 0 && s.Definition == SymbolDefinition.Undefined && s.Name.Length > 0).Select(s => s).ToList();
        var resolved = new Dictionary<string, ulong>(StringComparer.Ordinal);
        if (undefined.Count == 0)
        {
            return resolved;
        }

        session.KernelSymbols?.Prepare(undefined.Select(s => s.Name).ToHashSet(StringComparer.Ordinal));
        var modules = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var loaded in scope)
        {
            foreach (var e in loaded.Exports)
            {
                modules.TryAdd(e.Name, e.Address);
            }
        }

        bool machO = KernelSession.IsKext(module);
        foreach (var symbol in undefined)
        {
            if (module.Flavor == ModuleFlavor.FreeBsd && (symbol.Name.StartsWith("__start_", StringComparison.Ordinal) || symbol.Name.StartsWith("__stop_", StringComparison.Ordinal))
                && module.Sections.Any(s => s.Name == symbol.Name[(symbol.Name.IndexOf('_', 2) + 1)..]))
            {
                continue; // link_elf_fix_link_set binds it to the module's own section (the shared linker does)
            }

            if (machO && symbol.Name == "dyld_stub_binder")
            {
                // ld64.lld leaves this undefined in a bundle that never calls a stub; kxld never looks it up.
                resolved[symbol.Name] = 0;
                continue;
            }

            string bare = machO && symbol.Name.StartsWith('_') ? symbol.Name[1..] : symbol.Name;
            ulong? address = session.KernelAddress(symbol.Name) ?? (bare != symbol.Name ? session.KernelAddress(bare) : null);
            if (address is null && (modules.TryGetValue(symbol.Name, out ulong m) || modules.TryGetValue(bare, out m)))
            {
                address = m;
            }

            if (address is null && session.State.AssumeKernelSymbols && session.State.SymbolFiles.Count == 0)
            {
                address = KernelSession.SyntheticAddress(symbol.Name, module.Bits);
                if (!notes.Contains(AssumedNote))
                {
                    notes.Add(AssumedNote);
                }
            }

            if (address is { } a)
            {
                resolved[symbol.Name] = a;
            }
            else if (symbol.Binding != SymbolBinding.Weak)
            {
                throw new Refusal(errno, unknownMessage(symbol.Name));
            }
        }

        return resolved;
    }

    /// <summary>What a linked module offers later modules: its global definitions.</summary>
    public static List<ExportedSymbol> Globals(LinkedModule linked) =>
        KernelSession.Definitions(linked).Select(p => new ExportedSymbol(p.Key, p.Value)).ToList();
}
