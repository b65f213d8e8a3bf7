namespace Dcdm.Solvers;

/// <summary>
/// What finishes a solve whose loop stalled: a classical method continuing from the current x on the same
/// prepared vectors (the frame's b and x), with the iterations left. Set up once with its solver.
/// </summary>
public interface ISolveFallback
{
    /// <summary>What the result names, e.g. "pcg-mg".</summary>
    string Name { get; }
    /// <summary>
    /// Continues from x with the solve's options (their limit: the iterations left; their monitor numbers on from the loop's);
    /// appends its relative residuals (after the current one) to <paramref name="history"/>.
    /// </summary>
    KrylovOutcome Continue(double bNorm, SolverOptions options, List<double> history, CancellationToken cancellation);
}
