using System.Globalization;
using System.Text;
using LkmKit.Formats;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Linker.Loading;

namespace LkmKit.Linker.Tests.Loading;

/// <summary>A temporary modules directory with copies of fixtures (patched where a test needs), and model kernels over it.</summary>
public sealed class LoaderFixture : IDisposable
{
    public LoaderFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("lkm-loader-").FullName;
        Modules = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "modules")).FullName;
    }

    public string Directory { get; }

    public string Modules { get; }

    public string StatePath => Path.Combine(Directory, "state.json");

    /// <summary>Copies a fixture into the modules directory (optionally under another name); returns the copy's path.</summary>
    public string Copy(string repoRelative, string? asName = null)
    {
        string target = Path.Combine(Modules, asName ?? Path.GetFileName(repoRelative));
        File.Copy(Path.Combine(RepoPaths.Root, repoRelative), target, overwrite: true);
        return target;
    }

    /// <summary>Replaces the first occurrence of <paramref name="from"/> in the file by <paramref name="to"/> (same length).</summary>
    public static void Patch(string path, string from, string to) => Patch(path, Encoding.ASCII.GetBytes(from), Encoding.ASCII.GetBytes(to));

    public static void Patch(string path, byte[] from, byte[] to)
    {
        Assert.Equal(from.Length, to.Length);
        byte[] bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().IndexOf(from);
        Assert.True(at >= 0, $"pattern not found in {path}");
        to.CopyTo(bytes, at);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// A Module.symvers for a kernel these modules were built for: every vmlinux import of <paramref name="modules"/> with
    /// the CRC the module recorded in <c>__versions</c>, <c>module_layout</c> included.
    /// </summary>
    public string SymversFor(params string[] modules)
    {
        var lines = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var moduleExports = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in modules)
        {
            using var file = ModuleReader.Open(path);
            foreach (var e in file.Modules[0].Exports)
            {
                moduleExports.Add(e.Name);
            }
        }

        foreach (var path in modules)
        {
            using var file = ModuleReader.Open(path);
            var details = (LinuxModuleDetails)file.Modules[0].Details!;
            foreach (var v in details.SymbolVersions.Where(v => !moduleExports.Contains(v.Name)))
            {
                string ns = v.Name == "dma_buf_put" ? "DMA_BUF" : "";
                string type = v.Name == "dma_buf_put" ? "EXPORT_SYMBOL_GPL" : "EXPORT_SYMBOL";
                lines[v.Name] = string.Create(CultureInfo.InvariantCulture, $"0x{v.Crc:x8}\t{v.Name}\tvmlinux\t{type}\t{ns}");
            }
        }

        string symvers = Path.Combine(Directory, "Module.symvers");
        File.WriteAllLines(symvers, lines.Values);
        return symvers;
    }

    public ModelKernel NewKernel(KernelOs os, string release, IReadOnlyList<string>? symbols = null, string? symvers = null,
        bool assume = false, Dictionary<string, string>? settings = null, IReadOnlyList<string>? certs = null)
    {
        using (var kernel = ModelKernel.Create(new KernelSettings
        {
            Os = os, Release = release, ModulesDirectory = Modules, SymbolFiles = symbols ?? [], Symvers = symvers, AssumeKernelSymbols = assume,
            Settings = settings ?? [], Certificates = certs ?? [],
        }))
        {
            kernel.Save(StatePath);
        }

        return ModelKernel.Open(StatePath);
    }

    /// <summary>Loads and saves like one <c>lkm load</c> command; returns the events.</summary>
    public List<LoadEvent> Load(LoadOptions? options = null, params string[] arguments)
    {
        using var kernel = ModelKernel.Open(StatePath);
        var events = kernel.Load(arguments, options ?? new LoadOptions()).ToList();
        if (kernel.Changed)
        {
            kernel.Save(StatePath);
        }

        return events;
    }

    public List<LoadEvent> Unload(bool force, params string[] names)
    {
        using var kernel = ModelKernel.Open(StatePath);
        var events = kernel.Unload(names, force).ToList();
        if (kernel.Changed)
        {
            kernel.Save(StatePath);
        }

        return events;
    }

    public IReadOnlyList<ModuleListing> List()
    {
        using var kernel = ModelKernel.Open(StatePath);
        return kernel.List();
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
