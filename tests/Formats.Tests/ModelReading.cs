using LkmKit.Formats;
using LkmKit.Formats.Flavors.Linux;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Formats.Tests;

/// <summary>Reads bytes into the model and forces every lazy and deferred table, for corrupt-input tests.</summary>
internal static class ModelReading
{
    /// <summary>Reads <paramref name="bytes"/> as file <paramref name="name"/> and touches everything the model offers.</summary>
    public static IReadOnlyList<KernelModule> ReadAll(string name, byte[] bytes)
    {
        using var source = ModuleSource.FromMemory(name, bytes);
        var modules = ModuleReader.Read(source);
        foreach (var module in modules)
        {
            _ = module.Imports.Count;
            _ = module.Exports.Count;
            _ = module.EntryPoints.Count;
            if (module.Details is LinuxModuleDetails linux)
            {
                _ = linux.SymbolVersions.Count;
            }

            _ = module.Sections.Count;
            _ = module.Symbols.Count;
            foreach (var table in module.RelocationSections)
            {
                foreach (var relocation in table.Relocations)
                {
                    _ = relocation.Addend;
                }
            }
        }

        return modules;
    }

    /// <summary>Asserts that reading fails with a <see cref="ModuleFormatException"/> that names the file and an offset.</summary>
    public static ModuleFormatException Fails(string name, byte[] bytes)
    {
        var e = Assert.Throws<ModuleFormatException>(() => ReadAll(name, bytes));
        Assert.Equal(name, e.FilePath);
        Assert.StartsWith(name + ": offset 0x", e.Message);
        return e;
    }
}
