using System.Buffers.Binary;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests.Writing;

/// <summary>
/// Describes a module read from an ELF file back to <see cref="ElfWriter"/>: the symbol table the model exposes, its
/// string table, the section names and every relocation table are regenerated from the model; other sections are
/// copied; program headers cover the allocated sections in their address ranges.
/// </summary>
internal static class ElfRewrite
{
    public static ElfFileDescription Describe(KernelModule module, ElfFile elf, ByteOrder? byteOrder = null)
    {
        int symtab = ElfModelBuilder.PrimarySymbolTable(elf);
        int symbolStrings = symtab > 0 ? (int)module.Sections[symtab].Link : -1;
        int names = elf.Header.SectionNameTableIndex;
        var order = byteOrder ?? module.ByteOrder;
        bool flip = order != module.ByteOrder;
        var relocationsOf = module.RelocationSections.ToDictionary(r => r.Index);
        var flipped = flip ? FlipRelocatedPlaces(module) : null;

        var sections = new List<ElfSectionDescription>();
        foreach (var s in module.Sections.Skip(1))
        {
            var d = new ElfSectionDescription
            {
                Name = s.Name, Type = s.RawType, Flags = s.RawFlags, Address = s.Address, Alignment = s.Alignment,
                EntrySize = s.EntrySize, Link = s.Link, Info = s.Info, Size = s.Size,
                Data = flipped is not null && flipped.TryGetValue(s.Index, out var bytes) ? bytes : s.Data,
            };
            if (s.Index == symtab)
            {
                d = d with { Data = default, Symbols = [.. module.Symbols.Skip(1).Select(Symbol)] };
            }
            else if (relocationsOf.TryGetValue(s.Index, out var table))
            {
                d = d with { Data = default, Relocations = [.. table.Relocations.Select(r => new ElfRelocationDescription(r.Offset, r.SymbolIndex, r.RawType, r.Addend))] };
            }
            else if (s.Index == names || s.Index == symbolStrings)
            {
                d = d with { Data = default };
            }

            sections.Add(d);
        }

        return new ElfFileDescription
        {
            Bits = module.Bits, ByteOrder = order, Type = elf.Header.Type, Machine = elf.Header.Machine,
            OsAbi = elf.Header.OsAbi, AbiVersion = elf.Header.AbiVersion, Flags = elf.Header.Flags, Entry = elf.Header.Entry,
            SectionNameTable = names, Sections = sections, Segments = Segments(module, elf),
        };
    }

    private static ElfSymbolDescription Symbol(ModuleSymbol s) => new(
        s.Name, s.Value, s.Size, (byte)s.RawInfo, (byte)s.RawOther,
        s.Definition switch
        {
            SymbolDefinition.Section => (uint)s.SectionIndex,
            SymbolDefinition.Undefined => 0,
            _ => s.RawSectionIndex,
        },
        s.Definition is not (SymbolDefinition.Section or SymbolDefinition.Undefined));

    private static List<ElfSegmentDescription> Segments(KernelModule module, ElfFile elf)
    {
        var result = new List<ElfSegmentDescription>();
        foreach (var ph in elf.ReadProgramHeaders())
        {
            var inside = module.Sections.Where(s => s.IsAllocated && s.Address >= ph.VirtualAddress && s.Address < ph.VirtualAddress + ph.MemorySize).Select(s => s.Index).ToList();
            bool headers = ph.Type == ElfConstants.PtPhdr || (ph.Type == ElfConstants.PtLoad && ph.Offset == 0);
            result.Add(inside.Count == 0
                ? new ElfSegmentDescription(ph.Type, ph.Flags, ph.Align, 0, 0, headers)
                : new ElfSegmentDescription(ph.Type, ph.Flags, ph.Align, inside.Min(), inside.Max(), headers));
        }

        return result;
    }

    /// <summary>For a byte-order flip: each relocated section's copy with the in-place addends byte-swapped.</summary>
    private static Dictionary<int, ReadOnlyMemory<byte>> FlipRelocatedPlaces(KernelModule module)
    {
        var result = new Dictionary<int, ReadOnlyMemory<byte>>();
        foreach (var table in module.RelocationSections.Where(t => !t.HasExplicitAddends && t.TargetSectionIndex > 0))
        {
            if (!result.TryGetValue(table.TargetSectionIndex, out var copy))
            {
                copy = module.Sections[table.TargetSectionIndex].Data.ToArray();
                result[table.TargetSectionIndex] = copy;
            }

            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsMemory(copy).Span;
            foreach (var r in table.Relocations)
            {
                var place = bytes.Slice((int)r.Offset, r.Width / 8);
                place.Reverse();
            }
        }

        foreach (var s in module.Sections.Where(s => s.RawType == ElfConstants.ShtNote))
        {
            var copy = s.Data.ToArray();
            for (int at = 0; at + 12 <= copy.Length;)
            {
                uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(at)), descSize = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(at + 4));
                if (module.ByteOrder == ByteOrder.BigEndian)
                {
                    nameSize = BinaryPrimitives.ReverseEndianness(nameSize);
                    descSize = BinaryPrimitives.ReverseEndianness(descSize);
                }

                for (int word = 0; word < 3; word++)
                {
                    copy.AsSpan(at + 4 * word, 4).Reverse();
                }

                at += 12 + (int)((nameSize + 3) & ~3u) + (int)((descSize + 3) & ~3u);
            }

            result[s.Index] = copy;
        }

        return result;
    }
}
