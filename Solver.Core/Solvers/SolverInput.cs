using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// What a solver is made for: a matrix and, when it is a 7-point voxel Poisson operator, its grid (checked against the
/// matrix entry for entry when a catalog makes a solver for it, or once by <see cref="OfGrid"/>). The matrix is
/// in the full-grid layout (one row per cell) or the compact one (one row per fluid cell); b and x have one
/// entry per matrix row whatever the solver. A matrix that is a voxel operator with per-face coefficients (not the unit
/// one of a grid) comes with that <see cref="Operator"/> (<see cref="VoxelOperator.Recognise"/>); the grid is then given
/// only for the compact layout, to say which cell each row is (its fluid cells, in order).
/// </summary>
public sealed record SolverInput(CsrMatrix Matrix, PoissonGrid? Grid = null, VoxelOperator? Operator = null)
{
    // the matrix and grid OfGrid found to be one operator, by reference: a copy with either replaced is checked again
    (CsrMatrix Matrix, PoissonGrid Grid)? _checked;

    /// <summary>One row per fluid cell (not one per cell).</summary>
    public bool IsCompact => Grid is not null && Matrix.Rows == Grid.FluidCount && Matrix.Rows != Grid.CellCount;

    /// <summary>
    /// The matrix with the grid whose unit 7-point operator it is, in either layout (one row per cell, or one per fluid
    /// cell), checked here entry for entry (<see cref="GridOperatorMatch.Matches"/>) once: a catalog making solver after
    /// solver for it (a benchmark's repeats, a time loop on one geometry) does not check it again. Null when the matrix
    /// is not that operator, with why naming the first row that differs. The matrix must not change afterwards.
    /// </summary>
    public static SolverInput? OfGrid(CsrMatrix matrix, PoissonGrid grid, out string why)
    {
        bool compact = matrix.Rows == grid.FluidCount && matrix.Rows != grid.CellCount;
        if (!GridOperatorMatch.Matches(grid, matrix, compact ? GridMatrixLayout.Compact : GridMatrixLayout.FullGrid, out why)) return null;
        return new SolverInput(matrix, grid) { _checked = (matrix, grid) };
    }

    /// <summary>
    /// A full-grid matrix with the grid inferred from it (<see cref="GridOperatorMatch.Infer"/>, which checks the two
    /// entry for entry as its last step): checked once, as <see cref="OfGrid"/> gives it. Null, with why, when the matrix is
    /// not a unit 7-point operator of that shape (<paramref name="size"/>; null: a cube).
    /// </summary>
    public static SolverInput? Infer(CsrMatrix matrix, (int Nx, int Ny, int Nz)? size, out string why) =>
        GridOperatorMatch.Infer(matrix, size, out why) is { } grid ? new SolverInput(matrix, grid) { _checked = (matrix, grid) } : null;

    /// <summary>Whether <see cref="OfGrid"/> or <see cref="Infer"/> checked this grid against this matrix.</summary>
    internal bool GridIsChecked => _checked is var (m, g) && ReferenceEquals(m, Matrix) && ReferenceEquals(g, Grid);

    /// <summary>Equal when the matrix, the grid and the operator are (whether the grid was checked does not count).</summary>
    public bool Equals(SolverInput? other) => other is not null && Equals(Matrix, other.Matrix) && Equals(Grid, other.Grid) && Equals(Operator, other.Operator);

    public override int GetHashCode() => HashCode.Combine(Matrix, Grid, Operator);
}
