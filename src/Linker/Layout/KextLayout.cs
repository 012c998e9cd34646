using LkmKit.Formats.Model;

namespace LkmKit.Linker.Layout;

/// <summary>
/// How kxld lays out a kext. An MH_OBJECT (kxld_seg_finalize_object_segment): the header kxld writes for the linked
/// kext (mach header, one segment command with its sections, LC_SYMTAB, LC_DYSYMTAB for slideable x86_64/arm64 kexts,
/// and LC_UUID / LC_VERSION_MIN_* / LC_BUILD_VERSION / LC_SOURCE_VERSION when the object has them) rounded up to a
/// page, then every section in load-command order, each at its alignment. Sections marked S_ATTR_DEBUG (DWARF,
/// <c>__LD,__compact_unwind</c>) are not loaded. An image (MH_KEXT_BUNDLE) moves as one block: each section at
/// base + its vm address.
/// </summary>
internal sealed class KextLayout : ILayoutPolicy
{
    /// <summary>The page size of the kext's header pages (4 KiB, as on x86_64).</summary>
    public const ulong PageSize = 4096;

    private const ulong SAttrDebug = 0x02000000;

    /// <inheritdoc />
    public string Name => "kext";

    /// <inheritdoc />
    public bool AllocatesCommons => true;

    /// <summary>
    /// The default first address on x86_64: 1 GiB below the kernel's base (0xffffff8000000000). xnu allocates kexts in
    /// [kernel text end − 2 GiB, kernel text start + 2 GiB) so that rel32 calls reach the kernel; this address is in
    /// that range for any kernel whose text lies in its first GiB. Other architectures use the Linux module area.
    /// </summary>
    public static ulong DefaultBase(MachineArchitecture machine) =>
        machine == MachineArchitecture.X86_64 ? 0xffffff7fc0000000 : LinkOptions.DefaultBase(machine);

    /// <summary>True when kxld loads <paramref name="section"/> (not S_ATTR_DEBUG).</summary>
    public static bool IsLoaded(ModuleSection section) => section.IsAllocated && (section.RawFlags & SAttrDebug) == 0;

    /// <inheritdoc />
    public SectionLayout Lay(KernelModule module, LayoutRequest request)
    {
        var layout = new SectionLayout(module.Sections.Count);
        if (module.FileKind != ModuleFileKind.Relocatable)
        {
            foreach (var section in module.Sections)
            {
                if (IsLoaded(section))
                {
                    layout.Place(section.Index, request.Base + section.Address, request.SizeOf(section));
                }
            }

            return layout;
        }

        ulong cursor = Align.Up(request.Base + HeaderSize(module, request.HeaderCommands), PageSize);
        foreach (var section in module.Sections)
        {
            if (IsLoaded(section))
            {
                cursor = SequentialLayout.PlaceNext(layout, section, cursor, request);
            }
        }

        return layout;
    }

    /// <summary>
    /// The size of the Mach-O header kxld writes in front of an MH_OBJECT's sections (get_macho_header_size), with
    /// <paramref name="commands"/> the object's load commands.
    /// </summary>
    public static ulong HeaderSize(KernelModule module, IReadOnlyList<string> commands)
    {
        bool is64 = module.Bits == 64;
        ulong size = is64 ? 32UL : 28UL;
        size += (is64 ? 72UL : 56UL) + (ulong)module.Sections.Count(IsLoaded) * (is64 ? 80UL : 68UL);
        size += 24; // LC_SYMTAB
        if (module.Machine is MachineArchitecture.X86_64 or MachineArchitecture.AArch64)
        {
            size += 80; // LC_DYSYMTAB of a slideable kext
        }

        foreach (var command in commands)
        {
            size += command switch
            {
                "LC_UUID" => 24UL,
                "LC_VERSION_MIN_MACOSX" or "LC_VERSION_MIN_IPHONEOS" or "LC_VERSION_MIN_TVOS" or "LC_VERSION_MIN_WATCHOS" => 16,
                "LC_BUILD_VERSION" => 24UL,
                "LC_SOURCE_VERSION" => 16,
                _ => 0UL,
            };
        }

        return size;
    }
}
