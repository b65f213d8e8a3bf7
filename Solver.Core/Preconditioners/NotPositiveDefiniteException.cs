namespace Dcdm.Preconditioners;

/// <summary>
/// A factorization met a pivot that is not positive: the matrix is not positive definite (or not as far as the
/// factorization can tell). An <see cref="ArgumentException"/>, the matrix being the argument at fault;
/// <see cref="Solvers.ConjugateGradient"/> reports it as <see cref="Solvers.SolveStatus.NotPositiveDefinite"/> instead
/// of throwing it.
/// </summary>
public sealed class NotPositiveDefiniteException : ArgumentException
{
    readonly Func<int, string> _describe;

    /// <param name="row">The factored matrix's row (from 0) where it stopped.</param>
    /// <param name="describe">The message for a row number (from 1).</param>
    public NotPositiveDefiniteException(int row, Func<int, string> describe) : base(describe(row + 1)) => (Row, _describe) = (row, describe);

    /// <summary>The factored matrix's row (from 0) where it stopped.</summary>
    public int Row { get; }

    /// <summary>The message with the row as the caller numbers it (from 0 here), e.g. the file's row where the factored
    /// matrix left out empty rows.</summary>
    public string MessageFor(int callersRow) => _describe(callersRow + 1);
}
