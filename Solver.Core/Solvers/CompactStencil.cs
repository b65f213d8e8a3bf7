using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// A grid's unit operator on its unknowns, in the pattern of the compact matrix it was checked against or assembled as:
/// (A x)_k = d_k x_k - the sum of x over the row's other columns, d_k the unknown's diagonal byte. The values are known
/// (-1 off the diagonal), so they are not read: a product streams about 4 bytes a stored entry and 1 a row where the CSR
/// product streams 12 an entry (slits at 128^3: 2.7 ms against 4.2). The row blocks, the order of each row's sum and of
/// the partial dots are the CSR product's, so every result is the matrix's, bit for bit. One product at a time (the
/// partial dots are the operator's), as a solver runs them.
/// </summary>
internal sealed class CompactStencil : IHostOperator
{
    readonly CsrMatrix _pattern;
    readonly byte[] _diagonal; // per unknown
    readonly int[] _blocks;
    readonly double[] _partial;

    /// <param name="matrix">The grid's unit operator on its unknowns (<see cref="ReducedSystem.Matrix"/> of a grid's system,
    /// matched against the grid or assembled from it), so its columns are in range: the product reads without checks.</param>
    /// <param name="unknownCells">Each unknown's cell (<see cref="ReducedSystem.Active"/>); null: every cell.</param>
    public CompactStencil(CsrMatrix matrix, PoissonGrid grid, int[]? unknownCells)
    {
        if (matrix.Rows != (unknownCells?.Length ?? grid.CellCount) || !matrix.IsSquare)
            throw new ArgumentException($"a {matrix.Rows} x {matrix.Columns} matrix is not the operator on the grid's {unknownCells?.Length ?? grid.CellCount} unknowns");
        _pattern = matrix;
        var cellDiagonal = grid.Diagonal;
        _diagonal = unknownCells is null ? cellDiagonal : new byte[unknownCells.Length];
        if (unknownCells is not null)
            Parallel.For(0, (unknownCells.Length >> 16) + 1, c =>
            {
                for (int k = c << 16, end = Math.Min(unknownCells.Length, (c + 1) << 16); k < end; k++) _diagonal[k] = cellDiagonal[unknownCells[k]];
            });
        _blocks = matrix.NonZeros < CsrMatrix.ParallelNonZeros ? [0, matrix.Rows] : matrix.BalancedRowBlocks(Environment.ProcessorCount * 4);
        _partial = new double[_blocks.Length - 1];
    }

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
        int n = _pattern.Rows;
        if (x.Length < n || y.Length < n) throw new ArgumentException($"the operator has {n} rows; x has {x.Length} entries and y {y.Length}");
        if (_partial.Length == 1) _partial[0] = Rows(0, n, x, y, dot);
        else Parallel.For(0, _partial.Length, b => _partial[b] = Rows(_blocks[b], _blocks[b + 1], x, y, dot));
        double sum = 0;
        foreach (double v in _partial) sum += v;
        return sum;
    }

    unsafe double Rows(int first, int end, double[] x, double[] y, bool dot)
    {
        double sum = 0;
        fixed (int* start = _pattern.RowPointers, columns = _pattern.ColumnIndices)
        fixed (byte* d = _diagonal)
        fixed (double* input = x, output = y)
            for (int k = first; k < end; k++)
            {
                double s = 0;
                for (int e = start[k], stop = start[k + 1]; e < stop; e++)
                {
                    int c = columns[e];
                    s += c == k ? d[k] * input[k] : -input[c]; // the CSR product's terms: d x_k, and -1 times x_c
                }
                output[k] = s;
                if (dot) sum += input[k] * s;
            }
        return sum;
    }
}
