using LkmKit.Cli.Output;
using LkmKit.Formats.Model;
using LkmKit.Linker;
using LkmKit.Linker.Output;
using LkmKit.Linker.Symbols;

namespace LkmKit.Fuzz;

/// <summary>Everything a user can do with a file that was read: walk the model, render every CLI view, link it.</summary>
internal static class Exerciser
{
    /// <summary>Images whose allocated sections add up to more than this are not linked (the linker would rightly lay them out).</summary>
    public const ulong MaxLinkedBytes = 16 << 20;

    private static readonly DumpParts AllParts = new(true, true, true);
    private static readonly string[] Fields = ["filename", "name", "depends", "alias", "parm", "license", "version"];

    /// <summary>Touches every part of <paramref name="file"/>; returns a checksum of what was read.</summary>
    /// <param name="path">The path the views print.</param>
    /// <param name="file">The file read.</param>
    /// <param name="linkedBytes">The size of the image laid out for the modules (the linker rightly allocates it, whatever the file's size).</param>
    public static long Exercise(string path, ModuleFile file, out ulong linkedBytes)
    {
        linkedBytes = AllocatedBytes(file.Modules);
        long work = 0;
        foreach (var module in file.Modules)
        {
            work += ModelWalker.Walk(module);
            work += ModinfoText.Render(path, module).Length;
            work += ModuleJson.Render(path, module).Length;
            work += DumpText.Render(path, module, AllParts).Length;
            work += DumpJson.Render(path, module, AllParts).Length;
            foreach (var field in Fields)
            {
                work += ModinfoText.RenderField(path, module, field).Length;
            }
        }

        return work + (linkedBytes <= MaxLinkedBytes ? Link(file.Modules) : 0);
    }

    /// <summary>Links the modules as <c>lkm link --allow-undefined</c> would, when their image is of a sane size.</summary>
    private static long Link(IReadOnlyList<KernelModule> modules)
    {
        if (modules.Count == 0)
        {
            return 0;
        }

        var image = new ModuleLinker(new KernelSymbols(), new LinkOptions { AllowUndefined = true }).Link(modules);
        return image.ToElf().Length + image.ToLinkMap().Length;
    }

    private static ulong AllocatedBytes(IReadOnlyList<KernelModule> modules)
    {
        ulong total = 0;
        foreach (var module in modules)
        {
            foreach (var section in module.Sections)
            {
                if (section.IsAllocated)
                {
                    total = Math.Min(MaxLinkedBytes + 1, total + Math.Min(section.Size, MaxLinkedBytes + 1));
                }
            }

            // Commons are laid out after bss, sized by the symbol (a.out keeps the size in the value).
            foreach (var symbol in module.Symbols)
            {
                if (symbol.Definition == SymbolDefinition.Common)
                {
                    total = Math.Min(MaxLinkedBytes + 1, total + Math.Min(Math.Max(symbol.Size, symbol.Value), MaxLinkedBytes + 1));
                }
            }
        }

        return total;
    }
}
