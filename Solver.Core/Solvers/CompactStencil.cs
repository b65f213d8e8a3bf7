using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// A grid's unit operator on its unknowns, in the pattern of the compact matrix it was checked against, or the one that
/// matrix would have: (A x)_k = d_k x_k - the sum of x over the row's other columns, d_k the unknown's diagonal byte.
/// The values are known (-1 off the diagonal), and the pattern is kept as pieces of rows of one shape (<see cref="RowPieces"/>):
/// a product reads 21 bytes a piece and 1 a row, a vector of rows at a time, where the CSR product streams 12 bytes an
/// entry (slits at 128^3: 0.8-1.6 ms against 3.3-4.3 for the pattern read entry by entry, docs/benchmarks.md). The row
/// blocks, the order of each row's sum and of the partial dots are the CSR product's, so every result is the matrix's,
/// bit for bit. One product at a time (the partial dots are the operator's), as a solver runs them.
/// </summary>
internal sealed class CompactStencil : IHostOperator
{
    readonly int _rows;
    readonly byte[] _diagonal; // per unknown
    readonly RowPieces _pieces;
    readonly double[] _partial;

    /// <param name="matrix">The grid's unit operator on its unknowns (<see cref="ReducedSystem.Matrix"/> of a grid's system,
    /// matched against the grid or assembled from it), so its columns are in range: the product reads without checks.
    /// Where its unknowns are the grid's (<see cref="PoissonGrid.UnknownCells"/>) its pattern is the grid's, made from
    /// the cells as for a grid alone; else read from the matrix.</param>
    /// <param name="unknownCells">Each unknown's cell (<see cref="ReducedSystem.Active"/>); null: every cell.</param>
    public CompactStencil(CsrMatrix matrix, PoissonGrid grid, int[]? unknownCells)
        : this(grid, unknownCells, matrix.Rows == (unknownCells?.Length ?? grid.CellCount) && matrix.IsSquare
            ? TheGridsUnknowns(grid, unknownCells) ? RowPieces.Of(grid) : RowPieces.Of(matrix.RowPointers, matrix.ColumnIndices, Blocks(matrix.RowPointers))
            : throw new ArgumentException($"a {matrix.Rows} x {matrix.Columns} matrix is not the operator on the grid's {unknownCells?.Length ?? grid.CellCount} unknowns")) { }

    /// <summary>
    /// The product on the grid's unknowns (<see cref="PoissonGrid.UnknownCells"/>, <see cref="ReducedSystem.FromGrid"/>'s)
    /// without a matrix: the pieces of the pattern the assembled compact matrix would have, made from the cells' diagonal
    /// bytes, so a set-up without a caller's matrix assembles none (slits at 128^3: 32-45 ms for the matrix).
    /// </summary>
    public CompactStencil(PoissonGrid grid)
        : this(grid, grid.UnknownCells.Length == grid.CellCount ? null : grid.UnknownCells, RowPieces.Of(grid)) { }

    CompactStencil(PoissonGrid grid, int[]? unknownCells, RowPieces pieces)
    {
        _rows = unknownCells?.Length ?? grid.CellCount;
        var cellDiagonal = grid.Diagonal;
        _diagonal = unknownCells is null ? cellDiagonal : new byte[unknownCells.Length];
        if (unknownCells is not null)
            Parallel.For(0, (unknownCells.Length >> 16) + 1, c =>
            {
                for (int k = c << 16, end = Math.Min(unknownCells.Length, (c + 1) << 16); k < end; k++) _diagonal[k] = cellDiagonal[unknownCells[k]];
            });
        _pieces = pieces;
        _partial = new double[pieces.Blocks];
    }

    /// <summary>
    /// The product of a system on the grid's unknowns whose matrix the caller matched against the grid's operator: made
    /// from the grid where the system's unknowns are the grid's (always, for <see cref="ReducedSystem.FromGrid"/>), so its
    /// matrix is not assembled for it. A grid with fluid cells that have no open face (zero rows of the compact matrix,
    /// not unknowns) would otherwise have the matrix's rows on the unknowns copied first: 30-36 ms for rock carved at
    /// 80% solid at 128^3 (docs/benchmarks.md).
    /// </summary>
    public static CompactStencil For(ReducedSystem system, PoissonGrid grid) =>
        TheGridsUnknowns(grid, system.Active) ? new CompactStencil(grid) : new CompactStencil(system.Matrix, grid, system.Active);

    /// <summary>Whether <paramref name="unknownCells"/> (null: every cell) are the grid's unknowns.</summary>
    static bool TheGridsUnknowns(PoissonGrid grid, int[]? unknownCells) =>
        unknownCells is null ? grid.UnknownCells.Length == grid.CellCount : unknownCells.AsSpan().SequenceEqual(grid.UnknownCells);

    /// <summary>The CSR product's row blocks (<see cref="CsrMatrix.MultiplyAndDot"/>) of a pattern.</summary>
    internal static int[] Blocks(int[] rowStart) =>
        rowStart[^1] < CsrMatrix.ParallelNonZeros ? [0, rowStart.Length - 1] : CsrMatrix.BalancedRowBlocks(rowStart, Environment.ProcessorCount * 4);

    public double MultiplyAndDot(double[] p, double[] q) => Product(p, q, dot: true);

    public double Residual(double[] b, double[] x, double[] r)
    {
        Product(x, r, dot: false);
        for (int i = 0; i < r.Length; i++) r[i] = b[i] - r[i];
        return VectorOps.Norm2(r);
    }

    /// <summary>y = A x; returns x.y when <paramref name="dot"/>.</summary>
    unsafe double Product(double[] x, double[] y, bool dot)
    {
        int n = _rows;
        if (x.Length < n || y.Length < n) throw new ArgumentException($"the operator has {n} rows; x has {x.Length} entries and y {y.Length}");
        if (_partial.Length == 1) _partial[0] = _pieces.Product(0, _diagonal, x, y, dot);
        else Parallel.For(0, _partial.Length, b => _partial[b] = _pieces.Product(b, _diagonal, x, y, dot));
        double sum = 0;
        foreach (double v in _partial) sum += v;
        return sum;
    }
}
