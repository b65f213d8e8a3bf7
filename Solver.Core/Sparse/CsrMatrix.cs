namespace Dcdm.Sparse;

/// <summary>
/// Compressed sparse row matrix in double precision: columns sorted and unique within each row.
/// Immutable in shape; SpMV runs in parallel over row blocks balanced by nonzero count.
/// </summary>
public sealed class CsrMatrix
{
    /// <summary>Row r holds entries RowPointers[r] .. RowPointers[r+1]-1.</summary>
    public int[] RowPointers { get; }
    public int[] ColumnIndices { get; }
    public double[] Values { get; }
    public int Rows { get; }
    public int Columns { get; }
    public int NonZeros => RowPointers[Rows];
    public bool IsSquare => Rows == Columns;

    int[]? _rowBlocks;

    /// <summary>Below this many stored entries a product runs on the calling thread, in one block.</summary>
    internal const int ParallelNonZeros = 1 << 15;

    /// <summary>Wraps CSR arrays without copying; they must already be sorted, unique and in range.</summary>
    public CsrMatrix(int rows, int columns, int[] rowPointers, int[] columnIndices, double[] values)
    {
        if (rows < 0 || columns < 0) throw new ArgumentOutOfRangeException(nameof(rows), "matrix dimensions must be non-negative");
        if (rowPointers.Length != rows + 1) throw new ArgumentException($"rowPointers has length {rowPointers.Length}, expected rows + 1 = {rows + 1}");
        if (columnIndices.Length != values.Length) throw new ArgumentException("columnIndices and values differ in length");
        if (rowPointers[0] != 0 || rowPointers[rows] != values.Length) throw new ArgumentException("rowPointers must start at 0 and end at the number of stored entries");
        Rows = rows; Columns = columns;
        RowPointers = rowPointers; ColumnIndices = columnIndices; Values = values;
    }

    /// <summary>
    /// Builds CSR from coordinate triplets (0-based): duplicates are summed, columns sorted.
    /// The input arrays are not modified.
    /// </summary>
    public static CsrMatrix FromCoordinates(int rows, int columns, ReadOnlySpan<int> rowIndex, ReadOnlySpan<int> columnIndex, ReadOnlySpan<double> value)
        => FromCoordinates(rows, columns, rowIndex, columnIndex, value, mirror: false);

    /// <summary>
    /// <see cref="FromCoordinates(int, int, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{double})"/> of one triangle of a
    /// symmetric matrix, each off-diagonal triplet also placed mirrored, right after it (as a list of both triangles in
    /// that order would place it: the same sums in the same order), without that list's copy of the triplets.
    /// </summary>
    internal static CsrMatrix FromSymmetricTriangle(int size, ReadOnlySpan<int> rowIndex, ReadOnlySpan<int> columnIndex, ReadOnlySpan<double> value)
        => FromCoordinates(size, size, rowIndex, columnIndex, value, mirror: true);

    static CsrMatrix FromCoordinates(int rows, int columns, ReadOnlySpan<int> rowIndex, ReadOnlySpan<int> columnIndex, ReadOnlySpan<double> value, bool mirror)
    {
        int n = rowIndex.Length;
        if (columnIndex.Length != n || value.Length != n) throw new ArgumentException("coordinate arrays differ in length");
        var counts = new int[rows + 1];
        long placed = 0;
        for (int k = 0; k < n; k++)
        {
            int r = rowIndex[k], c = columnIndex[k];
            if ((uint)r >= (uint)rows || (uint)c >= (uint)columns)
                throw new ArgumentOutOfRangeException(nameof(rowIndex), $"entry {k} at ({r}, {c}) lies outside a {rows} x {columns} matrix");
            counts[r + 1]++;
            if (mirror && r != c) { counts[c + 1]++; placed++; }
        }
        placed += n;
        if (placed > Array.MaxLength) throw new ArgumentException($"{placed} entries once mirrored: more than an array holds", nameof(rowIndex));
        for (int r = 0; r < rows; r++) counts[r + 1] += counts[r];
        int total = (int)placed;
        var cols = new int[total];
        var vals = new double[total];
        var next = (int[])counts.Clone();
        for (int k = 0; k < n; k++)
        {
            int r = rowIndex[k], c = columnIndex[k], at = next[r]++;
            cols[at] = c;
            vals[at] = value[k];
            if (mirror && r != c)
            {
                at = next[c]++;
                cols[at] = r;
                vals[at] = value[k];
            }
        }
        // Sort each row by column, then sum duplicates in place.
        var pointers = new int[rows + 1];
        int write = 0;
        for (int r = 0; r < rows; r++)
        {
            int start = counts[r], end = counts[r + 1];
            if (!IsSorted(cols.AsSpan(start, end - start)))
                cols.AsSpan(start, end - start).Sort(vals.AsSpan(start, end - start));
            for (int k = start; k < end; k++)
            {
                if (write > pointers[r] && cols[write - 1] == cols[k]) vals[write - 1] += vals[k];
                else { cols[write] = cols[k]; vals[write] = vals[k]; write++; }
            }
            pointers[r + 1] = write;
        }
        if (write != total) { Array.Resize(ref cols, write); Array.Resize(ref vals, write); }
        return new CsrMatrix(rows, columns, pointers, cols, vals);
    }

    static bool IsSorted(ReadOnlySpan<int> s)
    {
        for (int i = 1; i < s.Length; i++) if (s[i] <= s[i - 1]) return false;
        return true;
    }

    /// <summary>A(i, j), or 0 when not stored. Binary search within the row.</summary>
    public double this[int row, int column]
    {
        get
        {
            int k = FindEntry(row, column);
            return k >= 0 ? Values[k] : 0.0;
        }
    }

    /// <summary>Index into Values of (row, column), or -1.</summary>
    public int FindEntry(int row, int column)
    {
        int start = RowPointers[row];
        int k = ColumnIndices.AsSpan(start, RowPointers[row + 1] - start).BinarySearch(column);
        return k >= 0 ? start + k : -1;
    }

    /// <summary>The main diagonal (0 where not stored).</summary>
    public double[] Diagonal()
    {
        var d = new double[Math.Min(Rows, Columns)];
        for (int i = 0; i < d.Length; i++) d[i] = this[i, i];
        return d;
    }

    /// <summary>True when row i stores at least one nonzero value.</summary>
    public bool RowHasNonZero(int row)
    {
        for (int k = RowPointers[row]; k < RowPointers[row + 1]; k++) if (Values[k] != 0) return true;
        return false;
    }

    /// <summary>
    /// Compares A with its transpose: the largest |a_ij - a_ji| relative to the largest |a_ij|.
    /// Round-off asymmetry (1e-16 relative) passes the default tolerance; a missing mirror entry counts as 0.
    /// </summary>
    public SymmetryCheck CheckSymmetry(double relativeTolerance = 1e-10)
    {
        if (!IsSquare) return new SymmetryCheck(false, double.PositiveInfinity, -1, -1, relativeTolerance);
        double maxAbs = 0;
        foreach (double v in Values) maxAbs = Math.Max(maxAbs, Math.Abs(v));
        double worst = 0; int wi = -1, wj = -1;
        for (int i = 0; i < Rows; i++)
            for (int k = RowPointers[i]; k < RowPointers[i + 1]; k++)
            {
                int j = ColumnIndices[k];
                if (j == i) continue;
                int mirror = FindEntry(j, i);
                if (mirror >= 0 && j < i) continue; // this pair was compared from row j
                double diff = Math.Abs(Values[k] - (mirror >= 0 ? Values[mirror] : 0.0));
                if (diff > worst) { worst = diff; wi = i; wj = j; }
            }
        double relative = maxAbs == 0 ? 0 : worst / maxAbs;
        return new SymmetryCheck(relative <= relativeTolerance, relative, wi, wj, relativeTolerance);
    }

    /// <summary>y = A x, in parallel over row blocks of about equal nonzero count.</summary>
    public void Multiply(ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != Columns) throw new ArgumentException($"x has length {x.Length}, the matrix has {Columns} columns");
        if (y.Length != Rows) throw new ArgumentException($"y has length {y.Length}, the matrix has {Rows} rows");
        if (NonZeros < ParallelNonZeros) { MultiplyRows(0, Rows, x, y); return; }
        var blocks = _rowBlocks ??= BalancedRowBlocks(Environment.ProcessorCount * 4);
        unsafe
        {
            fixed (double* px = x, py = y)
            {
                var (ax, ay, nx, ny) = ((nint)px, (nint)py, x.Length, y.Length);
                Parallel.For(0, blocks.Length - 1, b =>
                    MultiplyRows(blocks[b], blocks[b + 1], new ReadOnlySpan<double>((double*)ax, nx), new Span<double>((double*)ay, ny)));
            }
        }
    }

    /// <summary>y = A x and returns x.y, in one pass over the rows (the CG step q = A p, p.q).</summary>
    public double MultiplyAndDot(ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != Columns || y.Length != Rows || !IsSquare) throw new ArgumentException($"MultiplyAndDot needs a square matrix and vectors of length {Rows}");
        if (NonZeros < ParallelNonZeros) return MultiplyRowsDot(0, Rows, x, y);
        var blocks = _rowBlocks ??= BalancedRowBlocks(Environment.ProcessorCount * 4);
        var partial = new double[blocks.Length - 1];
        unsafe
        {
            fixed (double* px = x, py = y)
            {
                var (ax, ay, nx, ny) = ((nint)px, (nint)py, x.Length, y.Length);
                Parallel.For(0, blocks.Length - 1, b =>
                    partial[b] = MultiplyRowsDot(blocks[b], blocks[b + 1], new ReadOnlySpan<double>((double*)ax, nx), new Span<double>((double*)ay, ny)));
            }
        }
        double sum = 0;
        foreach (double v in partial) sum += v;
        return sum;
    }

    double MultiplyRowsDot(int first, int end, ReadOnlySpan<double> x, Span<double> y)
    {
        var ptr = RowPointers; var col = ColumnIndices; var val = Values;
        double dot = 0;
        for (int i = first; i < end; i++)
        {
            double s = 0;
            for (int k = ptr[i]; k < ptr[i + 1]; k++) s += val[k] * x[col[k]];
            y[i] = s;
            dot += x[i] * s;
        }
        return dot;
    }

    void MultiplyRows(int first, int end, ReadOnlySpan<double> x, Span<double> y)
    {
        var ptr = RowPointers; var col = ColumnIndices; var val = Values;
        for (int i = first; i < end; i++)
        {
            double s = 0;
            for (int k = ptr[i]; k < ptr[i + 1]; k++) s += val[k] * x[col[k]];
            y[i] = s;
        }
    }

    /// <summary>Row boundaries splitting the nonzeros into about equal parts.</summary>
    internal int[] BalancedRowBlocks(int parts) => BalancedRowBlocks(RowPointers, parts);

    /// <summary><see cref="BalancedRowBlocks(int)"/> of a pattern's row pointers (rows + 1 of them).</summary>
    internal static int[] BalancedRowBlocks(int[] rowPointers, int parts)
    {
        int rows = rowPointers.Length - 1;
        parts = Math.Max(1, Math.Min(parts, rows));
        var blocks = new List<int> { 0 };
        long nnz = rowPointers[rows];
        int row = 0;
        for (int p = 1; p < parts; p++)
        {
            long target = nnz * p / parts;
            while (row < rows && rowPointers[row] < target) row++;
            if (row > blocks[^1] && row < rows) blocks.Add(row);
        }
        blocks.Add(rows);
        return blocks.ToArray();
    }

    /// <summary>The submatrix of the given rows and columns (both ascending), renumbered 0..k-1.</summary>
    public CsrMatrix Submatrix(ReadOnlySpan<int> keep)
    {
        var newIndex = new int[Math.Max(Rows, Columns)];
        Array.Fill(newIndex, -1);
        for (int k = 0; k < keep.Length; k++) newIndex[keep[k]] = k;
        // count, then fill arrays of the exact size (no growing lists, no copies)
        var ptr = new int[keep.Length + 1];
        for (int k = 0; k < keep.Length; k++)
        {
            int i = keep[k], count = 0;
            for (int e = RowPointers[i]; e < RowPointers[i + 1]; e++) if (newIndex[ColumnIndices[e]] >= 0) count++;
            ptr[k + 1] = ptr[k] + count;
        }
        var cols = new int[ptr[keep.Length]];
        var vals = new double[ptr[keep.Length]];
        for (int k = 0, at = 0; k < keep.Length; k++)
        {
            int i = keep[k];
            for (int e = RowPointers[i]; e < RowPointers[i + 1]; e++)
            {
                int j = newIndex[ColumnIndices[e]];
                if (j < 0) continue;
                cols[at] = j; vals[at] = Values[e]; at++;
            }
        }
        return new CsrMatrix(keep.Length, keep.Length, ptr, cols, vals);
    }
}
