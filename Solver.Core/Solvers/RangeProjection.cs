namespace Dcdm.Solvers;

/// <summary>
/// What the solver removed from b to make the system solvable: the part on zero rows (cells that are
/// not unknowns), and the mean of b on each fluid component with a null space (no Dirichlet cell,
/// so constants solve A x = 0). The relative residual is measured against the projected b.
/// </summary>
public sealed record RangeProjection(int SingularComponents, double RemovedNorm, double OriginalNorm)
{
    public double RelativeRemoved => OriginalNorm > 0 ? RemovedNorm / OriginalNorm : 0;
}
