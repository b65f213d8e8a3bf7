namespace Dcdm.Solvers;

/// <summary>Why a solve ended. Only <see cref="Converged"/> means x meets the tolerance.</summary>
public enum SolveStatus
{
    /// <summary>The true relative residual ||b - A x|| / ||b|| is at or below the tolerance.</summary>
    Converged,
    /// <summary>The iteration limit was reached first.</summary>
    MaxIterations,
    /// <summary>p.Ap &lt;= 0 for a nonzero p, or a non-positive diagonal: the matrix is not positive definite.</summary>
    NotPositiveDefinite,
    /// <summary>The method cannot continue for a reason the other statuses do not name (e.g. a direction with r.Ar &lt;= 0).</summary>
    Breakdown,
    /// <summary>The residual grew past the divergence limit.</summary>
    Diverged,
    /// <summary>The caller's cancellation token fired; x holds the last iterate.</summary>
    Cancelled,
    /// <summary>r.z &lt;= 0 for a nonzero r: the preconditioner is not positive definite.</summary>
    IndefinitePreconditioner,
    /// <summary>NaN or infinity appeared (in b, the initial guess, a dot product or the residual).</summary>
    NotANumber,
}
