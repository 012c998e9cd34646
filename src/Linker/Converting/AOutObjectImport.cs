using LkmKit.Formats.AOut;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Flavors.Lkm;
using LkmKit.Formats.Model;
using LkmKit.Linker.AOut;

namespace LkmKit.Linker.Converting;

/// <summary>
/// Moves an i386 OMAGIC a.out LKM into a <see cref="RelocatableObject"/> (reference: non-elf-modules §2.11): text,
/// data and bss become <c>.text</c>, <c>.data</c>, <c>.bss</c>; commons are allocated at the end of <c>.bss</c> as BSD
/// ld did on i386 (size rounded to 4, 4-byte aligned); symbols lose one leading <c>_</c>; relocations become
/// R_386_32/R_386_PC32 with the ELF-equivalent addend written in place. 8- and 16-bit fields are refused: no module
/// loader of a target applies them.
/// </summary>
internal sealed class AOutObjectImport
{
    private readonly Dictionary<int, RelocatableObject.Symbol> _symbolOf = [];

    public required RelocatableObject Object { get; init; }

    public required RelocatableObject.Section Text { get; init; }

    public required RelocatableObject.Section Data { get; init; }

    public required RelocatableObject.Section Bss { get; init; }

    /// <summary>The output symbol for a.out model symbol <paramref name="index"/> (null for stabs and absolute segment records).</summary>
    public RelocatableObject.Symbol? SymbolOf(int index) => _symbolOf.GetValueOrDefault(index);

    /// <summary>The output section and offset of an object address inside text/data/bss.</summary>
    public (RelocatableObject.Section Section, ulong Offset) At(KernelModule module, ulong objectAddress)
    {
        ulong text = module.Sections[AOutSymbolClassifier.TextSection].Size, data = module.Sections[AOutSymbolClassifier.DataSection].Size;
        return objectAddress < text ? (Text, objectAddress)
            : objectAddress < text + data ? (Data, objectAddress - text)
            : (Bss, objectAddress - text - data);
    }

    /// <summary>The LKM's descriptor (its static <c>_module</c>) as output section and offset.</summary>
    /// <exception cref="ConversionException">The descriptor was not found.</exception>
    public (RelocatableObject.Section Section, ulong Offset) Descriptor(KernelModule module, LkmModuleDetails details) =>
        details.DescriptorAddress is { } address ? At(module, address) : throw new ConversionException("the LKM descriptor (_module) was not found");

    /// <summary>The output symbol of the LKM's entry point.</summary>
    /// <exception cref="ConversionException">The entry point has no ELF symbol.</exception>
    public RelocatableObject.Symbol Entry(KernelModule module, LkmModuleDetails details) =>
        SymbolOf(module.Symbols.First(s => s.Name == details.EntrySymbol).Index)
        ?? throw new ConversionException($"entry point {details.EntrySymbol} has no ELF symbol");

    /// <summary>
    /// Imports <paramref name="module"/>; a.out names in <paramref name="provided"/> (after the <c>_</c> is stripped) are
    /// bound to those symbols instead of being imported from the kernel.
    /// </summary>
    /// <exception cref="ConversionException">Not an i386 OMAGIC object, or a symbol or relocation has no ELF equivalent.</exception>
    public static AOutObjectImport Run(KernelModule module, RelocatableObject o, IReadOnlyDictionary<string, RelocatableObject.Symbol> provided)
    {
        try
        {
            AOutLinkInput.Prepare(module, module.Name ?? module.Path);
        }
        catch (LinkException e)
        {
            throw new ConversionException(e.Message);
        }

        var import = new AOutObjectImport
        {
            Object = o,
            Text = o.AddSection(".text", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr, 4),
            Data = o.AddSection(".data", ElfConstants.ShtProgBits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite, 4),
            Bss = o.AddSection(".bss", ElfConstants.ShtNoBits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite, 4),
        };
        import.Text.Append(module.Sections[AOutSymbolClassifier.TextSection].Data.Span);
        import.Data.Append(module.Sections[AOutSymbolClassifier.DataSection].Data.Span);
        import.Bss.NoBitsSize = module.Sections[AOutSymbolClassifier.BssSection].Size;
        import.ImportSymbols(module, provided);
        import.ImportRelocations(module);
        return import;
    }

    /// <summary>An a.out C name without its leading underscore.</summary>
    public static string ElfName(string name) => name.StartsWith('_') ? name[1..] : name;

    private void ImportSymbols(KernelModule module, IReadOnlyDictionary<string, RelocatableObject.Symbol> provided)
    {
        RelocatableObject.Section[] segments = [Text, Data, Bss];
        for (int s = 0; s < 3; s++)
        {
            _symbolOf[1 + s] = segments[s].SectionSymbol!;
        }

        foreach (var symbol in module.Symbols.Skip(AOutModelBuilder.FirstFileSymbol))
        {
            if ((symbol.RawInfo & AOutConstants.NStabMask) != 0 || symbol.RawInfo == AOutConstants.NFn)
            {
                continue;
            }

            string name = ElfName(symbol.Name);
            byte binding = symbol.Binding switch { SymbolBinding.Global => ElfConstants.StbGlobal, SymbolBinding.Weak => ElfConstants.StbWeak, _ => ElfConstants.StbLocal };
            switch (symbol.Definition)
            {
                case SymbolDefinition.Undefined:
                    _symbolOf[symbol.Index] = provided.TryGetValue(name, out var own) ? own : Object.Import(name);
                    break;
                case SymbolDefinition.Common:
                    ulong size = (symbol.Size + 3) & ~3UL;
                    Bss.NoBitsSize = (Bss.NoBitsSize + 3) & ~3UL;
                    _symbolOf[symbol.Index] = Object.AddSymbol(new(name, Bss, Bss.NoBitsSize, binding, ElfConstants.SttObject, symbol.Size));
                    Bss.NoBitsSize += size;
                    break;
                case SymbolDefinition.Absolute:
                    _symbolOf[symbol.Index] = Object.AddSymbol(new(name, null, symbol.Value, binding, ElfConstants.SttNoType, 0) { Absolute = true });
                    break;
                case SymbolDefinition.Section:
                    var (section, offset) = At(module, symbol.Value);
                    byte type = section == Text && binding != ElfConstants.StbLocal ? ElfConstants.SttFunc : ElfConstants.SttNoType;
                    _symbolOf[symbol.Index] = Object.AddSymbol(new(name, section, offset, binding, type, 0));
                    break;
                default:
                    throw new ConversionException($"symbol {symbol.Name} ({symbol.Definition}) has no ELF equivalent in a relocatable module");
            }
        }
    }

    private void ImportRelocations(KernelModule module)
    {
        foreach (var table in AOutLinkInput.Relocations(module))
        {
            var target = table.TargetSectionIndex == AOutSymbolClassifier.TextSection ? Text : Data;
            foreach (var r in table.Relocations)
            {
                string where = $"{target.Name}+0x{r.Offset:x}";
                if (r.Width != 32)
                {
                    throw new ConversionException($"{where}: a {r.Width}-bit relocation field ({AOutRelocationTypes.Name(r.RawType)}): no target's module loader applies 8- or 16-bit relocations");
                }

                bool pcRelative = (r.RawType & AOutRelocationTypes.PcRel) != 0;
                if (r.SymbolIndex == 0)
                {
                    if (pcRelative)
                    {
                        throw new ConversionException($"{where}: a pc-relative reference to an absolute address cannot be kept in a relocatable module");
                    }

                    continue; // N_ABS segment-relative: the value in place is final
                }

                var symbol = SymbolOf((int)r.SymbolIndex) ?? throw new ConversionException($"{where}: the relocation names a.out symbol {r.SymbolIndex}, which has no ELF equivalent");
                long addend = r.Addend;
                if (symbol.Absolute)
                {
                    throw new ConversionException($"{where}: relocation against the absolute symbol {symbol.Name}");
                }

                target.WriteWord(r.Offset, checked((int)addend));
                target.Relocations.Add((r.Offset, symbol, pcRelative ? RelocatableObject.R386_PC32 : RelocatableObject.R386_32));
            }
        }
    }
}
