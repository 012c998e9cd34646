using LkmKit.Formats;
using LkmKit.Linker.Output;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.Tests;

/// <summary>
/// <see cref="ModuleLinker.LinkModule"/> is documented as safe for concurrent use: several threads link modules against one
/// System.map at once (each link first tells the map which names it needs, then looks them up), and every result
/// must be the one a link on its own gives.
/// </summary>
public class ConcurrentLinkTests
{
    private const string Map = "testdata/linker/symbols/x86_64.System.map";
    private static readonly string[] Modules = ["testdata/linux/x86_64/lkmdemo_core.ko", "testdata/linux/x86_64/lkmdemo_min.ko"];
    private const ulong Base = 0xffffffffc0000000;

    [Fact]
    public void ThreadsLinkingAgainstOneSystemMapGetTheSingleThreadedResult()
    {
        var files = Modules.Select(m => ModuleReader.Open(Path.Combine(RepoPaths.Root, m))).ToList();
        try
        {
            var modules = files.Select(f => f.Modules[0]).ToList();
            var expected = modules.Select(m => Render(NewLinker().LinkModule(m, Base))).ToList();
            Assert.All(expected, e => Assert.NotEmpty(e));

            const int Threads = 8, LinksPerThread = 3;
            for (int round = 0; round < 10; round++)
            {
                // One map per round: its first links are answered from the names they asked for, later ones from its index.
                var linker = NewLinker();
                using var start = new Barrier(Threads);
                var results = new string[Threads, LinksPerThread];
                var errors = new List<Exception>();
                var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
                {
                    try
                    {
                        start.SignalAndWait();
                        for (int i = 0; i < LinksPerThread; i++)
                        {
                            results[t, i] = Render(linker.LinkModule(modules[(t + i) % modules.Count], Base));
                        }
                    }
                    catch (Exception e)
                    {
                        lock (errors)
                        {
                            errors.Add(e);
                        }
                    }
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());

                Assert.Empty(errors);
                for (int t = 0; t < Threads; t++)
                {
                    for (int i = 0; i < LinksPerThread; i++)
                    {
                        Assert.Equal(expected[(t + i) % modules.Count], results[t, i]);
                    }
                }
            }
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }
    }

    private static ModuleLinker NewLinker()
    {
        var kernel = new KernelSymbols();
        kernel.Add(SymbolFileLoader.Load(Path.Combine(RepoPaths.Root, Map)));
        return new ModuleLinker(kernel, new LinkOptions());
    }

    /// <summary>Every placed section's address and bytes and every resolved symbol, as one string.</summary>
    private static string Render(LinkedModule module) =>
        string.Join("\n", module.Sections.Select(s => $"{s.Name} {s.Address:x} {Convert.ToHexString(s.Data)}")) + "\n" +
        string.Join("\n", module.Resolutions.Select(r => $"{r.Name} {r.Address:x} {r.Source}"));
}
