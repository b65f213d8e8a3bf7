namespace Dcdm.Solvers;

/// <summary>
/// A solver bound to one operator: set up once (work vectors, factorizations), then solve many right-hand sides.
/// Vectors have one entry per matrix row; rows that are entirely zero are not unknowns (x = 0 there).
/// Instances are not thread-safe.
/// </summary>
public interface ILinearSolver
{
    string Method { get; }
    /// <summary>Length of b and x.</summary>
    int Size { get; }
    TimeSpan SetupTime { get; }
    SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, CancellationToken cancellation = default);
}
