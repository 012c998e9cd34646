using LkmKit.Formats.IO;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;
using LkmKit.Formats.Text;

namespace LkmKit.Formats.Flavors.Kext;

/// <summary>
/// Recognises a kext executable (MH_KEXT_BUNDLE, or an image defining <c>_kmod_info</c>) and reads its
/// <c>kmod_info</c> (pack(4) layout: name @16/12, version @80/76, start/stop @180,188 / 160,164), resolving the
/// start and stop pointers through the image's relocations or chained fixups.
/// </summary>
internal sealed class KextBinaryReader : IFlavorReader<MachOFile>
{
    /// <inheritdoc />
    public ModuleFlavor Flavor => ModuleFlavor.Kext;

    /// <inheritdoc />
    bool IFlavorReader<MachOFile>.Recognizes(MachOFile file) => Recognizes(file);

    /// <inheritdoc />
    void IFlavorReader<MachOFile>.Read(MachOFile file, KernelModule module, FlavorReadContext context) => Read(file, module);

    /// <summary>The symbol kxld looks for.</summary>
    public const string KmodInfoSymbol = "_kmod_info";

    /// <summary>True when <paramref name="file"/> is a kext executable.</summary>
    public static bool Recognizes(MachOFile file) =>
        file.Header.FileType == MachOConstants.MhKextBundle || new MachOSymbolTable(file).FindDefined(KmodInfoSymbol) >= 0;

    /// <summary>Marks <paramref name="module"/> as a kext and fills name, version and entry points from <c>kmod_info</c>.</summary>
    public static void Read(MachOFile file, KernelModule module)
    {
        module.Flavor = ModuleFlavor.Kext;
        var details = new KextDetails();
        module.Details = details;
        var info = ReadKmodInfo(file, module);
        if (info is null)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, "no _kmod_info symbol: kxld would refuse to link this executable (interface kexts have none)"));
            return;
        }

        details.KmodInfo = info;
        module.Name = info.Name;
        module.Version = info.Version;
        module.DeferredEntryPoints.Defer(() =>
            [new ModuleEntryPoint(EntryPointKind.KmodStart, info.StartSymbol, info.Start), new ModuleEntryPoint(EntryPointKind.KmodStop, info.StopSymbol, info.Stop)]);
        module.DeferredExports.Defer(() => ReadExports(file));
    }

    private static IEnumerable<ModuleExport> ReadExports(MachOFile file)
    {
        var table = new MachOSymbolTable(file);
        for (int i = 0; i < table.Count; i++)
        {
            var sym = table[i];
            if (sym.IsDefinedExternal)
            {
                yield return new ModuleExport(table.GetName(sym));
            }
        }
    }

    /// <summary>Reads <c>kmod_info</c>; null when the image defines no <c>_kmod_info</c>.</summary>
    public static KmodInfo? ReadKmodInfo(MachOFile file, KernelModule module)
    {
        var table = new MachOSymbolTable(file);
        int index = table.FindDefined(KmodInfoSymbol);
        if (index < 0)
        {
            return null;
        }

        var symbol = table[index];
        int sectionIndex = symbol.Section - 1;
        if (sectionIndex < 0 || sectionIndex >= file.Sections.Count)
        {
            throw new ModuleFormatException(file.Path, table.EntryOffset(index), $"symbol {index} ({KmodInfoSymbol})", $"n_sect {symbol.Section} is out of range");
        }

        var section = file.Sections[sectionIndex];
        int size = file.Is64 ? 196 : 168;
        ulong offsetInSection = symbol.Value - section.Address;
        if (symbol.Value < section.Address || offsetInSection > section.Size || (ulong)size > section.Size - offsetInSection || section.IsZeroFill)
        {
            throw new ModuleFormatException(file.Path, table.EntryOffset(index), KmodInfoSymbol,
                $"the {size}-byte structure at 0x{symbol.Value:x} does not fit in section {section.FullName} (0x{section.Address:x}+0x{section.Size:x})");
        }

        var s = file.Bounded;
        int at = (int)(file.SliceOffset + section.Offset + (long)offsetInSection);
        int p = file.Is64 ? 4 : 0; // 64-bit layout: next is 8 bytes wide
        int infoVersion = file.Reader.I32(s, at + 4 + p);
        string name = CString.Decode(CString.Field(s.Slice(at + 12 + p, 64)));
        string version = CString.Decode(CString.Field(s.Slice(at + 76 + p, 64)));
        int startOffset = file.Is64 ? 180 : 160;
        int stopOffset = file.Is64 ? 188 : 164;
        var (start, startSymbol) = ResolvePointer(file, module, table, sectionIndex, offsetInSection + (ulong)startOffset, at + startOffset);
        var (stop, stopSymbol) = ResolvePointer(file, module, table, sectionIndex, offsetInSection + (ulong)stopOffset, at + stopOffset);
        return new KmodInfo(name, version, infoVersion, start, startSymbol, stop, stopSymbol, symbol.Value);
    }

    private static (ulong?, string?) ResolvePointer(MachOFile file, KernelModule module, MachOSymbolTable table, int sectionIndex, ulong offsetInSection, int fileOffset)
    {
        ulong address = file.Sections[sectionIndex].Address + offsetInSection;
        foreach (var relocations in module.RelocationSections)
        {
            bool sectionTable = relocations.TargetSectionIndex >= 0;
            if (sectionTable && relocations.TargetSectionIndex != sectionIndex)
            {
                continue;
            }

            foreach (var r in relocations.Relocations)
            {
                if (r.Offset != (sectionTable ? offsetInSection : address))
                {
                    continue;
                }

                if (r.RawType >= MachORelocationTypes.ChainedBase)
                {
                    if (r.Kind == RelocationKind.BaseRelative)
                    {
                        ulong target = MachOModelBuilder.RelocationBase(file) + (ulong)r.Addend;
                        return (target, SymbolAt(file, table, target));
                    }

                    return (null, SymbolName(module, r.SymbolIndex));
                }

                if (r.SymbolIndex >= 1 && r.SymbolIndex <= (uint)table.Count)
                {
                    var sym = table[(int)r.SymbolIndex - 1];
                    string name = table.GetName(sym);
                    return sym.Kind == MachOConstants.NSect && !sym.IsStab ? (sym.Value + (ulong)r.Addend, r.Addend == 0 ? name : $"{name}+0x{r.Addend:x}") : (null, name);
                }

                ulong stored = (ulong)r.Addend;
                return (stored, SymbolAt(file, table, stored));
            }
        }

        // No relocation names the field (a linked image whose rebases are in dyld info, or an unrelocated pointer): the stored value is the address.
        ulong value = file.Reader.Word(file.Bounded, fileOffset, file.Is64);
        if (value == 0)
        {
            return (null, null);
        }

        return (value, SymbolAt(file, table, value));
    }

    private static string? SymbolName(KernelModule module, uint index) =>
        index > 0 && index < module.Symbols.Count && module.Symbols[(int)index].Name.Length > 0 ? module.Symbols[(int)index].Name : null;

    /// <summary>The name of a non-stab symbol defined at <paramref name="address"/>, preferring external ones; null if none.</summary>
    public static string? SymbolAt(MachOFile file, MachOSymbolTable table, ulong address)
    {
        string? local = null;
        for (int i = 0; i < table.Count; i++)
        {
            var sym = table[i];
            if (sym.IsStab || sym.Kind != MachOConstants.NSect || sym.Value != address || sym.StringIndex == 0)
            {
                continue;
            }

            string name = table.GetName(sym);
            if (sym.IsExternal)
            {
                return name;
            }

            local ??= name;
        }

        return local;
    }
}
