namespace Dcdm.Multigrid;

/// <summary>
/// A direct solve of one level (its coarsest, or a level that costs less to factor than to coarsen): x = A^+ b for b
/// in the range of A, one solve at a time (it works in a vector of its own).
/// </summary>
internal interface ILevelFactor
{
    /// <summary>x = A^+ b; an unknown whose pivot fell to round-off (a component with no Dirichlet cell) is 0.</summary>
    void Solve(ReadOnlySpan<double> b, Span<double> x);

    /// <summary>The factor's entries off the diagonal (what a solve reads once each way).</summary>
    long Entries { get; }

    /// <summary>The factor in a few words, for a result's details (e.g. "478 envelope entries").</summary>
    string Describe();
}
