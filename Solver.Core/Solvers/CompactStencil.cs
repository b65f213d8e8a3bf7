using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// A grid's unit operator on its unknowns, in the pattern of the compact matrix it was checked against, or the one that
/// matrix would have, made from the grid (<see cref="Pattern"/>):
/// (A x)_k = d_k x_k - the sum of x over the row's other columns, d_k the unknown's diagonal byte. The values are known
/// (-1 off the diagonal), so they are not read: a product streams about 4 bytes a stored entry and 1 a row where the CSR
/// product streams 12 an entry (slits at 128^3: 2.7 ms against 4.2). The row blocks, the order of each row's sum and of
/// the partial dots are the CSR product's, so every result is the matrix's, bit for bit. One product at a time (the
/// partial dots are the operator's), as a solver runs them.
/// </summary>
internal sealed class CompactStencil : IHostOperator
{
    readonly int[] _rowStart, _columns;
    readonly byte[] _diagonal; // per unknown
    readonly int[] _blocks;
    readonly double[] _partial;

    /// <param name="matrix">The grid's unit operator on its unknowns (<see cref="ReducedSystem.Matrix"/> of a grid's system,
    /// matched against the grid or assembled from it), so its columns are in range: the product reads without checks.</param>
    /// <param name="unknownCells">Each unknown's cell (<see cref="ReducedSystem.Active"/>); null: every cell.</param>
    public CompactStencil(CsrMatrix matrix, PoissonGrid grid, int[]? unknownCells)
        : this(grid, unknownCells, matrix.Rows == (unknownCells?.Length ?? grid.CellCount) && matrix.IsSquare ? (matrix.RowPointers, matrix.ColumnIndices)
            : throw new ArgumentException($"a {matrix.Rows} x {matrix.Columns} matrix is not the operator on the grid's {unknownCells?.Length ?? grid.CellCount} unknowns")) { }

    /// <summary>
    /// The product on the grid's unknowns (<see cref="PoissonGrid.UnknownCells"/>, <see cref="ReducedSystem.FromGrid"/>'s)
    /// without a matrix: the pattern the assembled compact matrix would have (<see cref="Pattern"/>), made from the cells'
    /// diagonal bytes, so a set-up without a caller's matrix assembles none (slits at 128^3: 32-45 ms for the matrix).
    /// </summary>
    public CompactStencil(PoissonGrid grid)
        : this(grid, grid.UnknownCells.Length == grid.CellCount ? null : grid.UnknownCells, Pattern(grid)) { }

    CompactStencil(PoissonGrid grid, int[]? unknownCells, (int[] RowStart, int[] Columns) pattern)
    {
        (_rowStart, _columns) = pattern;
        int n = _rowStart.Length - 1;
        var cellDiagonal = grid.Diagonal;
        _diagonal = unknownCells is null ? cellDiagonal : new byte[unknownCells.Length];
        if (unknownCells is not null)
            Parallel.For(0, (unknownCells.Length >> 16) + 1, c =>
            {
                for (int k = c << 16, end = Math.Min(unknownCells.Length, (c + 1) << 16); k < end; k++) _diagonal[k] = cellDiagonal[unknownCells[k]];
            });
        _blocks = _rowStart[n] < CsrMatrix.ParallelNonZeros ? [0, n] : CsrMatrix.BalancedRowBlocks(_rowStart, Environment.ProcessorCount * 4);
        _partial = new double[_blocks.Length - 1];
    }

    /// <summary>
    /// The grid's compact operator's pattern on its unknowns, as <see cref="GridMatrices.ToCsr"/> and the submatrix of the
    /// unknowns give it: row k (unknown k, cells ascending) holds, in ascending order, its neighbours across -z, -y, -x,
    /// itself, then +x, +y, +z, a neighbour where it is an unknown (a positive diagonal byte: a fluid neighbour of an
    /// unknown shares an open face with it). Along x a neighbour unknown is the next or last one; along y and z its index
    /// is read from a map of the unknowns' cells. Each plane's entries counted, then its rows written, by planes in parallel.
    /// </summary>
    internal static (int[] RowStart, int[] Columns) Pattern(PoissonGrid grid)
    {
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz, plane = nx * ny;
        var cells = grid.UnknownCells;
        var d = grid.Diagonal;
        int n = cells.Length;
        // each row of cells' first unknown: row r = y + ny z holds unknowns rowFirst[r] up to rowFirst[r + 1]
        var rowFirst = new int[ny * nz + 1];
        Parallel.For(0, nz, z =>
        {
            for (int r = ny * z; r < ny * (z + 1); r++)
            {
                int k = Array.BinarySearch(cells, r * nx);
                rowFirst[r] = k >= 0 ? k : ~k;
            }
        });
        rowFirst[ny * nz] = n;
        var rowStart = RebindCache.Array<int>(n + 1, zeroed: false); // every entry written below
        var planeEntries = new long[nz + 1];
        Parallel.For(0, nz, z => // each plane's entries: its unknowns, and each unknown's neighbours that are unknowns
        {
            var here = d.AsSpan(z * plane, plane);
            // a face along x inside the plane joins cells i and i + 1 except from the end of a row of cells to the next's start
            long faces = Both(here[..^1], here[1..]) - Both(here.Slice(nx - 1, plane - nx + 1), here[nx..], stride: nx);
            faces += Both(here[..^nx], here[nx..]);
            long entries = Both(here, here) + 2 * faces;
            if (z > 0) entries += Both(d.AsSpan((z - 1) * plane, plane), here);
            if (z < nz - 1) entries += Both(here, d.AsSpan((z + 1) * plane, plane));
            planeEntries[z + 1] = entries;
        });
        for (int z = 0; z < nz; z++) planeEntries[z + 1] += planeEntries[z];
        if (planeEntries[nz] > int.MaxValue)
            throw new InvalidOperationException($"a {nx}x{ny}x{nz} grid with {n} unknowns has too many couplings for int indices; use a matrix-free solver");
        var columns = RebindCache.Array<int>((int)planeEntries[nz], zeroed: false);
        // each unknown's index at its cell, read only at unknowns (so never cleared), from the shared pool: a set-up
        // every time step would otherwise fault in a fresh array each time
        var index = ArrayPool<int>.Shared.Rent(grid.CellCount);
        Parallel.For(0, nz, z =>
        {
            for (int k = rowFirst[ny * z]; k < rowFirst[ny * (z + 1)]; k++) index[cells[k]] = k;
        });
        Parallel.For(0, nz, z =>
        {
            int at = (int)planeEntries[z];
            for (int y = 0; y < ny; y++)
            {
                int r = y + ny * z;
                for (int k = rowFirst[r]; k < rowFirst[r + 1]; k++)
                {
                    int i = cells[k], x = i - nx * r;
                    rowStart[k] = at;
                    if (z > 0 && d[i - plane] > 0) columns[at++] = index[i - plane];
                    if (y > 0 && d[i - nx] > 0) columns[at++] = index[i - nx];
                    if (x > 0 && d[i - 1] > 0) columns[at++] = k - 1;
                    columns[at++] = k;
                    if (x < nx - 1 && d[i + 1] > 0) columns[at++] = k + 1;
                    if (y < ny - 1 && d[i + nx] > 0) columns[at++] = index[i + nx];
                    if (z < nz - 1 && d[i + plane] > 0) columns[at++] = index[i + plane];
                }
            }
        });
        ArrayPool<int>.Shared.Return(index);
        rowStart[n] = columns.Length;
        return (rowStart, columns);
    }

    /// <summary>
    /// How many places i hold an unknown (a positive byte) in both <paramref name="a"/> and <paramref name="b"/>, at every
    /// <paramref name="stride"/>-th place from the first; a vector of bytes at a time where the stride is 1.
    /// </summary>
    static long Both(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int stride = 1)
    {
        long count = 0;
        int i = 0, length = Math.Min(a.Length, b.Length);
        if (stride == 1 && Vector256.IsHardwareAccelerated)
            for (; i <= length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                var both = Vector256.GreaterThan(Vector256.Create(a.Slice(i, Vector256<byte>.Count)), Vector256<byte>.Zero)
                    & Vector256.GreaterThan(Vector256.Create(b.Slice(i, Vector256<byte>.Count)), Vector256<byte>.Zero);
                count += BitOperations.PopCount(both.ExtractMostSignificantBits());
            }
        for (; i < length; i += stride) if (a[i] > 0 && b[i] > 0) count++;
        return count;
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
        int n = _rowStart.Length - 1;
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
        fixed (int* start = _rowStart, columns = _columns)
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
