namespace Dcdm.Solvers;

/// <summary>The preconditioners <see cref="ConjugateGradient"/> can build for itself.</summary>
public enum PreconditionerKind
{
    /// <summary>Plain CG.</summary>
    None,
    /// <summary>Diagonal scaling.</summary>
    Jacobi,
    /// <summary>IC(0), incomplete Cholesky without fill-in.</summary>
    IncompleteCholesky,
}
