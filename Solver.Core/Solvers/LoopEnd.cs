namespace Dcdm.Solvers;

/// <summary>
/// How a method's loop ended: with an outcome, or stalled after <see cref="Iterations"/> (no outcome) so the
/// solve frame hands the rest to the solver's fallback.
/// </summary>
public readonly record struct LoopEnd(KrylovOutcome? Outcome, int Iterations, int ResidualReplacements, string? StallReason = null)
{
    public bool Stalled => Outcome is null;
    public static LoopEnd Finished(KrylovOutcome outcome) => new(outcome, outcome.Iterations, outcome.ResidualReplacements);
    public static LoopEnd Stall(int iterations, int residualReplacements, string reason) => new(null, iterations, residualReplacements, reason);
}
