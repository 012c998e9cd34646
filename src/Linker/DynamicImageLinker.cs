using LkmKit.Formats.Elf;
using LkmKit.Formats.Model;
using LkmKit.Linker.Layout;
using LkmKit.Linker.Output;
using LkmKit.Linker.Relocation;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker;

/// <summary>
/// Links a FreeBSD ET_DYN module the way sys/kern/link_elf.c loads it: the image is mapped as one block
/// (<see cref="ImageLayout"/>; a layout policy does not apply, the load address is the base), then the dynamic
/// relocation tables (the allocated image-wide REL/RELA sections, in header order, as DT_REL, DT_RELA, DT_JMPREL) are
/// applied with B = the relocation base. Symbols come from the tables' own symbol table (<c>.dynsym</c>) as elf_lookup
/// gives them: a local symbol is B + value; a global one the image defines is B + value (the module is searched
/// first); any other is looked up by name in the kernel and the modules linked before (an unresolved weak one is 0).
/// Only symbols a relocation uses are looked up (RELATIVE uses none), so an unused undefined symbol is no error.
/// </summary>
internal sealed class DynamicImageLinker(KernelSymbols kernel, LinkOptions options)
{
    /// <summary>The start of the OS-specific section types the GNU/Sun tables use (hash, version records, attributes).</summary>
    private const uint GnuOsSpecificLow = 0x6ffffff0;

    /// <summary>Maps <paramref name="module"/> at <paramref name="loadAddress"/> and applies its dynamic relocations.</summary>
    public LinkedModule Link(KernelModule module, string name, ulong loadAddress, IRelocationApplier applier)
    {
        if (options.Layout is not null)
        {
            throw new LinkException($"{name}: --layout {options.Layout.Name} does not apply to an ET_DYN module: link_elf maps its image as one block (set the load address with --base)");
        }

        ulong relocationBase = ImageLayout.RelocationBase(module, loadAddress);
        var request = LayoutRequest.Plain(relocationBase);
        var layout = new ImageLayout().Lay(module, request);
        var data = ModuleLinker.LoadSections(module, name, layout, request);
        var map = new ImageSectionMap(module, layout);
        var tables = module.RelocationSections
            .Where(t => t.TargetSectionIndex < 0 && t.Index >= 0 && t.Index < module.Sections.Count && module.Sections[t.Index].IsAllocated)
            .ToList();

        var resolutions = new List<SymbolResolution>();
        var symbolsByTable = new Dictionary<int, ulong[]>();
        foreach (var group in tables.GroupBy(t => t.SymbolTableIndex))
        {
            var symbols = group.First().Symbols ?? module.Symbols;
            var used = UsedSymbols(group, symbols.Count);
            var (addresses, found) = SymbolResolver.Resolve(symbols, module.Machine, name,
                s => OwnAddress(s, used[s.Index], relocationBase, name, group.First().Name), kernel, options);
            symbolsByTable[group.Key] = addresses;
            resolutions.AddRange(found);
        }

        var runner = new RelocationRunner(module, name, layout, data, [], applier, null, relocationBase);
        foreach (var table in tables)
        {
            runner.RunImageWide(table, symbolsByTable[table.SymbolTableIndex], map);
        }

        return new LinkedModule
        {
            Name = name,
            Module = module,
            Sections = AsPlainData(ModuleLinker.BuildSections(module, layout, request, data, new ModuleLinker.CommonBlock([], 0, 0, 1))),
            Symbols = ModuleLinker.BuildSymbols(module, SymbolTableAddresses(module, relocationBase, resolutions)),
            Resolutions = resolutions,
            RelocationCount = runner.Count,
        };
    }

    /// <summary>
    /// The sections with the image's own tables (.dynsym, .hash, .rel.dyn, .dynamic: types whose sh_link and sh_entsize
    /// matter) typed PROGBITS, because the image writer writes neither; their bytes are kept as loaded.
    /// </summary>
    private static List<LinkedSection> AsPlainData(List<LinkedSection> sections)
    {
        for (int i = 0; i < sections.Count; i++)
        {
            var s = sections[i];
            if (s.RawType is ElfConstants.ShtSymTab or ElfConstants.ShtRela or ElfConstants.ShtHash or ElfConstants.ShtDynamic or ElfConstants.ShtRel or ElfConstants.ShtDynSym
                || s.RawType >= GnuOsSpecificLow && s.RawType <= ElfConstants.ShtGnuVerSym)
            {
                sections[i] = new LinkedSection
                {
                    Index = s.Index, Name = s.Name, Address = s.Address, Alignment = s.Alignment, RawType = ElfConstants.ShtProgBits, RawFlags = s.RawFlags,
                    HasContents = s.HasContents, Data = s.Data,
                };
            }
        }

        return sections;
    }

    /// <summary>
    /// Which symbols the tables' relocations look up: those named by a relocation that computes with S (not NONE, RELATIVE,
    /// COPY, TLS or GOT types, which the loader refuses before any lookup, so that the refusal names the type).
    /// </summary>
    private static bool[] UsedSymbols(IEnumerable<ModuleRelocationSection> tables, int count)
    {
        var used = new bool[count];
        foreach (var table in tables)
        {
            foreach (var r in table.Relocations)
            {
                if (r.SymbolIndex < (uint)count && r.Kind is RelocationKind.Absolute or RelocationKind.PcRelative or RelocationKind.Branch
                    or RelocationKind.SymbolPointer or RelocationKind.PageRelative or RelocationKind.PageOffset or RelocationKind.MoveWide)
                {
                    used[r.SymbolIndex] = true;
                }
            }
        }

        return used;
    }

    /// <summary>elf_lookup's answer for a symbol the image gives an address itself, or null for one to look up by name.</summary>
    private static ulong? OwnAddress(ModuleSymbol s, bool used, ulong relocationBase, string name, string table)
    {
        bool defined = s.Definition != SymbolDefinition.Undefined || (s.Value != 0 && s.Type == SymbolType.Function);
        if (s.Binding == SymbolBinding.Local)
        {
            return !used || (s.Definition != SymbolDefinition.Undefined && s.Value != 0)
                ? relocationBase + s.Value
                : throw new LinkException($"{name}: {table}: a relocation uses local symbol {s.Index} '{s.Name}', which has no value (link_elf refuses it)");
        }

        if (defined || !used)
        {
            return defined ? relocationBase + s.Value : 0;
        }

        return s.Name.Length > 0 ? null : throw new LinkException($"{name}: {table}: a relocation uses global symbol {s.Index}, which has no name (link_elf refuses it)");
    }

    /// <summary>
    /// The addresses of the module's own symbol table (<c>.symtab</c> when present) for the linked image: defined symbols at
    /// B + value, undefined ones where the dynamic relocations' lookup found them (0 when no relocation used them).
    /// </summary>
    private static ulong[] SymbolTableAddresses(KernelModule module, ulong relocationBase, List<SymbolResolution> resolutions)
    {
        var found = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var r in resolutions)
        {
            found.TryAdd(r.Name, r.Address);
        }

        var symbols = module.Symbols;
        var addresses = new ulong[symbols.Count];
        for (int i = 1; i < addresses.Length; i++)
        {
            var s = symbols[i];
            addresses[i] = s.Definition != SymbolDefinition.Undefined ? relocationBase + s.Value : found.GetValueOrDefault(s.Name);
        }

        return addresses;
    }
}
