using LkmKit.Linker.Indexing;

namespace LkmKit.Linker.Tests.Indexing;

/// <summary>A private copy of testdata/depmod (depmod writes into the tree) and helpers to run both depmods on it.</summary>
internal sealed class DepmodFixture : IDisposable
{
    public const string Release = "6.1.0-lkmkit";

    public DepmodFixture()
    {
        Root = Directory.CreateTempSubdirectory("lkmkit-depmod-").FullName;
        Copy(RepoPaths.TestData("depmod"), Root);
    }

    public string Root { get; }
    public string BaseDirectory => Path.Combine(Root, "tree");
    public string ModuleDirectory => Path.Combine(BaseDirectory, "lib/modules", Release);
    public string DepmodConfig => Path.Combine(Root, "depmod.d");
    public string ModprobeConfig => Path.Combine(Root, "modprobe.d");
    public string Symvers => Path.Combine(Root, "Module.symvers");
    public string SystemMap => Path.Combine(Root, "System.map");

    public DepmodOptions Options(bool withConfig = true) => new()
    {
        BaseDirectory = BaseDirectory,
        KernelRelease = Release,
        ConfigPaths = withConfig ? [DepmodConfig] : [Path.Combine(Root, "no-such-config")],
    };

    /// <summary>Moves the index files out of the module directory into <paramref name="name"/>; returns that directory.</summary>
    public string TakeOutputs(string name)
    {
        string target = Path.Combine(Root, name);
        Directory.CreateDirectory(target);
        foreach (string file in Depmod.OutputNames)
        {
            File.Move(Path.Combine(ModuleDirectory, file), Path.Combine(target, file));
        }

        return target;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void Copy(string from, string to)
    {
        foreach (string dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
