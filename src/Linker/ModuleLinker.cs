using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Output;
using LkmKit.Linker.Relocation;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker;

/// <summary>
/// Links relocatable modules the way their kernel's loader does: lays each out, resolves its symbols against the
/// kernel symbols and the exports of the modules linked before it, and applies its relocations. Modules are
/// placed one after another from the base, each starting on a page boundary. A FreeBSD ET_DYN module is mapped as
/// one image at its place instead (<see cref="DynamicImageLinker"/>).
/// </summary>
public sealed class ModuleLinker(KernelSymbols kernel, LinkOptions options)
{
    /// <summary>The largest total of loaded bytes one module may have (bounds NOBITS sizes from hostile headers).</summary>
    public const ulong MaxModuleBytes = 1UL << 30;

    /// <summary>Links <paramref name="modules"/> in order; later modules may use earlier ones' exports.</summary>
    /// <exception cref="UnresolvedSymbolsException">A module imports names no source defines.</exception>
    /// <exception cref="LinkException">A module cannot be laid out or relocated.</exception>
    public LinkedImage Link(IReadOnlyList<KernelModule> modules)
    {
        if (modules.Count == 0)
        {
            throw new LinkException("nothing to link");
        }

        var first = modules[0];
        PrepareFor(modules);
        ulong cursor = options.Base ?? LinkInputs.DefaultBase(first);
        var linked = new List<LinkedModule>();
        foreach (var module in modules)
        {
            if (module.Machine != first.Machine || module.Bits != first.Bits)
            {
                throw new LinkException($"{module.Path}: {module.Machine}/{module.Bits}-bit cannot be linked with {first.Machine}/{first.Bits}-bit {first.Path}");
            }

            var result = LinkOne(module, cursor);
            linked.Add(result);
            kernel.Add(ExportsOf(result));
            ulong end = result.Sections.Count == 0 ? cursor : result.Sections.Max(s => s.Address + s.Size);
            cursor = Align.Up(Math.Max(end, cursor), LinuxLayout.PageSize);
        }

        return new LinkedImage
        {
            Machine = first.Machine,
            RawMachine = ElfOutputKinds.Machine(first),
            Bits = first.Bits,
            ByteOrder = first.ByteOrder,
            Modules = linked,
        };
    }

    /// <summary>
    /// Links one module at <paramref name="baseAddress"/> against the symbols known now, without offering its exports to
    /// later links (add <see cref="ExportsOf"/> to the kernel symbols for that). Modules whose symbols do not depend on
    /// each other may be linked this way concurrently, as long as nothing is added to the kernel symbols meanwhile.
    /// </summary>
    /// <exception cref="UnresolvedSymbolsException">The module imports names no source defines.</exception>
    /// <exception cref="LinkException">The module cannot be laid out or relocated.</exception>
    public LinkedModule LinkModule(KernelModule module, ulong baseAddress)
    {
        PrepareFor([module]);
        return LinkOne(module, baseAddress);
    }

    private void PrepareFor(IReadOnlyList<KernelModule> modules)
    {
        if (kernel.WantsNames)
        {
            kernel.Prepare(ImportedNames(modules));
        }
    }

    private LinkedModule LinkOne(KernelModule module, ulong baseAddress)
    {
        string name = module.Name ?? Path.GetFileNameWithoutExtension(module.Path);
        var input = LinkInputs.For(module, name);
        if (module.ByteOrder != ByteOrder.LittleEndian)
        {
            throw new LinkException($"{name}: big-endian modules are not supported by this linker");
        }

        var applier = input.Applier(module)
            ?? throw new LinkException($"{name}: no relocation support for {RelocationAppliers.ArchitectureName(module.Machine)} (e_machine {module.RawMachine})");
        if (input.IsImage)
        {
            return new DynamicImageLinker(kernel, options).Link(module, name, baseAddress, applier);
        }

        var policy = options.Layout ?? input.DefaultLayout(module);
        var plt = input.PlanPlt(module);
        var request = new LayoutRequest(baseAddress, s => plt?.ShapeOf(s) ?? LayoutRequest.Own(s)) { HeaderCommands = input.HeaderCommands(module) };
        var layout = policy.Lay(module, request);
        input.CheckLayout(module, name, layout, policy);
        var commons = AllocateCommons(module, name, policy, layout, input);
        var data = LoadSections(module, name, layout, request);
        var (addresses, resolutions) = SymbolResolver.Resolve(module, name, layout, commons.Addresses, kernel, options, input);
        var runner = new RelocationRunner(module, name, layout, data, addresses, applier, plt, baseAddress, input.RelocationTables(module));
        input.Run(runner, module, name, layout, data, addresses);

        return new LinkedModule
        {
            Name = name,
            Module = module,
            Sections = BuildSections(module, layout, request, data, commons),
            Symbols = BuildSymbols(module, addresses),
            Resolutions = resolutions,
            RelocationCount = runner.Count,
            VeneerCount = runner.Veneers,
        };
    }

    internal sealed record CommonBlock(Dictionary<int, ulong> Addresses, ulong Start, ulong Size, ulong Alignment);

    private static CommonBlock AllocateCommons(KernelModule module, string name, ILayoutPolicy policy, SectionLayout layout, LinkInput input)
    {
        var addresses = new Dictionary<int, ulong>();
        ulong start = layout.End, cursor = start, maxAlign = 1;
        foreach (var symbol in module.Symbols)
        {
            if (symbol.Definition != SymbolDefinition.Common)
            {
                continue;
            }

            if (!policy.AllocatesCommons && !symbol.Name.StartsWith("__gnu_lto", StringComparison.Ordinal))
            {
                throw new LinkException($"{name}: please compile with -fno-common (common symbol {symbol.Name})");
            }

            var (alignment, size) = input.CommonShape(symbol);
            if (alignment > LinuxLayout.PageSize * 16)
            {
                throw new LinkException($"{name}: common symbol {symbol.Name} asks for an alignment of {alignment}");
            }

            maxAlign = Math.Max(maxAlign, alignment);
            cursor = Align.Up(cursor, alignment);
            addresses[symbol.Index] = cursor;
            if (size > MaxModuleBytes || (cursor += size) - start > MaxModuleBytes)
            {
                throw new LinkException($"{name}: common symbol {symbol.Name} ({size} bytes) is larger than a module may load");
            }
        }

        return new CommonBlock(addresses, start, cursor - start, maxAlign);
    }

    internal static byte[]?[] LoadSections(KernelModule module, string name, SectionLayout layout, LayoutRequest request)
    {
        var data = new byte[]?[module.Sections.Count];
        ulong total = 0;
        foreach (int index in layout.Order)
        {
            var section = module.Sections[index];
            ulong size = request.SizeOf(section);
            if (size > MaxModuleBytes || (total += size) > MaxModuleBytes || size < (ulong)section.Data.Length && section.HasContents)
            {
                throw new LinkException($"{name}: section {section.Name} ({size} bytes) is larger than a module may load");
            }

            byte[] bytes;
            if (section.HasContents)
            {
                // Only a grown tail (module PLTs) needs zeroing; the rest is overwritten by the copy.
                bytes = GC.AllocateUninitializedArray<byte>((int)size);
                section.Data.Span.CopyTo(bytes);
                bytes.AsSpan(section.Data.Length).Clear();
            }
            else
            {
                bytes = new byte[size];
            }

            data[index] = bytes;
        }

        return data;
    }

    internal static List<LinkedSection> BuildSections(KernelModule module, SectionLayout layout, LayoutRequest request, byte[]?[] data, CommonBlock commons)
    {
        var sections = layout.Order.Select(i => module.Sections[i]).Select(s =>
        {
            var (type, flags) = ElfOutputKinds.Section(module, s, request.ShapeOf(s).Flags);
            return new LinkedSection
            {
                Index = s.Index,
                Name = s.Name,
                Address = layout.AddressOf(s.Index),
                Alignment = request.AlignmentOf(s),
                RawFlags = flags,
                RawType = type,
                HasContents = s.HasContents,
                Data = data[s.Index]!,
            };
        }).ToList();
        if (commons.Size > 0)
        {
            sections.Add(new LinkedSection
            {
                Index = -1, Name = "COMMON", Address = commons.Start, Alignment = commons.Alignment, RawType = 8, RawFlags = 0x3,
                HasContents = false, Data = new byte[commons.Size],
            });
        }

        sections.Sort((a, b) => a.Address.CompareTo(b.Address));
        return sections;
    }

    internal static List<LinkedSymbol> BuildSymbols(KernelModule module, ulong[] addresses)
    {
        var result = new List<LinkedSymbol>();
        foreach (var s in module.Symbols)
        {
            if (s.Index > 0 && s.Name.Length > 0 && s.Type is not (SymbolType.Section or SymbolType.File))
            {
                result.Add(new LinkedSymbol(s.Name, addresses[s.Index], s.Binding, s.Type, s.Size, s.Definition == SymbolDefinition.Section ? s.SectionIndex : -1));
            }
        }

        return result;
    }

    private static HashSet<string> ImportedNames(IReadOnlyList<KernelModule> modules)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            foreach (var symbol in module.Symbols)
            {
                if (symbol.Definition == SymbolDefinition.Undefined && symbol.Name.Length > 0)
                {
                    names.Add(symbol.Name);
                }
            }
        }

        return names;
    }

    /// <summary>What a linked module offers the modules after it: its exports (Linux), else its global definitions.</summary>
    public static KernelSymbolList ExportsOf(LinkedModule linked)
    {
        var byName = new Dictionary<string, LinkedSymbol>(StringComparer.Ordinal);
        foreach (var s in linked.Symbols)
        {
            if (s.SectionIndex >= 0 && s.Binding is SymbolBinding.Global or SymbolBinding.Weak)
            {
                byName.TryAdd(s.Name, s);
            }
        }

        var exports = linked.Module.Exports;
        IEnumerable<(string Name, ModuleExport? Export)> names = exports.Count > 0
            ? exports.Select(e => (e.Name, (ModuleExport?)e))
            : byName.Keys.Select(n => (n, (ModuleExport?)null));
        var list = new List<KernelSymbol>();
        foreach (var (exportName, export) in names)
        {
            if (byName.TryGetValue(exportName, out var s))
            {
                list.Add(new KernelSymbol(exportName, s.Address, 'T', export?.Crc,
                    export is null ? null : export.GplOnly ? "EXPORT_SYMBOL_GPL" : "EXPORT_SYMBOL", export?.Namespace, linked.Name));
            }
        }

        return new KernelSymbolList(linked.Name, list);
    }
}
