using Dcdm.Solvers;

namespace Dcdm.Cli;

/// <summary>Process exit codes, one per kind of outcome (README, "Exit codes").</summary>
public static class ExitCode
{
    public const int Converged = 0;
    /// <summary>MaxIterations or Diverged: more iterations, a looser tolerance or another method may help.</summary>
    public const int NotConverged = 1;
    public const int BadInput = 2;
    public const int InternalError = 3;
    /// <summary>NotPositiveDefinite or IndefinitePreconditioner: the system or preconditioner does not suit the method.</summary>
    public const int NotPositiveDefinite = 4;
    /// <summary>NotANumber or Breakdown: the arithmetic failed (NaN or infinity in the input or on the way).</summary>
    public const int Breakdown = 5;
    /// <summary>Cancelled (Ctrl+C), the shell's convention for an interrupt.</summary>
    public const int Cancelled = 130;

    public static int From(SolveStatus status) => status switch
    {
        SolveStatus.Converged => Converged,
        SolveStatus.MaxIterations or SolveStatus.Diverged => NotConverged,
        SolveStatus.NotPositiveDefinite or SolveStatus.IndefinitePreconditioner => NotPositiveDefinite,
        SolveStatus.NotANumber or SolveStatus.Breakdown => Breakdown,
        SolveStatus.Cancelled => Cancelled,
        _ => InternalError,
    };
}
