namespace LkmKit.Linker.Loading.Linux;

/// <summary>Linux module names as the kernel compares them.</summary>
internal static class LinuxModuleNames
{
    /// <summary>A module name with <c>-</c> and <c>_</c> made the same.</summary>
    public static string Normalize(string name) => name.Replace('-', '_');

    /// <summary>The module name a file stands for (its base name without <c>.ko</c> and compression suffix).</summary>
    public static string NameOfFile(string path)
    {
        string file = Path.GetFileName(path);
        int ko = file.IndexOf(".ko", StringComparison.Ordinal);
        return Normalize(ko > 0 ? file[..ko] : Path.GetFileNameWithoutExtension(file));
    }
}
