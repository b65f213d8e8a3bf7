namespace Dcdm.Models;

/// <summary>
/// A bound direction that reads r and writes q on the unknowns (one entry per row of the solver's system) instead of the
/// full grid, saving DCDM the copies of a grid of floats in and out of every direction.
/// </summary>
internal interface IDirectionOnUnknowns
{
    /// <summary>
    /// q = f(scale r) on the unknowns: r[i] and q[i] belong to grid cell active[i] (active null: the unknowns are the
    /// whole grid).
    /// </summary>
    void Apply(ReadOnlySpan<double> r, double scale, int[]? active, Span<double> q);
}
