namespace Dcdm.Solvers;

/// <summary>
/// Immutable solver settings, validated on creation.
/// </summary>
public sealed record SolverOptions
{
    /// <summary>Stop when ||b - A x|| &lt;= Tolerance * ||b|| (true residual). Default 1e-6.</summary>
    public double Tolerance { get; init => field = value > 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Tolerance), $"tolerance {value} must be in (0, 1)"); } = 1e-6;

    /// <summary>Iteration limit. Default 10,000.</summary>
    public int MaxIterations { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxIterations), $"max iterations {value} must be >= 0"); } = 10_000;

    /// <summary>Start from the x passed to Solve instead of zero. Default false.</summary>
    public bool UseInitialGuess { get; init; }

    /// <summary>Stop as Diverged when the relative residual exceeds this. Default 1e8.</summary>
    public double DivergenceLimit { get; init => field = value > 1 ? value : throw new ArgumentOutOfRangeException(nameof(DivergenceLimit), $"divergence limit {value} must be > 1"); } = 1e8;

    /// <summary>Called once per iteration on the solving thread; must be cheap. Default none.</summary>
    public Action<IterationInfo>? Monitor { get; init; }

    public static SolverOptions Default { get; } = new();
}
