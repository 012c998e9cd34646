using System.Reflection.PortableExecutable;
using LkmKit.Formats.Pe;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.Windows;

/// <summary>
/// Fills the model of a PE image: imports (dependencies by DLL), exports, version resource, Authenticode signature,
/// entry point, and decides whether the image is a Windows kernel-mode driver.
/// </summary>
/// <remarks>
/// A driver is recognised by the native subsystem together with an import from a kernel image (ntoskrnl.exe,
/// hal.dll, any <c>*.sys</c>, …), or by the WDM_DRIVER DllCharacteristics bit. Real drivers rarely set that bit and
/// never IMAGE_FILE_SYSTEM, so neither is required.
/// </remarks>
internal sealed class WindowsDriverReader : IFlavorReader<PeImage>
{
    /// <inheritdoc />
    public ModuleFlavor Flavor => ModuleFlavor.WindowsDriver;

    /// <summary>Every PE image: <see cref="Read(PeImage, KernelModule)"/> reads its imports, exports and version and decides whether it is a driver (a plain image keeps flavour Unknown, with the reason).</summary>
    bool IFlavorReader<PeImage>.Recognizes(PeImage file) => true;

    /// <inheritdoc />
    void IFlavorReader<PeImage>.Read(PeImage file, KernelModule module, FlavorReadContext context) => Read(file, module);

    private const ushort WdmDriver = 0x2000;

    private static readonly HashSet<string> KernelImages = new(StringComparer.OrdinalIgnoreCase)
    {
        "ntoskrnl.exe", "ntkrnlpa.exe", "ntkrnlmp.exe", "ntkrpamp.exe", "ntkrla57.exe",
        "hal.dll", "halaacpi.dll", "halacpi.dll", "halapic.dll", "halmacpi.dll", "halmps.dll", "halsp.dll",
        "bootvid.dll", "kdcom.dll", "ci.dll", "pshed.dll",
    };

    /// <summary>True when <paramref name="dll"/> names a kernel image or a kernel-mode driver.</summary>
    public static bool IsKernelImage(string dll) =>
        KernelImages.Contains(dll) || dll.EndsWith(".sys", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads <paramref name="image"/>'s metadata into <paramref name="module"/> and sets its flavour.</summary>
    /// <exception cref="ModuleFormatException">A directory the metadata comes from is malformed.</exception>
    public static void Read(PeImage image, KernelModule module)
    {
        var header = image.Header;
        var pe = module.ContainerDetails as PeImageDetails ?? throw new InvalidOperationException("a PE module is created with its PeImageDetails");
        var imports = pe.ImportedModules;
        var exports = pe.ExportTable;
        var version = pe.VersionInfo;
        module.Signature = PeCertificateReader.Read(image, module.DiagnosticsList);

        foreach (var dll in imports)
        {
            module.DependenciesList.Add(new ModuleDependency(dll.Module, DependencyKind.Hard));
        }

        module.DeferredImports.Defer(() => imports.SelectMany(dll => dll.Functions.Select(f =>
            new ModuleImport(f.Name ?? $"#{f.Ordinal}", FromModule: dll.Module))));
        if (exports is not null)
        {
            module.DeferredExports.Defer(() => exports.Functions.Select(f => new ModuleExport(f.Name ?? $"#{f.Ordinal}")));
        }

        if (version is not null)
        {
            foreach (var pair in version.Strings)
            {
                module.MetadataList.Add(pair);
            }

            module.Version = Find(version, "FileVersion") ?? version.FileVersion;
            module.Description = Find(version, "FileDescription");
        }

        module.Name = exports?.ModuleName ?? (version is null ? null : Find(version, "OriginalFilename"));

        var subsystem = header.Subsystem;
        ushort dllCharacteristics = (ushort)header.DllCharacteristics;
        bool kernelImports = imports.Any(dll => IsKernelImage(dll.Module));
        bool isDriver = (subsystem == Subsystem.Native && kernelImports) || (dllCharacteristics & WdmDriver) != 0;
        module.Flavor = isDriver ? ModuleFlavor.WindowsDriver : ModuleFlavor.Unknown;
        if (!isDriver)
        {
            module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning,
                $"not a recognised kernel module: subsystem {PeNames.Subsystem(subsystem)}, " +
                (kernelImports ? "imports from a kernel image" : "no imports from a kernel image (ntoskrnl.exe, hal.dll, *.sys)") +
                ", no WDM_DRIVER flag; read as a plain PE image"));
        }

        uint entry = (uint)header.AddressOfEntryPoint;
        if (entry != 0)
        {
            string? symbol = exports?.Functions.FirstOrDefault(f => f.Rva == entry && f.Forwarder is null)?.Name;
            module.DeferredEntryPoints.Defer(() => [new ModuleEntryPoint(isDriver ? EntryPointKind.DriverEntry : EntryPointKind.ContainerEntry, symbol, entry)]);
        }
    }

    private static string? Find(PeVersionInfo version, string key)
    {
        foreach (var pair in version.Strings)
        {
            if (pair.Key == key)
            {
                return pair.Value;
            }
        }

        return null;
    }
}
