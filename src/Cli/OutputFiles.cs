namespace LkmKit.Cli;

/// <summary>Writes a command's output files all or none: each goes to a temporary file beside it, and only when every one was written are they renamed into place.</summary>
public static class OutputFiles
{
    /// <summary>Writes every file, or (on any failure) none, leaving what was there before untouched.</summary>
    /// <exception cref="IOException">A file could not be written (e.g. its directory does not exist); nothing was left behind.</exception>
    public static void WriteAll(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        var temporary = new List<string>(files.Count);
        try
        {
            foreach (var (path, bytes) in files)
            {
                string temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
                temporary.Add(temp);
                File.WriteAllBytes(temp, bytes);
            }

            for (int i = 0; i < files.Count; i++)
            {
                File.Move(temporary[i], files[i].Path, overwrite: true);
            }
        }
        finally
        {
            foreach (var temp in temporary)
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }
    }
}
