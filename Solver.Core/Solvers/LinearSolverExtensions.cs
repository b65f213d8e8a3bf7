namespace Dcdm.Solvers;

/// <summary>The call every solver answers the same way, written once.</summary>
public static class LinearSolverExtensions
{
    /// <summary>Solves with the options the solver was made with (x is the start only if they say so).</summary>
    public static SolveResult Solve(this ILinearSolver solver, ReadOnlySpan<double> b, Span<double> x, CancellationToken cancellation = default) =>
        solver.Solve(b, x, SolveSettings.None, cancellation);
}
