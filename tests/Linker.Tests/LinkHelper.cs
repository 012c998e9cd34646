using System.Text;
using LkmKit.Formats;
using LkmKit.Formats.Model;
using LkmKit.Linker.Output;
using LkmKit.Linker.Symbols;

namespace LkmKit.Linker.Tests;

/// <summary>Links fixtures in-process and renders the result for golden files.</summary>
public static class LinkHelper
{
    /// <summary>Links <paramref name="modules"/> (repo-relative paths) against the symbol files; returns the image.</summary>
    public static LinkedImage Link(string[] modules, string[] symbolFiles, LinkOptions? options = null)
    {
        var kernel = new KernelSymbols();
        foreach (var s in symbolFiles)
        {
            kernel.Add(SymbolFileLoader.Load(Path.Combine(RepoPaths.Root, s)));
        }

        var files = modules.Select(m => ModuleReader.Open(Path.Combine(RepoPaths.Root, m))).ToList();
        try
        {
            var read = files.SelectMany(f => f.Modules).ToList();
            return new ModuleLinker(kernel, options ?? new LinkOptions()).Link(read);
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }
    }

    /// <summary>The link map followed by a hex dump of every section with contents.</summary>
    public static string Render(LinkedImage image)
    {
        var sb = new StringBuilder(LinkMapWriter.Render(image));
        foreach (var module in image.Modules)
        {
            foreach (var s in module.Sections.Where(s => s.HasContents && s.Size > 0))
            {
                sb.Append("## ").Append(module.Name).Append(' ').Append(s.Name).Append(" 0x").Append(s.Address.ToString("x")).Append('\n');
                for (int i = 0; i < s.Data.Length; i += 16)
                {
                    var line = s.Data.AsSpan(i, Math.Min(16, s.Data.Length - i));
                    sb.Append((s.Address + (ulong)i).ToString("x")).Append("  ").Append(Convert.ToHexString(line).ToLowerInvariant()).Append('\n');
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>The module's section named <paramref name="name"/>.</summary>
    public static LinkedSection Section(LinkedModule module, string name) => module.Sections.Single(s => s.Name == name);

    /// <summary>The address the image gives symbol <paramref name="name"/> of <paramref name="module"/>.</summary>
    public static ulong Symbol(LinkedModule module, string name) => module.Symbols.First(s => s.Name == name).Address;

}
