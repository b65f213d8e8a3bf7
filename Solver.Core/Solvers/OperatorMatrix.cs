using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// A voxel operator's own matrix as the caller holds it (read from a file the operator was recognised from): one row per
/// cell (the full grid), or one per fluid cell in the cells' order (the compact layout). The layout is said, not read
/// from the row count: a compact matrix with rows for cells without an equation can have as many rows as a box has cells.
/// </summary>
/// <param name="OnFluidCells">The compact layout; false: the full grid.</param>
internal readonly record struct OperatorMatrix(CsrMatrix Matrix, bool OnFluidCells)
{
    /// <summary>The matrix for the solver on <paramref name="box"/>, the box around <paramref name="op"/>'s unknowns (or op
    /// itself): a full-grid matrix serves the whole grid only, a compact one any box around the unknowns (a box keeps
    /// their order).</summary>
    public static OperatorMatrix? For(VoxelOperator box, VoxelOperator op, OperatorMatrix? matrix) =>
        ReferenceEquals(box, op) || matrix?.OnFluidCells == true ? matrix : null;
}
