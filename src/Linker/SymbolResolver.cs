using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.MachO;
using LkmKit.Linker.Output;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker;

/// <summary>
/// Gives every symbol of a module its final address, as the loader's simplify_symbols does: defined symbols
/// relative to their section's address, absolute ones unchanged, undefined ones from the kernel symbols (an
/// unresolved weak symbol, or any with <see cref="LinkOptions.AllowUndefined"/>, becomes 0).
/// </summary>
internal static class SymbolResolver
{
    /// <summary>The final address of each symbol by index, and how the undefined ones were resolved.</summary>
    public static (ulong[] Addresses, List<SymbolResolution> Resolutions) Resolve(
        KernelModule module, string moduleName, SectionLayout layout, IReadOnlyDictionary<int, ulong> commons,
        KernelSymbols kernel, LinkOptions options)
    {
        var symbols = module.Symbols;
        var addresses = new ulong[symbols.Count];
        var resolutions = new List<SymbolResolution>();
        var unknown = new List<string>();
        for (int i = 1; i < symbols.Count; i++)
        {
            var symbol = symbols[i];
            switch (symbol.Definition)
            {
                case SymbolDefinition.Section:
                    addresses[i] = layout.IsPlaced(symbol.SectionIndex)
                        ? layout.AddressOf(symbol.SectionIndex) + symbol.Value - MachOLinking.SymbolValueOrigin(module, symbol.SectionIndex)
                        : symbol.Value;
                    break;
                case SymbolDefinition.Common:
                    addresses[i] = commons[i];
                    break;
                case SymbolDefinition.Undefined when symbol.Name.Length > 0:
                    var found = ResolveUndefined(symbol, module, kernel, options);
                    if (found is { } resolution)
                    {
                        addresses[i] = resolution.Address;
                        resolutions.Add(resolution);
                    }
                    else
                    {
                        unknown.Add(symbol.Name);
                    }

                    break;
                default:
                    addresses[i] = symbol.Value;
                    break;
            }
        }

        if (unknown.Count > 0)
        {
            throw new UnresolvedSymbolsException(moduleName, unknown);
        }

        return (addresses, resolutions);
    }

    private static SymbolResolution? ResolveUndefined(ModuleSymbol symbol, KernelModule module, KernelSymbols kernel, LinkOptions options)
    {
        var machine = module.Machine;
        if ((MachOLinking.IsMachO(module) ? MachOLinking.TryGetKernelSymbol(kernel, symbol.Name, out var k) : kernel.TryGet(symbol.Name, out k))
            && k.Address is { } address)
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
