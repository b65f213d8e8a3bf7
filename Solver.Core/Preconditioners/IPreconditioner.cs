namespace Dcdm.Preconditioners;

/// <summary>z = M^-1 r for an SPD approximation M of A, built once for one matrix.</summary>
public interface IPreconditioner
{
    void Apply(ReadOnlySpan<double> r, Span<double> z);

    /// <summary>
    /// Whether M^-1 changes from call to call (an inner Krylov solve, e.g. a K-cycle): CG then runs its flexible form,
    /// each direction A-orthogonal to the last (Polak-Ribiere beta), which costs one more dot per iteration.
    /// </summary>
    bool Varies => false;
}
