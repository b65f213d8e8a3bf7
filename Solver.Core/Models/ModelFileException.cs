namespace Dcdm.Models;

/// <summary>A model file that cannot be read or does not fit the architecture: names the file and what is wrong.</summary>
public sealed class ModelFileException(string file, string problem) : Exception($"{file}: {problem}")
{
    public string File { get; } = file;
    public string Problem { get; } = problem;
}
