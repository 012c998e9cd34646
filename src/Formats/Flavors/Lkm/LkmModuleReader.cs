using LkmKit.Formats.AOut;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.Lkm;

/// <summary>
/// Recognises legacy BSD loadable kernel modules in a.out objects (an entry symbol <c>*_lkmentry</c>, the
/// <c>MOD_*</c> descriptor <c>__module</c>, or FreeBSD's <c>*_mod_struct</c>) and fills the model from the module
/// descriptor: its type, interface version, name, slot and type-specific pointers, read through the data relocations.
/// </summary>
internal sealed class LkmModuleReader : IFlavorReader<AOutFile>
{
    /// <inheritdoc />
    public ModuleFlavor Flavor => ModuleFlavor.LegacyLkm;

    /// <inheritdoc />
    bool IFlavorReader<AOutFile>.Recognizes(AOutFile file) => Recognizes(file);

    /// <inheritdoc />
    void IFlavorReader<AOutFile>.Read(AOutFile file, KernelModule module, FlavorReadContext context) => Read(file, module, context.Options);

    /// <summary>The a.out name of the file-static descriptor the NetBSD/OpenBSD <c>MOD_*</c> macros define (<c>_module</c> in C).</summary>
    public const string DescriptorSymbol = "__module";
    /// <summary>Suffix of the default NetBSD/OpenBSD entry (<c>&lt;name&gt;_lkmentry</c>).</summary>
    public const string EntrySuffix = "_lkmentry";
    /// <summary>Suffix of FreeBSD 2.x descriptors (<c>&lt;name&gt;_mod_struct</c>).</summary>
    public const string FreeBsdDescriptorSuffix = "_mod_struct";

    /// <summary>True when the object has an LKM entry symbol or module descriptor symbol.</summary>
    public static bool Recognizes(AOutFile aout)
    {
        var (entry, descriptor) = FindSymbols(aout);
        return entry is not null || descriptor is not null;
    }

    /// <summary>Fills <paramref name="module"/> from <paramref name="aout"/>.</summary>
    public static void Read(AOutFile aout, KernelModule module, ModuleReadOptions options)
    {
        var details = new LkmModuleDetails();
        module.Flavor = ModuleFlavor.LegacyLkm;
        module.Details = details;

        var (entry, descriptor) = FindSymbols(aout);
        if (entry is { } e)
        {
            details.EntrySymbol = aout.GetName(e);
            var entryPoint = new ModuleEntryPoint(EntryPointKind.LkmEntry, details.EntrySymbol, e.Value);
            module.DeferredEntryPoints.Defer(() => [entryPoint]);
        }

        var resolver = new AOutPointerResolver(aout);
        if (descriptor is { } d)
        {
            details.DescriptorSymbol = aout.GetName(d);
            details.DescriptorAddress = d.Value;
        }
        else if (entry is { } withoutDescriptor)
        {
            details.DescriptorAddress = FindDescriptorThroughEntry(aout, withoutDescriptor, module);
        }

        if (details.DescriptorAddress is { } address)
        {
            LkmDescriptorDecoder.Decode(aout, resolver, address, details, module, options);
        }
        else
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                "no module descriptor: neither a __module / *_mod_struct symbol nor a data reference from the entry"));
        }

        module.DeferredImports.Defer(() => ReadImports(aout));
    }

    private static (AOutSymbol? Entry, AOutSymbol? Descriptor) FindSymbols(AOutFile aout)
    {
        AOutSymbol? entry = null, descriptor = null, init = null;
        var texts = new Dictionary<string, AOutSymbol>(StringComparer.Ordinal);
        string? freeBsdEntry = null;
        for (int i = 0; i < aout.SymbolCount; i++)
        {
            var s = aout.GetSymbol(i);
            if (s.IsStab || s.StringIndex == 0)
            {
                continue;
            }

            string name = aout.GetName(s);
            if (s.SegmentType == AOutConstants.NText)
            {
                texts.TryAdd(name, s);
                if (entry is null && name.EndsWith(EntrySuffix, StringComparison.Ordinal) && name.Length > EntrySuffix.Length)
                {
                    entry = s;
                }
                else if (name == "_xxxinit")
                {
                    init ??= s;
                }
            }
            else if (s.SegmentType == AOutConstants.NData && descriptor is null)
            {
                if (name == DescriptorSymbol)
                {
                    descriptor = s;
                }
                else if (name.EndsWith(FreeBsdDescriptorSuffix, StringComparison.Ordinal) && name.Length > FreeBsdDescriptorSuffix.Length)
                {
                    descriptor = s;
                    freeBsdEntry = name[..^"_struct".Length];
                }
            }
        }

        if (entry is null && freeBsdEntry is not null && texts.TryGetValue(freeBsdEntry, out var fb))
        {
            entry = fb;
        }

        return (entry ?? init, descriptor);
    }

    private static ulong? FindDescriptorThroughEntry(AOutFile aout, AOutSymbol entry, KernelModule module)
    {
        if (!aout.HasStandardRelocations)
        {
            return null;
        }

        for (int i = 0; i < aout.RelocationCount(false); i++)
        {
            var r = aout.GetRelocation(false, i);
            if (r.IsExtern || r.IsPcRelative || r.Length != 2 || (r.SymbolNumber & ~1u) != AOutConstants.NData || r.Address < (long)entry.Value)
            {
                continue;
            }

            var reloc = AOutModelBuilder.Convert(aout, false, r, module.Machine);
            ulong address = unchecked((uint)reloc.Addend);
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Info,
                $"no descriptor symbol: took the data address 0x{address:x} the entry references at text offset 0x{r.Address:x}"));
            return address;
        }

        return null;
    }

    private static List<ModuleImport> ReadImports(AOutFile aout)
    {
        var imports = new List<ModuleImport>();
        for (int i = 0; i < aout.SymbolCount; i++)
        {
            var s = aout.GetSymbol(i);
            if (s.IsStab || s.IsCommon)
            {
                continue;
            }

            if (s.Type == (AOutConstants.NUndf | AOutConstants.NExt))
            {
                imports.Add(new ModuleImport(aout.GetName(s)));
            }
            else if (s.Type == AOutConstants.NWeakU)
            {
                imports.Add(new ModuleImport(aout.GetName(s), IsWeak: true));
            }
        }

        return imports;
    }
}
