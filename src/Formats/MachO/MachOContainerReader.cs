using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.MachO;

/// <summary>
/// The Mach-O container: a thin image of either byte order and word size, or a fat (universal) file, which yields
/// one module per slice in fat-header order. Each slice's file type is read from the slice itself, and its flavour
/// from the first of <paramref name="flavors"/> that recognises it (kexts: MH_KEXT_BUNDLE, or any image defining
/// <c>_kmod_info</c>).
/// </summary>
internal sealed class MachOContainerReader(IReadOnlyList<IFlavorReader<MachOFile>> flavors) : IContainerReader
{
    /// <inheritdoc />
    public bool CanRead(ReadOnlySpan<byte> head) => MachOFile.IsMachO(head) || FatFile.IsFat(head);

    /// <inheritdoc />
    public IReadOnlyList<KernelModule> Read(ModuleSource source, ModuleReadOptions options)
    {
        var data = source.Data;
        if (!FatFile.IsFat(data.Span))
        {
            return [ReadImage(MachOFile.Parse(data, source.Path), source, null, 1, options)];
        }

        var slices = FatFile.ReadSlices(data.Span, source.Path);
        var modules = new List<KernelModule>(slices.Count);
        foreach (var slice in slices)
        {
            var file = MachOFile.Parse(data, source.Path, slice.Offset, slice.Size);
            var module = ReadImage(file, source, slice, slices.Count, options);
            if (file.Header.CpuType != slice.CpuType)
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                    $"fat slice {slice.Index} is declared {slice.ArchName} but its header says {MachONames.ArchName(file.Header.CpuType, file.Header.CpuSubtype)}", slice.Offset));
            }

            modules.Add(module);
        }

        return modules;
    }

    /// <summary>Builds the model of one image and lets its flavour fill the metadata.</summary>
    public KernelModule ReadImage(MachOFile file, ModuleSource? source, FatSlice? slice, int sliceCount, ModuleReadOptions options)
    {
        var module = MachOModelBuilder.CreateModule(file, source, slice, sliceCount);
        FlavorReaders.Apply(flavors, file, module, new FlavorReadContext(source, options),
            "not a recognised kernel module: not MH_KEXT_BUNDLE and no _kmod_info symbol; read as a plain Mach-O image");
        return module;
    }
}
