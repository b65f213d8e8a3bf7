using Dcdm.Poisson;

namespace Dcdm.Models;

/// <summary>
/// A learned map from a residual to a search direction (f(r) ~ A^-1 r up to a scale), bound once to a
/// grid's geometry (<see cref="Bind"/>: whatever depends only on the cell flags is computed there).
/// </summary>
public interface IDirectionModel
{
    /// <summary>For people: architecture and size.</summary>
    string Description { get; }
    IDirection Bind(PoissonGrid grid);
}

/// <summary>A direction model bound to one grid. Vectors are full-grid (one entry per cell, x fastest).</summary>
public interface IDirection
{
    /// <summary>
    /// q = f(r); q may be nonzero off the fluid cells (the solver ignores those entries). r and q may be one buffer
    /// (the solver passes one to save a grid of floats): an implementation reads all of r before it writes q.
    /// </summary>
    void Apply(ReadOnlySpan<float> r, Span<float> q);
}
