using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// What a solver is made for: a matrix and, when it is a 7-point voxel Poisson operator, its grid (checked
/// against the matrix entry for entry by whoever found it, e.g. <see cref="GridOperatorMatch"/>). The matrix is
/// in the full-grid layout (one row per cell) or the compact one (one row per fluid cell); b and x have one
/// entry per matrix row whatever the solver.
/// </summary>
public sealed record SolverInput(CsrMatrix Matrix, PoissonGrid? Grid = null)
{
    /// <summary>One row per fluid cell (not one per cell).</summary>
    public bool IsCompact => Grid is not null && Matrix.Rows == Grid.FluidCount && Matrix.Rows != Grid.CellCount;
}
