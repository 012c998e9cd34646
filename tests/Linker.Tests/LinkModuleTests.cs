using LkmKit.Formats;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.Tests;

/// <summary><see cref="ModuleLinker.LinkModule"/> and <see cref="ModuleLinker.ExportsOf"/>, the pieces a whole-tree link uses.</summary>
public class LinkModuleTests
{
    private const string Map = "testdata/linker/symbols/x86_64.System.map";

    [Fact]
    public void OneModuleAtATimeGivesWhatLinkingThemTogetherGives()
    {
        string core = "testdata/linux/x86_64/lkmdemo_core.ko", user = "testdata/linux/x86_64/lkmdemo_user.ko";
        var together = LinkHelper.Link([core, user], [Map]);

        var kernel = new KernelSymbols();
        kernel.Add(SymbolFileLoader.Load(Path.Combine(RepoPaths.Root, Map)));
        var linker = new ModuleLinker(kernel, new LinkOptions());
        using var coreFile = ModuleReader.Open(Path.Combine(RepoPaths.Root, core));
        using var userFile = ModuleReader.Open(Path.Combine(RepoPaths.Root, user));

        // Without the core's exports the user module cannot resolve them...
        var userBase = together.Modules[1].Sections.Min(s => s.Address);
        Assert.Throws<UnresolvedSymbolsException>(() => linker.LinkModule(userFile.Modules[0], userBase));

        // ...with them, each module comes out as the chained link placed it.
        var first = linker.LinkModule(coreFile.Modules[0], together.Modules[0].Sections.Min(s => s.Address));
        kernel.Add(ModuleLinker.ExportsOf(first));
        var second = linker.LinkModule(userFile.Modules[0], userBase);
        foreach (var (alone, chained) in new[] { (first, together.Modules[0]), (second, together.Modules[1]) })
        {
            Assert.Equal(chained.Sections.Select(s => (s.Name, s.Address)), alone.Sections.Select(s => (s.Name, s.Address)));
            Assert.Equal(chained.Sections.Select(s => s.Data), alone.Sections.Select(s => s.Data));
            Assert.Equal(chained.RelocationCount, alone.RelocationCount);
        }

        Assert.Contains(ModuleLinker.ExportsOf(first).Symbols, s => s.Name == "lkmdemo_add" && s.Owner == "lkmdemo_core");
    }
}
