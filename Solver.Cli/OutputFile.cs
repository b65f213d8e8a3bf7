namespace Dcdm.Cli;

/// <summary>A file a command will write: refused before any work when it cannot be written there.</summary>
public static class OutputFile
{
    /// <exception cref="UsageException">The path is a folder, or its folder does not exist.</exception>
    public static void Check(string? path, string option)
    {
        if (path is null) return;
        if (Directory.Exists(path)) throw new UsageException($"{option} {path}: is a folder; name a file to write");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
            throw new UsageException($"{option} {path}: the folder {folder} does not exist; create it or name another file");
    }
}
