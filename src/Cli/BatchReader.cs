using LkmKit.Formats;
using LkmKit.Formats.IO;
using LkmKit.Formats.Model;

namespace LkmKit.Cli;

/// <summary>The outcome of rendering one file of a batch: its text, or the error line for it.</summary>
/// <param name="Path">The file.</param>
/// <param name="Output">What to print on standard output.</param>
/// <param name="Error">The error message, or null on success.</param>
public readonly record struct BatchItem(string Path, string Output, string? Error);

/// <summary>
/// Reads many module files on all cores and yields one rendered result per file in input order, so that a bad
/// file is reported and the batch carries on.
/// </summary>
public static class BatchReader
{
    /// <summary>Opens each path, lets <paramref name="render"/> turn its modules into text, and yields results in order.</summary>
    public static IEnumerable<BatchItem> Run(IEnumerable<string> paths, Func<string, KernelModule, string> render, ModuleReadOptions? options = null)
    {
        return paths.AsParallel().AsOrdered().WithDegreeOfParallelism(Environment.ProcessorCount)
            .Select(path => RenderOne(path, render, options));
    }

    /// <summary>
    /// Reads one path and writes each module straight to <paramref name="output"/> as it is rendered (for views whose
    /// text grows with the file, like <c>lkm dump</c>); returns the error message, or null.
    /// </summary>
    public static string? WriteOne(string path, Action<TextWriter, string, KernelModule> write, TextWriter output)
    {
        try
        {
            using var file = ModuleReader.Open(path);
            foreach (var module in file.Modules)
            {
                write(output, path, module);
            }

            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Describe(path, e);
        }
    }

    /// <summary>The error line for an exception reading <paramref name="path"/>.</summary>
    private static string Describe(string path, Exception e) => e switch
    {
        ModuleFormatException => e.Message,
        IOException or UnauthorizedAccessException => $"{path}: {e.Message}",
        _ => $"{path}: internal error ({e.GetType().Name}: {e.Message}); please report this file",
    };

    /// <summary>Reads one path and renders it, turning read failures into an error message.</summary>
    public static BatchItem RenderOne(string path, Func<string, KernelModule, string> render, ModuleReadOptions? options = null)
    {
        try
        {
            using var file = ModuleReader.Open(path, options ?? ModuleReadOptions.Default);
            var text = new System.Text.StringBuilder();
            foreach (var module in file.Modules)
            {
                text.Append(render(path, module));
            }

            return new BatchItem(path, text.ToString(), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A reader bug must not cost the user the rest of the batch: report it against the file and carry on.
            return new BatchItem(path, "", Describe(path, e));
        }
    }
}
