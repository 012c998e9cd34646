using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Output;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker;

/// <summary>
/// Gives every symbol of a module its final address, as the loader's simplify_symbols does: defined symbols at their
/// section's address plus their section offset (<see cref="KernelModule.SectionOffsetOf"/>), absolute ones unchanged, undefined ones from the kernel symbols (an unresolved
/// weak symbol, or any with <see cref="LinkOptions.AllowUndefined"/>, becomes 0), after the names the loader binds itself
/// (<see cref="LinkInput.LoaderBound"/>: FreeBSD's <c>__start_SET</c>/<c>__stop_SET</c>).
/// </summary>
internal static class SymbolResolver
{
    /// <summary>The final address of each symbol by index, and how the undefined ones were resolved.</summary>
    public static (ulong[] Addresses, List<SymbolResolution> Resolutions) Resolve(
        KernelModule module, string moduleName, SectionLayout layout, IReadOnlyDictionary<int, ulong> commons,
        KernelSymbols kernel, LinkOptions options, LinkInput input) =>
        Resolve(module.Symbols, module.Machine, moduleName, symbol => symbol.Definition switch
        {
            _ when symbol.Index == 0 => 0,
            SymbolDefinition.Section => layout.IsPlaced(symbol.SectionIndex)
                ? layout.AddressOf(symbol.SectionIndex) + module.SectionOffsetOf(symbol)!.Value
                : symbol.Value,
            SymbolDefinition.Common => commons[symbol.Index],
            SymbolDefinition.Undefined when symbol.Name.Length > 0 => input.LoaderBound(module, layout, symbol.Name),
            _ => symbol.Value,
        }, kernel, options, input);

    /// <summary>
    /// The final address of each of <paramref name="symbols"/> by index: <paramref name="ownAddress"/> gives the address
    /// the module itself defines, or null for a symbol to look up by name in <paramref name="kernel"/>. Names no source
    /// defines are reported all at once. Names are looked up by <paramref name="input"/>'s rules (an ELF input's when null).
    /// </summary>
    /// <exception cref="UnresolvedSymbolsException">Some looked-up names are defined nowhere.</exception>
    public static (ulong[] Addresses, List<SymbolResolution> Resolutions) Resolve(
        IReadOnlyList<ModuleSymbol> symbols, MachineArchitecture machine, string moduleName, Func<ModuleSymbol, ulong?> ownAddress,
        KernelSymbols kernel, LinkOptions options, LinkInput? input = null)
    {
        var addresses = new ulong[symbols.Count];
        var resolutions = new List<SymbolResolution>();
        var unknown = new List<string>();
        for (int i = 0; i < symbols.Count; i++)
        {
            var symbol = symbols[i];
            if (ownAddress(symbol) is { } own)
            {
                addresses[i] = own;
            }
            else if (ResolveUndefined(symbol, machine, kernel, options, input) is { } resolution)
            {
                addresses[i] = resolution.Address;
                resolutions.Add(resolution);
            }
            else
            {
                unknown.Add(symbol.Name);
            }
        }

        if (unknown.Count > 0)
        {
            throw new UnresolvedSymbolsException(moduleName, unknown);
        }

        return (addresses, resolutions);
    }

    private static SymbolResolution? ResolveUndefined(ModuleSymbol symbol, MachineArchitecture machine, KernelSymbols kernel, LinkOptions options, LinkInput? input)
    {
        if ((input is null ? kernel.TryGet(symbol.Name, out var k) : input.TryGetKernelSymbol(kernel, symbol.Name, out k)) && k.Address is { } address)
        {
            return new SymbolResolution(symbol.Name, address, k.Owner ?? "kernel");
        }

        if (symbol.Binding == SymbolBinding.Weak)
        {
            return new SymbolResolution(symbol.Name, 0, "weak");
        }

        if (symbol.Name == "_GLOBAL_OFFSET_TABLE_" && machine is MachineArchitecture.X86 or MachineArchitecture.X86_64)
        {
            return new SymbolResolution(symbol.Name, 0, "undefined");
        }

        return options.AllowUndefined ? new SymbolResolution(symbol.Name, 0, "undefined") : null;
    }
}
