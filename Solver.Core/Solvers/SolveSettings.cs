namespace Dcdm.Solvers;

/// <summary>
/// What one solve may change without rebuilding the solver (a CFD code's time step): the tolerance, the iteration
/// limit, and whether x holds a start (a warm start from the previous step's pressure). Unset values keep the
/// solver's <see cref="SolverOptions"/>.
/// </summary>
public sealed record SolveSettings
{
    /// <summary>Stop when ||b - A x|| &lt;= Tolerance ||b||; null: the solver's.</summary>
    public double? Tolerance { get; init => field = value is null or (> 0 and < 1) ? value : throw new ArgumentOutOfRangeException(nameof(Tolerance), $"tolerance {value} must be in (0, 1)"); }

    /// <summary>Iteration limit; null: the solver's. A device solver sized at set-up refuses more than its options' limit.</summary>
    public int? MaxIterations { get; init => field = value is null or >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxIterations), $"max iterations {value} must be >= 0"); }

    /// <summary>Start from the x passed in instead of zero; null: the solver's (<see cref="SolverOptions.UseInitialGuess"/>).</summary>
    public bool? WarmStart { get; init; }

    /// <summary>Nothing changed: the solver's options as constructed.</summary>
    public static SolveSettings None { get; } = new();

    /// <summary>Start from the x passed in (the previous time step's solution), everything else as constructed.</summary>
    public static SolveSettings FromGuess { get; } = new() { WarmStart = true };

    /// <summary>The options of one solve: these settings over the solver's.</summary>
    public SolverOptions Over(SolverOptions options) =>
        Tolerance is null && MaxIterations is null && WarmStart is null ? options : options with
        {
            Tolerance = Tolerance ?? options.Tolerance,
            MaxIterations = MaxIterations ?? options.MaxIterations,
            UseInitialGuess = WarmStart ?? options.UseInitialGuess,
        };
}
