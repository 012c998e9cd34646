using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Output;

/// <summary>
/// Writes a <see cref="LinkedImage"/> as a little-endian ELF executable: one section per loaded input section at its
/// address (same name; with several modules the name is prefixed <c>MODULE:</c>), one PT_LOAD program header per
/// section, and a symbol table with the final addresses. The file itself is laid out by <see cref="ElfWriter"/>.
/// </summary>
internal static class ElfImageWriter
{
    private const ulong MaxFileAlignment = 4096;

    /// <summary>Writes <paramref name="image"/> to <paramref name="path"/>.</summary>
    public static void Write(LinkedImage image, string path) => File.WriteAllBytes(path, Build(image));

    /// <summary>The ELF file bytes of <paramref name="image"/>.</summary>
    /// <exception cref="LinkException">An address, size or value of a 32-bit image does not fit ELF32.</exception>
    public static byte[] Build(LinkedImage image)
    {
        try
        {
            return ElfWriter.Build(Describe(image));
        }
        catch (OverflowException)
        {
            // Found by the fuzzer: a hostile 32-bit module can be laid out past 4 GiB; ELF32 cannot say so.
            throw new LinkException("the linked image does not fit ELF32: an address, size or symbol value exceeds 32 bits");
        }
    }

    private static ElfFileDescription Describe(LinkedImage image)
    {
        bool is64 = image.Bits == 64;
        bool prefix = image.Modules.Count > 1;
        var placed = image.Modules.SelectMany(m => m.Sections.Select(s => (Module: m, Section: s))).ToList();
        var sectionNumber = new Dictionary<(LinkedModule, int), int>();
        var sections = new List<ElfSectionDescription>(placed.Count + 2);
        var segments = new List<ElfSegmentDescription>(placed.Count);
        foreach (var (module, s) in placed)
        {
            sectionNumber[(module, s.Index)] = sections.Count + 1;
            segments.Add(new ElfSegmentDescription(ElfConstants.PtLoad, SegmentFlags(s), Math.Max(1, s.Alignment), sections.Count + 1, sections.Count + 1));
            sections.Add(new ElfSectionDescription
            {
                Name = prefix ? $"{module.Name}:{s.Name}" : s.Name,
                Type = s.HasContents ? (s.RawType == ElfConstants.ShtNoBits ? ElfConstants.ShtProgBits : s.RawType) : ElfConstants.ShtNoBits,
                Flags = s.RawFlags & (ElfConstants.ShfWrite | ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr),
                Address = s.Address,
                Alignment = s.Alignment,
                Data = s.HasContents ? s.Data : default,
                Size = s.Size,
            });
        }

        // A symbol outside every loaded input section (undefined, absolute, or in a section the linker made, which has
        // no input index) keeps its value as an absolute one.
        var symbols = image.Modules.SelectMany(m => m.Symbols.Select(s => (Module: m, Symbol: s)))
            .Select(p => p.Symbol.SectionIndex >= 0 && sectionNumber.TryGetValue((p.Module, p.Symbol.SectionIndex), out int n)
                ? new ElfSymbolDescription(p.Symbol.Name, p.Symbol.Address, p.Symbol.Size, Info(p.Symbol), 0, (uint)n)
                : new ElfSymbolDescription(p.Symbol.Name, p.Symbol.Address, p.Symbol.Size, Info(p.Symbol), 0, ElfConstants.ShnAbs, IsReservedIndex: true))
            .ToList();
        int symtab = sections.Count + 1;
        sections.Add(new ElfSectionDescription { Name = ".symtab", Type = ElfConstants.ShtSymTab, Link = (uint)symtab + 1, Alignment = is64 ? 8UL : 4UL, Symbols = symbols });
        sections.Add(new ElfSectionDescription { Name = ".strtab", Type = ElfConstants.ShtStrTab });
        return new ElfFileDescription
        {
            Bits = image.Bits,
            ByteOrder = ByteOrder.LittleEndian,
            Type = ElfConstants.TypeExec,
            Machine = (ushort)image.RawMachine,
            SectionHeaderAlignment = 8,
            Sections = sections,
            Segments = segments,
        };
    }

    private static uint SegmentFlags(LinkedSection s) =>
        4u | ((s.RawFlags & ElfConstants.ShfWrite) != 0 ? 2u : 0) | ((s.RawFlags & ElfConstants.ShfExecInstr) != 0 ? 1u : 0);

    private static byte Info(in LinkedSymbol s)
    {
        int bind = s.Binding switch { SymbolBinding.Global => ElfConstants.StbGlobal, SymbolBinding.Weak => ElfConstants.StbWeak, _ => ElfConstants.StbLocal };
        int type = s.Type switch
        {
            SymbolType.Object or SymbolType.Common => ElfConstants.SttObject,
            SymbolType.Function => ElfConstants.SttFunc,
            SymbolType.Tls => ElfConstants.SttTls,
            _ => ElfConstants.SttNoType,
        };
        return (byte)((bind << 4) | type);
    }
}
