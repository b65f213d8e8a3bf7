using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// What a solver is made for: a matrix and, when it is a 7-point voxel Poisson operator, its grid (checked
/// against the matrix entry for entry by whoever found it, e.g. <see cref="GridOperatorMatch"/>). The matrix is
/// in the full-grid layout (one row per cell) or the compact one (one row per fluid cell); b and x have one
/// entry per matrix row whatever the solver. A matrix that is a voxel operator with per-face coefficients (not the unit
/// one of a grid) comes with that <see cref="Operator"/> (<see cref="VoxelOperator.Recognise"/>); the grid is then given
/// only for the compact layout, to say which cell each row is (its fluid cells, in order).
/// </summary>
public sealed record SolverInput(CsrMatrix Matrix, PoissonGrid? Grid = null, VoxelOperator? Operator = null)
{
    /// <summary>One row per fluid cell (not one per cell).</summary>
    public bool IsCompact => Grid is not null && Matrix.Rows == Grid.FluidCount && Matrix.Rows != Grid.CellCount;
}
