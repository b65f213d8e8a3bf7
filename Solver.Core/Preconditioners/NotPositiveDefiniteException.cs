namespace Dcdm.Preconditioners;

/// <summary>
/// A factorization met a pivot that is not positive: the matrix is not positive definite (or not as far as the
/// factorization can tell). An <see cref="ArgumentException"/>, the matrix being the argument at fault; the solvers
/// report it as <see cref="Solvers.SolveStatus.NotPositiveDefinite"/> instead of throwing it.
/// </summary>
public sealed class NotPositiveDefiniteException(string message) : ArgumentException(message);
