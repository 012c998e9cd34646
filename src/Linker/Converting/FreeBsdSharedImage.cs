using System.Buffers.Binary;
using System.Text;
using LkmKit.Formats.Elf;
using LkmKit.Formats.Elf.Writing;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Converting;

/// <summary>
/// Links a converter's i386 <see cref="RelocatableObject"/> into the ET_DYN image FreeBSD's link_elf loads, as
/// kmod.mk's <c>ld -Bshareable -z notext --hash-style=sysv</c> does: three PT_LOAD segments (read-only with the headers
/// and dynamic tables, text, data) a page apart with file offsets following addresses, PT_PHDR and PT_DYNAMIC;
/// <c>.dynsym</c> with every global (the linker-set bounds <c>__start_set_*</c>/<c>__stop_set_*</c> defined, protected,
/// at their sections, as ld defines them) and every import; the SysV <c>.hash</c> link_elf_lookup_symbol needs (without
/// it no linker set, so no module, is found); <c>.rel.dyn</c> with R_386_RELATIVE for absolute references inside the
/// image (first, counted by DT_RELCOUNT) and R_386_32/R_386_PC32 against imports (addends in place); pc-relative
/// references inside the image resolved now; DT_TEXTREL when a dynamic relocation patches a read-only section.
/// </summary>
internal static class FreeBsdSharedImage
{
    private const uint R386Relative = 8;
    private const int PageSize = 0x1000, HeaderSize = 52, ProgramHeaderSize = 32, Segments = 5;
    private const uint DtNull = 0, DtHash = 4, DtStrTab = 5, DtSymTab = 6, DtStrSz = 10, DtSymEnt = 11, DtRel = 17,
        DtRelSz = 18, DtRelEnt = 19, DtTextRel = 22, DtFlags = 30, DtRelCount = 0x6ffffffa, DfTextRel = 4;
    private const byte StvProtected = 3;

    public static ElfFileDescription Build(RelocatableObject o)
    {
        var used = o.Sections.Where(s => s.Size > 0).ToList();
        var order = used.Where(s => (s.Flags & (ElfConstants.ShfWrite | ElfConstants.ShfExecInstr)) == 0)
            .Concat(used.Where(s => (s.Flags & ElfConstants.ShfExecInstr) != 0))
            .Concat(used.Where(s => (s.Flags & ElfConstants.ShfWrite) != 0 && s.Type != ElfConstants.ShtNoBits))
            .Concat(used.Where(s => s.Type == ElfConstants.ShtNoBits)).ToList();
        var bounds = SetBounds(o, used);
        var dynamic = o.Symbols.Where(s => s.Binding != ElfConstants.StbLocal && s.Name.Length > 0)
            .OrderBy(s => s.Section is null && !s.Absolute && !bounds.ContainsKey(s)).ToList();
        var dynamicIndex = dynamic.Select((s, k) => (s, k)).ToDictionary(p => p.s, p => (uint)p.k + 1);
        var dynstr = new ElfStringTableBuilder();
        var names = dynamic.Select(s => dynstr.Add(s.Name)).ToList();

        bool Defined(RelocatableObject.Symbol s) => s.Section is not null || bounds.ContainsKey(s);
        var relocations = used.SelectMany(s => s.Relocations.Select(r => (Section: s, r.Offset, r.Target, r.Type))).ToList();
        var dynamicRelocations = relocations.Where(r => r.Type == RelocatableObject.R386_32 ? !r.Target.Absolute : !Defined(r.Target)).ToList();
        bool textRelocations = dynamicRelocations.Any(r => (r.Section.Flags & ElfConstants.ShfWrite) == 0);
        int nbucket = Math.Max(1, (dynamic.Count + 1) / 2);
        var dynamicEntries = DynamicTags(textRelocations, dynamicRelocations.Count > 0);

        // Addresses: file offsets in the first segment, one more page per later segment (as ld.lld lays them out).
        var address = new Dictionary<RelocatableObject.Section, ulong>();
        ulong position = HeaderSize + (Segments * ProgramHeaderSize), delta = 0;
        ulong Place(ulong size, ulong alignment, bool occupiesFile = true)
        {
            position = Align(position, alignment);
            ulong at = position + delta;
            if (occupiesFile)
            {
                position += size;
            }

            return at;
        }

        ulong dynsymAt = Place((ulong)(dynamic.Count + 1) * 16, 4);
        ulong hashAt = Place((ulong)(2 + nbucket + dynamic.Count + 1) * 4, 4);
        ulong dynstrAt = Place((ulong)dynstr.Length, 1);
        ulong relAt = Place((ulong)dynamicRelocations.Count * 8, 4);
        // Read-only sections, then text, then .dynamic and the writable ones (the shim guarantees text and data).
        int previousGroup = 0;
        ulong dynamicAt = 0;
        foreach (var s in order)
        {
            int group = (s.Flags & ElfConstants.ShfExecInstr) != 0 ? 1 : (s.Flags & ElfConstants.ShfWrite) != 0 ? 2 : 0;
            if (group != previousGroup)
            {
                delta += PageSize;
                if (group == 2)
                {
                    dynamicAt = Place((ulong)dynamicEntries.Count * 8, 4);
                }
            }

            previousGroup = group;
            address[s] = Place(s.Size, s.Alignment, s.Type != ElfConstants.ShtNoBits);
        }

        if (previousGroup != 2 || !order.Any(s => (s.Flags & ElfConstants.ShfExecInstr) != 0))
        {
            throw new ConversionException("a FreeBSD kld needs text and writable data");
        }

        ulong ValueOf(RelocatableObject.Symbol s) => bounds.TryGetValue(s, out ulong bound) ? bound
            : s.Absolute ? s.Value : s.Section is { } section ? address[section] + s.Value : 0;
        foreach (var (symbol, (section, end)) in bounds.Keys.Select(b => (b, SetOf(b, used))).ToList())
        {
            bounds[symbol] = address[section] + (end ? section.Size : 0);
        }

        // Section contents with the relocations done at link time; the dynamic ones (RELATIVE first) for link_elf.
        var contents = used.Where(s => s.Type != ElfConstants.ShtNoBits).ToDictionary(s => s, s => s.Bytes.ToArray());
        var relative = new List<(ulong Offset, uint Info)>();
        var symbolic = new List<(ulong Offset, uint Info)>();
        foreach (var r in relocations)
        {
            var bytes = contents[r.Section].AsSpan((int)r.Offset, 4);
            ulong place = address[r.Section] + r.Offset;
            int addend = BinaryPrimitives.ReadInt32LittleEndian(bytes);
            if (!Defined(r.Target) && !r.Target.Absolute)
            {
                symbolic.Add((place, (dynamicIndex[r.Target] << 8) | r.Type));
                continue;
            }

            uint value = (uint)ValueOf(r.Target) + (uint)addend;
            if (r.Type == RelocatableObject.R386_PC32)
            {
                value -= (uint)place;
            }
            else if (!r.Target.Absolute)
            {
                relative.Add((place, R386Relative));
            }

            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        }

        var rel = Words(relative.OrderBy(r => r.Offset).Concat(symbolic.OrderBy(r => r.Offset)).Select(r => ((uint)r.Offset, r.Info)));
        var sectionIndex = new Dictionary<RelocatableObject.Section, uint>();
        uint nextIndex = 5;
        foreach (var s in order)
        {
            nextIndex += s == order.First(w => (w.Flags & ElfConstants.ShfWrite) != 0) ? 1u : 0u; // .dynamic comes first
            sectionIndex[s] = nextIndex++;
        }

        ElfSymbolDescription Describe(RelocatableObject.Symbol s)
        {
            bool bound = bounds.ContainsKey(s);
            uint section = s.Absolute ? ElfConstants.ShnAbs : bound ? sectionIndex[SetOf(s, used).Section] : s.Section is { } own ? sectionIndex[own] : 0;
            return new(s.Name, ValueOf(s), s.Size, (byte)((s.Binding << 4) | (bound ? ElfConstants.SttNoType : s.Type)), bound ? StvProtected : (byte)0, section, s.Absolute);
        }

        var dynsym = new byte[(dynamic.Count + 1) * 16];
        for (int i = 0; i < dynamic.Count; i++)
        {
            var d = Describe(dynamic[i]);
            var entry = dynsym.AsSpan((i + 1) * 16, 16);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, names[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)d.Value);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)d.Size);
            entry[12] = d.Info;
            entry[13] = d.Other;
            BinaryPrimitives.WriteUInt16LittleEndian(entry[14..], (ushort)d.SectionIndex);
        }

        var values = new Dictionary<uint, ulong>
        {
            [DtFlags] = DfTextRel, [DtRel] = relAt, [DtRelSz] = (ulong)rel.Length, [DtRelEnt] = 8, [DtRelCount] = (ulong)relative.Count,
            [DtSymTab] = dynsymAt, [DtSymEnt] = 16, [DtStrTab] = dynstrAt, [DtStrSz] = (ulong)dynstr.Length, [DtTextRel] = 0,
            [DtHash] = hashAt, [DtNull] = 0,
        };
        var dynamicBytes = Words(dynamicEntries.Select(tag => (tag, (uint)values[tag])));

        var sections = new List<ElfSectionDescription>
        {
            new() { Name = ".dynsym", Type = ElfConstants.ShtDynSym, Flags = ElfConstants.ShfAlloc, Address = dynsymAt, Alignment = 4, EntrySize = 16, Link = 3, Info = 1, Data = dynsym },
            new() { Name = ".hash", Type = ElfConstants.ShtHash, Flags = ElfConstants.ShfAlloc, Address = hashAt, Alignment = 4, EntrySize = 4, Link = 1, Data = Hash(dynamic, nbucket) },
            new() { Name = ".dynstr", Type = ElfConstants.ShtStrTab, Flags = ElfConstants.ShfAlloc, Address = dynstrAt, Alignment = 1, Data = Bytes(dynstr) },
            new() { Name = ".rel.dyn", Type = ElfConstants.ShtRel, Flags = ElfConstants.ShfAlloc, Address = relAt, Alignment = 4, EntrySize = 8, Link = 1, Data = rel },
        };
        int firstWritable = 0, lastReadOnly = 4, lastText = 0;
        foreach (var s in order)
        {
            if ((s.Flags & ElfConstants.ShfWrite) != 0 && firstWritable == 0)
            {
                sections.Add(DynamicSection(dynamicAt, dynamicBytes));
                firstWritable = sections.Count;
            }

            sections.Add(new ElfSectionDescription
            {
                Name = s.Name, Type = s.Type, Flags = s.Flags, Address = address[s], Alignment = s.Alignment,
                Data = s.Type == ElfConstants.ShtNoBits ? default : contents[s], Size = s.NoBitsSize,
            });
            if ((s.Flags & ElfConstants.ShfExecInstr) != 0)
            {
                lastText = sections.Count;
            }
            else if ((s.Flags & ElfConstants.ShfWrite) == 0)
            {
                lastReadOnly = sections.Count;
            }
        }

        var symbols = o.Symbols.Where(s => s.Type != ElfConstants.SttSection && s.Name.Length > 0).Select(Describe).ToList();
        sections.Add(new ElfSectionDescription { Name = ".symtab", Type = ElfConstants.ShtSymTab, Link = (uint)sections.Count + 2, Alignment = 4, Symbols = symbols });
        sections.Add(new ElfSectionDescription { Name = ".strtab", Type = ElfConstants.ShtStrTab });
        int dynamicIndexInSections = sections.FindIndex(s => s.Type == ElfConstants.ShtDynamic) + 1;
        return new ElfFileDescription
        {
            Bits = 32, ByteOrder = ByteOrder.LittleEndian, Type = ElfConstants.TypeDyn, Machine = ElfConstants.Machine386,
            OsAbi = ElfConstants.OsAbiFreeBsd, Sections = sections,
            Segments =
            [
                new(ElfConstants.PtPhdr, 4, 4, 0, 0, CoversHeaders: true),
                new(ElfConstants.PtLoad, 4, PageSize, 1, lastReadOnly, CoversHeaders: true),
                new(ElfConstants.PtLoad, 5, PageSize, lastReadOnly + 1, lastText),
                new(ElfConstants.PtLoad, 6, PageSize, firstWritable, sections.Count - 2),
                new(ElfConstants.PtDynamic, 6, 4, dynamicIndexInSections, dynamicIndexInSections),
            ],
        };
    }

    private static ElfSectionDescription DynamicSection(ulong address, byte[] bytes) => new()
    {
        Name = ".dynamic", Type = ElfConstants.ShtDynamic, Flags = ElfConstants.ShfAlloc | ElfConstants.ShfWrite, Address = address,
        Alignment = 4, EntrySize = 8, Link = 3, Data = bytes,
    };

    private static List<uint> DynamicTags(bool textRelocations, bool relocations)
    {
        var tags = new List<uint>();
        if (textRelocations) tags.Add(DtFlags);
        if (relocations) tags.AddRange([DtRel, DtRelSz, DtRelEnt, DtRelCount]);
        tags.AddRange([DtSymTab, DtSymEnt, DtStrTab, DtStrSz]);
        if (textRelocations) tags.Add(DtTextRel);
        tags.AddRange([DtHash, DtNull]);
        return tags;
    }

    /// <summary>The undefined <c>__start_SET</c>/<c>__stop_SET</c> symbols naming an output section (value filled later).</summary>
    private static Dictionary<RelocatableObject.Symbol, ulong> SetBounds(RelocatableObject o, List<RelocatableObject.Section> used) =>
        o.Symbols.Where(s => s.Section is null && !s.Absolute && s.Binding != ElfConstants.StbLocal && TrySetOf(s, used, out _))
            .ToDictionary(s => s, _ => 0UL);

    private static (RelocatableObject.Section Section, bool End) SetOf(RelocatableObject.Symbol s, List<RelocatableObject.Section> used) =>
        TrySetOf(s, used, out var set) ? set : throw new InvalidOperationException(s.Name);

    private static bool TrySetOf(RelocatableObject.Symbol s, List<RelocatableObject.Section> used, out (RelocatableObject.Section Section, bool End) set)
    {
        foreach (var (prefix, end) in new[] { ("__start_", false), ("__stop_", true) })
        {
            if (s.Name.StartsWith(prefix, StringComparison.Ordinal) && used.FirstOrDefault(u => u.Name == s.Name[prefix.Length..]) is { } section)
            {
                set = (section, end);
                return true;
            }
        }

        set = default;
        return false;
    }

    /// <summary>The SysV hash table: nbucket, nchain, the buckets, then one chain link per symbol (System V ABI).</summary>
    private static byte[] Hash(List<RelocatableObject.Symbol> dynamic, int nbucket)
    {
        int nchain = dynamic.Count + 1;
        var words = new uint[2 + nbucket + nchain];
        words[0] = (uint)nbucket;
        words[1] = (uint)nchain;
        for (int i = 1; i < nchain; i++)
        {
            int bucket = 2 + (int)(ElfHash(dynamic[i - 1].Name) % (uint)nbucket);
            words[2 + nbucket + i] = words[bucket];
            words[bucket] = (uint)i;
        }

        var bytes = new byte[words.Length * 4];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), words[i]);
        }

        return bytes;
    }

    internal static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (byte c in Encoding.UTF8.GetBytes(name))
        {
            h = (h << 4) + c;
            uint g = h & 0xf000_0000;
            if (g != 0)
            {
                h ^= g >> 24;
            }

            h &= ~g;
        }

        return h;
    }

    /// <summary>Pairs of little-endian 32-bit words: REL entries (r_offset, r_info) or dynamic entries (d_tag, d_val).</summary>
    private static byte[] Words(IEnumerable<(uint First, uint Second)> pairs)
    {
        var list = pairs.ToList();
        var bytes = new byte[list.Count * 8];
        for (int i = 0; i < list.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 8), list[i].First);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((i * 8) + 4), list[i].Second);
        }

        return bytes;
    }

    private static byte[] Bytes(ElfStringTableBuilder table)
    {
        var bytes = new byte[table.Length];
        table.CopyTo(bytes);
        return bytes;
    }

    private static ulong Align(ulong value, ulong alignment) => alignment <= 1 ? value : (value + alignment - 1) / alignment * alignment;
}
