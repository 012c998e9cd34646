using LkmKit.Formats.IO;
using LkmKit.Formats.MachO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Flavors.Kext;

/// <summary>
/// Opens a <c>.kext</c> bundle directory: <c>Contents/Info.plist</c> (or <c>Info.plist</c> at the root of a shallow
/// bundle), the executable named by CFBundleExecutable in <c>Contents/MacOS/</c> (one module per fat slice), and
/// the kexts in <c>Contents/PlugIns/</c>, whose modules follow their parent's. A codeless kext is one module with
/// metadata only; a declared executable that is missing is reported on a metadata-only module.
/// </summary>
internal static class KextBundleReader
{
    private const int MaxNesting = 8;

    /// <summary>True when <paramref name="directory"/> looks like a bundle (has an Info.plist).</summary>
    public static bool IsBundle(string directory) =>
        File.Exists(Path.Combine(directory, "Contents", "Info.plist")) || File.Exists(Path.Combine(directory, "Info.plist"));

    /// <summary>Reads the bundle at <paramref name="directory"/> and its plug-ins.</summary>
    /// <exception cref="ModuleFormatException">The bundle has no Info.plist, or a plist or executable is malformed.</exception>
    /// <param name="directory">The bundle.</param>
    /// <param name="machO">The Mach-O container (with its flavours) that reads the executables.</param>
    /// <param name="options">The caller's choices.</param>
    public static ModuleFile Open(string directory, MachOContainerReader machO, ModuleReadOptions options)
    {
        var modules = new List<KernelModule>();
        var sources = new List<ModuleSource>();
        try
        {
            ReadBundle(directory, null, modules, sources, 0, machO, options);
            return new ModuleFile(directory, modules, new Owner(sources));
        }
        catch
        {
            sources.ForEach(s => s.Dispose());
            throw;
        }
    }

    private static void ReadBundle(string directory, string? parent, List<KernelModule> modules, List<ModuleSource> sources, int depth,
        MachOContainerReader machO, ModuleReadOptions options)
    {
        string contents = Path.Combine(directory, "Contents");
        bool shallow = !Directory.Exists(contents);
        string plistPath = shallow ? Path.Combine(directory, "Info.plist") : Path.Combine(contents, "Info.plist");
        if (!File.Exists(plistPath))
        {
            throw new ModuleFormatException(directory, 0, "kext bundle", $"no {(shallow ? "Info.plist" : "Contents/Info.plist")} in the bundle");
        }

        RequireInside(directory, plistPath, "Info.plist");
        var plist = KextInfoPlist.Load(plistPath);
        var own = new List<KernelModule>();
        if (plist.Executable is { } executable)
        {
            if (executable.Length == 0 || executable is "." or ".." || executable.Contains('/') || executable.Contains('\\') || executable.Contains('\0'))
            {
                throw new ModuleFormatException(plistPath, 0, "Info.plist",
                    $"CFBundleExecutable '{executable}' is not a file name inside the bundle; refused");
            }

            string exePath = shallow ? Path.Combine(directory, executable) : Path.Combine(contents, "MacOS", executable);
            if (File.Exists(exePath) || FileStatus.Of(exePath).Kind != FileKind.Missing)
            {
                RequireInside(directory, exePath, "kext executable");
                var source = ModuleSource.Open(exePath);
                sources.Add(source);
                own.AddRange(ReadExecutable(source, machO, options));
            }
            else
            {
                var module = MetadataOnly(directory, "MISSING-EXECUTABLE");
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Error,
                    $"CFBundleExecutable '{executable}' is declared but {Path.GetRelativePath(directory, exePath)} is missing"));
                own.Add(module);
            }
        }
        else
        {
            own.Add(MetadataOnly(directory, "CODELESS"));
        }

        var plugIns = Directory.Exists(Path.Combine(contents, "PlugIns"))
            ? Directory.GetDirectories(Path.Combine(contents, "PlugIns"), "*.kext").Order(StringComparer.Ordinal).ToArray()
            : [];
        foreach (var module in own)
        {
            var details = (KextDetails)module.Details!;
            details.BundlePath = directory;
            details.ParentBundle = parent;
            string? compiledName = details.KmodInfo?.Name, compiledVersion = details.KmodInfo?.Version;
            plist.Apply(module, details, (module.ContainerDetails as MachODetails)?.ArchName);
            if (compiledName is not null && (compiledName != plist.Identifier || compiledVersion != plist.Version))
            {
                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Info,
                    $"kmod_info says {compiledName} {compiledVersion}; the kernel uses the Info.plist's {plist.Identifier} {plist.Version}"));
            }

            foreach (var plugIn in plugIns)
            {
                details.PlugInsList.Add(plugIn);
            }
        }

        modules.AddRange(own);
        if (plugIns.Length > 0 && depth >= MaxNesting)
        {
            throw new ModuleFormatException(directory, 0, "kext bundle", $"plug-ins nested deeper than {MaxNesting} levels");
        }

        foreach (var plugIn in plugIns)
        {
            RequireInside(directory, plugIn, "kext plug-in");
            ReadBundle(plugIn, plist.Identifier, modules, sources, depth + 1, machO, options);
        }
    }

    /// <summary>A bundle is never left: <paramref name="path"/>, every link resolved, must lie inside <paramref name="bundle"/> (resolved too).</summary>
    private static void RequireInside(string bundle, string path, string structure)
    {
        string? root = FileStatus.RealPath(bundle);
        string? real = FileStatus.RealPath(path);
        if (root is null || real is null || !FileStatus.IsWithin(real, root))
        {
            throw new ModuleFormatException(path, 0, structure,
                $"leads out of the bundle {bundle} (to {real ?? "nowhere"}); a bundle is never left through a link or a path");
        }
    }

    private static IReadOnlyList<KernelModule> ReadExecutable(ModuleSource source, MachOContainerReader machO, ModuleReadOptions options)
    {
        if (!machO.CanRead(source.Data.Span))
        {
            throw new ModuleFormatException(source.Path, 0, "kext executable", "not a Mach-O file (thin or fat)");
        }

        var modules = machO.Read(source, options);
        foreach (var module in modules)
        {
            if (module.Details is not KextDetails)
            {
                // An executable without kmod_info inside a kext bundle (e.g. an interface kext) is still a kext.
                module.Flavor = ModuleFlavor.Kext;
                module.Details = new KextDetails();
                var note = module.Diagnostics.FirstOrDefault(d => d.Message.StartsWith("not a recognised kernel module", StringComparison.Ordinal));
                if (note is not null)
                {
                    module.DiagnosticsList.Remove(note);
                }

                module.DiagnosticsList.Add(new ModuleDiagnostic(DiagnosticSeverity.Warning, "the executable has no _kmod_info symbol (only interface kexts may lack one)"));
            }
        }

        return modules;
    }

    private static KernelModule MetadataOnly(string directory, string fileType) => new()
    {
        Path = directory,
        Container = ContainerFormat.MachO,
        Flavor = ModuleFlavor.Kext,
        Machine = MachineArchitecture.Unknown,
        RawMachine = 0,
        Bits = 0,
        ByteOrder = ByteOrder.LittleEndian,
        FileKind = ModuleFileKind.Codeless,
        FileType = fileType,
        Sections = [],
        Symbols = [],
        RelocationSections = [],
        Details = new KextDetails(),
    };

    private sealed class Owner(List<ModuleSource> sources) : IDisposable
    {
        public void Dispose() => sources.ForEach(s => s.Dispose());
    }
}
