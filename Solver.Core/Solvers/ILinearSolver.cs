namespace Dcdm.Solvers;

/// <summary>
/// A solver bound to one operator: set up once (work vectors, factorizations), then solve many right-hand sides.
/// Vectors have one entry per matrix row; rows that are entirely zero are not unknowns (x = 0 there).
/// Instances are not thread-safe. Dispose releases device buffers (a no-op for the CPU solvers): use <c>using</c>.
/// <c>Solve(b, x)</c> without settings is <see cref="LinearSolverExtensions.Solve"/>.
/// </summary>
public interface ILinearSolver : IDisposable
{
    string Method { get; }
    /// <summary>Length of b and x.</summary>
    int Size { get; }
    TimeSpan SetupTime { get; }

    /// <summary>
    /// Solves with this call's settings over the solver's options: e.g. <see cref="SolveSettings.FromGuess"/> starts
    /// from the x passed in (a warm start from the previous time step), or a looser tolerance for one step.
    /// </summary>
    SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default);
}
