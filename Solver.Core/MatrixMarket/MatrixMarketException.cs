namespace Dcdm.MatrixMarket;

/// <summary>A Matrix Market file that cannot be read: names the file, the line (1-based) and what was expected.</summary>
public sealed class MatrixMarketException : Exception
{
    public string File { get; }
    /// <summary>1-based line number, or 0 when the problem is not tied to a line (an unreadable file).</summary>
    public long Line { get; }
    public string Problem { get; }

    public MatrixMarketException(string file, long line, string problem, Exception? inner = null)
        : base(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}", inner)
    {
        File = file; Line = line; Problem = problem;
    }
}
