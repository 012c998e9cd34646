using System.Text;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.Model;

namespace LkmKit.Linker.Converting;

/// <summary>
/// What a converter learns about the target Linux kernel from real modules built for it (<c>--like</c>): the first
/// module gives <c>struct module</c> (the size of <c>.gnu.linkonce.this_module</c>, its alignment and bytes, where
/// <c>name</c> sits and the offsets of <c>init</c> and <c>exit</c> from the relocations against
/// <c>init_module</c>/<c>cleanup_module</c>), the vermagic and whether modpost writes <c>retpoline=Y</c>; every module
/// adds the CRCs its <c>__versions</c> records.
/// </summary>
internal sealed record LinuxReference
{
    /// <summary>MODULE_NAME_LEN on a 32-bit kernel: 64 − sizeof(unsigned long).</summary>
    public const int NameFieldLength = 60;

    public required string Path { get; init; }

    public required byte[] StructModule { get; init; }

    public required ulong StructModuleAlignment { get; init; }

    public required int NameOffset { get; init; }

    public required ulong InitOffset { get; init; }

    public required ulong ExitOffset { get; init; }

    public required string VersionMagic { get; init; }

    public required string Release { get; init; }

    /// <summary>The kernel checks symbol CRCs (vermagic has <c>modversions</c>).</summary>
    public required bool ModVersions { get; init; }

    /// <summary>modpost of that kernel marks modules <c>retpoline=Y</c> (CONFIG_RETPOLINE).</summary>
    public required bool Retpoline { get; init; }

    /// <summary>The alignment of the reference's <c>__versions</c>.</summary>
    public required ulong VersionsAlignment { get; init; }

    /// <summary>Symbol CRCs from every reference's <c>__versions</c>, first one seen wins.</summary>
    public required IReadOnlyDictionary<string, uint> Crcs { get; init; }

    /// <exception cref="ConversionException">No reference, or one that is not an i386 Linux module of the same kernel, or one that does not show the layout.</exception>
    public static LinuxReference Read(IReadOnlyList<KernelModule> references)
    {
        if (references.Count == 0)
        {
            throw new ConversionException("the Linux target needs --like: a real module of the target kernel, whose struct module layout, vermagic and symbol CRCs the converted module must share");
        }

        var first = references[0];
        var details = Linux(first);
        var section = first.Sections.FirstOrDefault(s => s.Name == LinuxModuleReader.ThisModuleSection);
        if (section is null || details.StructModuleSize == 0 || !section.HasContents)
        {
            throw new ConversionException($"{first.Path}: no {LinuxModuleReader.ThisModuleSection} to take struct module from");
        }

        ulong init = details.InitFieldOffset ?? throw new ConversionException($"{first.Path}: has no module_init, so it does not show where struct module keeps init; give a module that has both module_init and module_exit");
        ulong exit = details.ExitFieldOffset ?? throw new ConversionException($"{first.Path}: has no module_exit, so it does not show where struct module keeps exit; give a module that has both module_init and module_exit");
        var otherRelocations = first.RelocationSections.Where(t => t.TargetSectionIndex == section.Index)
            .SelectMany(t => t.Relocations).Where(r => r.Offset != init && r.Offset != exit).ToList();
        if (otherRelocations.Count > 0)
        {
            throw new ConversionException($"{first.Path}: struct module has a relocation at 0x{otherRelocations[0].Offset:x} besides init and exit, which the converter would not know how to fill");
        }

        var bytes = section.Data.ToArray();
        foreach (ulong field in new[] { init, exit })
        {
            if (field % 4 != 0 || field + 4 > (ulong)bytes.Length)
            {
                throw new ConversionException($"{first.Path}: the init/exit field at 0x{field:x} is not a pointer inside struct module ({bytes.Length} bytes)");
            }

            Array.Clear(bytes, (int)field, 4); // the REL addend, 0 as modpost leaves it
        }

        int nameOffset = FindName(first, bytes);
        string? magic = details.VersionMagic?.Raw;
        if (string.IsNullOrEmpty(magic))
        {
            throw new ConversionException($"{first.Path}: no vermagic= in .modinfo");
        }

        var crcs = new Dictionary<string, uint>(StringComparer.Ordinal);
        ulong versionsAlignment = first.Sections.FirstOrDefault(s => s.Name == "__versions")?.Alignment ?? 32;
        foreach (var reference in references)
        {
            var d = Linux(reference);
            if (d.VersionMagic?.Raw != magic)
            {
                throw new ConversionException($"{reference.Path}: vermagic '{d.VersionMagic?.Raw}' is not the first reference's '{magic}'");
            }

            foreach (var version in d.SymbolVersions)
            {
                crcs.TryAdd(version.Name, version.Crc);
            }
        }

        bool modversions = details.VersionMagic!.ModVersions;
        if (modversions && !crcs.ContainsKey("module_layout"))
        {
            throw new ConversionException($"{first.Path}: its kernel checks symbol versions (vermagic has modversions) but __versions has no module_layout CRC");
        }

        return new LinuxReference
        {
            Path = first.Path, StructModule = bytes, StructModuleAlignment = section.Alignment, NameOffset = nameOffset,
            InitOffset = init, ExitOffset = exit, VersionMagic = magic, Release = details.VersionMagic.Release,
            ModVersions = modversions, Retpoline = details.Retpoline, VersionsAlignment = versionsAlignment, Crcs = crcs,
        };
    }

    private static LinuxModuleDetails Linux(KernelModule reference)
    {
        if (reference.Flavor != ModuleFlavor.Linux || reference.Details is not LinuxModuleDetails details)
        {
            throw new ConversionException($"{reference.Path}: not a Linux module (flavour {reference.Flavor})");
        }

        if (reference.Machine != MachineArchitecture.X86 || reference.Bits != 32)
        {
            throw new ConversionException($"{reference.Path}: a {reference.Machine} {reference.Bits}-bit module; legacy LKMs are i386 and need an i386 kernel's module as reference");
        }

        return details;
    }

    /// <summary>
    /// Where struct module keeps <c>name</c>: found by looking for the reference's <c>name=</c> (modpost writes both from
    /// KBUILD_MODNAME), so a layout that moved it is followed rather than assumed.
    /// </summary>
    private static int FindName(KernelModule reference, byte[] bytes)
    {
        string? name = reference.GetMetadata("name").FirstOrDefault();
        int at = string.IsNullOrEmpty(name) ? -1 : bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(name + "\0"));
        if (at < 0 || at + NameFieldLength > bytes.Length)
        {
            throw new ConversionException($"{reference.Path}: its name= '{name}' is not found in struct module, so where struct module keeps the name is unknown");
        }

        return at;
    }
}
