namespace Dcdm.Solvers;

/// <summary>The outcome of one solve: never an exception for a numerical outcome, never void.</summary>
public sealed record SolveResult
{
    public required string Method { get; init; }
    public required SolveStatus Status { get; init; }
    public required int Iterations { get; init; }
    /// <summary>Final ||b - A x|| / ||b||, computed from x (not the recurrence).</summary>
    public required double RelativeResidual { get; init; }
    /// <summary>Relative residual per iteration, entry 0 the initial one.</summary>
    public required IReadOnlyList<double> ResidualHistory { get; init; }
    public required TimeSpan SetupTime { get; init; }
    public required TimeSpan SolveTime { get; init; }
    /// <summary>Why it ended, in words.</summary>
    public required string Message { get; init; }
    /// <summary>Set when b was projected onto the range of A (zero rows or singular components).</summary>
    public RangeProjection? Projection { get; init; }
    /// <summary>Times the recurrence residual met the tolerance but the true one did not, so r was recomputed.</summary>
    public int ResidualReplacements { get; init; }
    /// <summary>Set when the method's loop stalled and another finished the solve (DCDM's fallback).</summary>
    public FallbackReport? Fallback { get; init; }
    /// <summary>Extra facts a method reports (e.g. DCDM's replaced directions and fallback), for people.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    public bool Converged => Status == SolveStatus.Converged;

    /// <summary>Wraps how a Krylov loop ended with the solve's bookkeeping.</summary>
    public static SolveResult From(string method, KrylovOutcome outcome, IReadOnlyList<double> history, TimeSpan setup, TimeSpan solve,
                                   RangeProjection? projection, IReadOnlyDictionary<string, string> details, FallbackReport? fallback = null) => new()
    {
        Method = method, Status = outcome.Status, Iterations = outcome.Iterations, RelativeResidual = outcome.RelativeResidual,
        ResidualHistory = history, SetupTime = setup, SolveTime = solve, Message = outcome.Message,
        Projection = projection, ResidualReplacements = outcome.ResidualReplacements, Details = details, Fallback = fallback,
    };
}
