using LkmKit.Formats.Model;
using static LkmKit.Formats.Elf.ElfConstants;

namespace LkmKit.Linker.Layout;

/// <summary>
/// The Linux loader's layout_sections (kernel/module/main.c, strict_rwx.c): allocated sections grouped into text,
/// read-only, read-only-after-init and data, each group page-aligned, in the core region and, for sections whose
/// name starts with <c>.init</c>, in the init region. <c>.modinfo</c>, <c>__versions</c> and the ext-version
/// sections lose SHF_ALLOC first; <c>.data..percpu</c> goes to its own (per-CPU) region.
/// </summary>
/// <remarks>
/// Linux 6.1 allocates core and init as two blocks with page-aligned sub-regions; 6.4 and later allocate each
/// region separately. Both are reproduced by placing the regions one after another, each page-aligned: core
/// (text, rodata, ro_after_init, data), then init (text, rodata, data), then the per-CPU section.
/// </remarks>
internal sealed class LinuxLayout : ILayoutPolicy
{
    /// <summary>The page size the regions are aligned to (4 KiB on x86, i386 and arm64 kernels with 4K pages).</summary>
    public const ulong PageSize = 4096;

    private static readonly HashSet<string> LoseAlloc = new(StringComparer.Ordinal)
    {
        ".modinfo", "__versions", "__version_ext_names", "__version_ext_crcs", ".data..percpu",
    };

    private static readonly (ulong Required, ulong Excluded)[] Passes =
    [
        (ShfExecInstr | ShfAlloc, 0),
        (ShfAlloc, ShfWrite),
        (ShfRoAfterInit | ShfAlloc, 0),
        (ShfWrite | ShfAlloc, 0),
    ];

    /// <inheritdoc />
    public string Name => "linux";

    /// <inheritdoc />
    public bool AllocatesCommons => false;

    /// <inheritdoc />
    public SectionLayout Lay(KernelModule module, LayoutRequest request)
    {
        var layout = new SectionLayout(module.Sections.Count);
        var flags = module.Sections.Select(s => EffectiveFlags(s, request.ShapeOf(s).Flags)).ToArray();
        ulong cursor = PlaceRegion(module, request, layout, flags, Align.Up(request.Base, PageSize), init: false);
        cursor = PlaceRegion(module, request, layout, flags, cursor, init: true);
        foreach (var section in module.Sections)
        {
            if (section.IsAllocated && section.Name == ".data..percpu")
            {
                cursor = Align.Up(SequentialLayout.PlaceNext(layout, section, Align.Up(cursor, PageSize), request), PageSize);
            }
        }

        layout.Reserve(cursor);
        return layout;
    }

    /// <summary>True when the loader puts <paramref name="name"/> in the init region.</summary>
    public static bool IsInitSection(string name) => name.StartsWith(".init", StringComparison.Ordinal);

    private static ulong PlaceRegion(KernelModule module, LayoutRequest request, SectionLayout layout, ulong[] flags, ulong start, bool init)
    {
        ulong cursor = start;
        for (int pass = 0; pass < Passes.Length; pass++)
        {
            if (init && pass == 2)
            {
                continue;
            }

            var (required, excluded) = Passes[pass];
            foreach (var section in module.Sections)
            {
                ulong f = flags[section.Index];
                if ((f & required) != required || (f & excluded) != 0 || layout.IsPlaced(section.Index) || IsInitSection(section.Name) != init)
                {
                    continue;
                }

                cursor = SequentialLayout.PlaceNext(layout, section, cursor, request);
            }

            cursor = Align.Up(cursor, PageSize);
        }

        return cursor;
    }

    private static ulong EffectiveFlags(ModuleSection section, ulong f)
    {
        if (LoseAlloc.Contains(section.Name))
        {
            f &= ~ShfAlloc;
        }

        if (section.Name is ".data..ro_after_init" or "__jump_table")
        {
            f |= ShfRoAfterInit;
        }

        return f;
    }
}
