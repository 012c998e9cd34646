using System.Buffers.Binary;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Relocation;

/// <summary>
/// The arm64 module PLTs (arch/arm64/kernel/module-plts.c): the loader grows the module's <c>.plt</c> and
/// <c>.init.plt</c> sections to hold one 12-byte veneer (<c>adrp x16; add x16; br x16</c>) per CALL26/JUMP26 that
/// targets a symbol outside the branch's own section (same symbol and zero addend counted once), plus one, and
/// routes an out-of-range branch through a new entry, reusing the previous entry when it has the same target.
/// </summary>
internal sealed class AArch64ModulePlt
{
    /// <summary>The size of one PLT entry.</summary>
    public const int EntrySize = 12;

    /// <summary>The alignment the loader gives the PLT sections (L1_CACHE_BYTES).</summary>
    public const ulong SectionAlignment = 64;

    private readonly Region _core;
    private readonly Region _init;

    private AArch64ModulePlt(Region core, Region init)
    {
        _core = core;
        _init = init;
    }

    /// <summary>One PLT section: its index, capacity and how many entries are used.</summary>
    private sealed class Region(int sectionIndex, int capacity)
    {
        public int SectionIndex { get; } = sectionIndex;
        public int Capacity { get; } = capacity;
        public int Used { get; set; }
    }

    /// <summary>The PLT plan of <paramref name="module"/>: which sections hold the veneers and how many each may need.</summary>
    public static AArch64ModulePlt Plan(KernelModule module)
    {
        int core = -1, init = -1;
        foreach (var section in module.Sections)
        {
            if (section.Name == ".plt")
            {
                core = section.Index;
            }
            else if (section.Name == ".init.plt")
            {
                init = section.Index;
            }
        }

        int coreCount = 0, initCount = 0;
        foreach (var table in module.RelocationSections)
        {
            int target = table.TargetSectionIndex;
            if (target < 0 || target >= module.Sections.Count || !module.Sections[target].IsExecutable)
            {
                continue;
            }

            var seen = new HashSet<(uint, uint)>();
            int count = 0;
            foreach (var r in table.Relocations)
            {
                if (r.RawType is not (282 or 283) || r.SymbolIndex >= module.Symbols.Count)
                {
                    continue;
                }

                var symbol = module.Symbols[(int)r.SymbolIndex];
                if (symbol.Definition == SymbolDefinition.Section && symbol.SectionIndex == target)
                {
                    continue;
                }

                if (r.Addend != 0 || seen.Add((r.RawType, r.SymbolIndex)))
                {
                    count++;
                }
            }

            if (Layout.LinuxLayout.IsInitSection(module.Sections[target].Name))
            {
                initCount += count;
            }
            else
            {
                coreCount += count;
            }
        }

        return new AArch64ModulePlt(new Region(core, core < 0 ? 0 : coreCount + 1), new Region(init, init < 0 ? 0 : initCount + 1));
    }

    /// <summary>
    /// The shape the loader gives <paramref name="section"/> when it is a PLT section (NOBITS, executable, cache-line
    /// aligned, one entry per possible veneer plus one), or null for any other section.
    /// </summary>
    public Layout.SectionShape? ShapeOf(ModuleSection section) =>
        section.Index == _core.SectionIndex ? new((ulong)(_core.Capacity * EntrySize), SectionAlignment, 0x6)
        : section.Index == _init.SectionIndex ? new((ulong)(_init.Capacity * EntrySize), SectionAlignment, 0x6)
        : null;

    /// <summary>True when <paramref name="section"/> is one of the PLT sections.</summary>
    public bool IsPltSection(ModuleSection section) => section.Index == _core.SectionIndex || section.Index == _init.SectionIndex;

    /// <summary>
    /// Writes a veneer to <paramref name="destination"/> into the core or init PLT (for a branch in an init
    /// section) and returns its address, or null when the module has no PLT section or it is full.
    /// </summary>
    public ulong? Emit(ulong destination, bool fromInit, Func<int, (byte[] Data, ulong Address)> section)
    {
        var region = fromInit ? _init : _core;
        if (region.SectionIndex < 0)
        {
            return null;
        }

        var (data, address) = section(region.SectionIndex);
        int i = region.Used, j = i - 1;
        if ((i + 1) * EntrySize > data.Length)
        {
            return null;
        }

        ulong entryAddress = address + (ulong)(i * EntrySize);
        var (adrp, add, br) = AArch64Instructions.PltEntry(destination, entryAddress);
        var slot = data.AsSpan(i * EntrySize, EntrySize);
        BinaryPrimitives.WriteUInt32LittleEndian(slot, adrp);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], add);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[8..], br);
        if (j >= 0 && Target(data, j, address) == destination)
        {
            return address + (ulong)(j * EntrySize);
        }

        region.Used++;
        return region.Used > region.Capacity ? null : entryAddress;
    }

    private static ulong Target(byte[] data, int index, ulong sectionAddress)
    {
        ulong entry = sectionAddress + (ulong)(index * EntrySize);
        uint adrp = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(index * EntrySize));
        uint add = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(index * EntrySize + 4));
        long pages = (long)(((ulong)((adrp >> 29) & 3) | ((ulong)((adrp >> 5) & 0x7ffff) << 2)) << 43) >> 43;
        return (ulong)((long)(entry & ~0xfffUL) + (pages << 12)) + ((add >> 10) & 0xfff);
    }
}
