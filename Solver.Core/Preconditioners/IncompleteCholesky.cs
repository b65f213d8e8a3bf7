using Dcdm.Sparse;

namespace Dcdm.Preconditioners;

/// <summary>
/// IC(0): A ~ L L^T with L on the lower-triangle pattern of A (no fill-in).
/// For M-matrices (Poisson operators) the pivots stay positive. When a pivot is not positive
/// (possible for general SPD matrices) the factorization is redone on A + s diag(A), with s = 1e-3,
/// 1e-2, ... up to 1 (Manteuffel's shift); <see cref="Shift"/> reports the s used.
/// </summary>
public sealed class IncompleteCholesky : IPreconditioner
{
    // L by rows: strictly lower entries (sorted columns), diagonal kept apart.
    readonly int[] _ptr;
    readonly int[] _col;
    readonly double[] _val;
    readonly double[] _inverseDiagonal;

    /// <summary>The diagonal shift s the factorization needed (0 when none).</summary>
    public double Shift { get; }

    /// <exception cref="NotPositiveDefiniteException">A diagonal entry, or a pivot even at shift 1, is not positive.</exception>
    public IncompleteCholesky(CsrMatrix matrix)
    {
        if (!matrix.IsSquare) throw new ArgumentException($"IC(0) needs a square matrix, got {matrix.Rows} x {matrix.Columns}");
        int n = matrix.Rows;
        _ptr = new int[n + 1];
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            for (int k = matrix.RowPointers[i]; k < matrix.RowPointers[i + 1]; k++) if (matrix.ColumnIndices[k] < i) count++;
            _ptr[i + 1] = count;
        }
        _col = new int[count];
        _val = new double[count];
        _inverseDiagonal = new double[n];
        for (int i = 0, w = 0; i < n; i++)
            for (int k = matrix.RowPointers[i]; k < matrix.RowPointers[i + 1]; k++)
                if (matrix.ColumnIndices[k] < i) _col[w++] = matrix.ColumnIndices[k];

        var diagonal = matrix.Diagonal();
        for (int i = 0; i < n; i++)
            if (!(diagonal[i] > 0))
            {
                double d = diagonal[i];
                throw new NotPositiveDefiniteException(i, row => $"IC(0) needs a positive diagonal; row {row} has {d}: the matrix is not positive definite");
            }

        double shift = 0;
        int failedRow;
        while ((failedRow = Factor(matrix, diagonal, shift)) >= 0)
        {
            shift = shift == 0 ? 1e-3 : shift * 10;
            if (shift > 1)
                throw new NotPositiveDefiniteException(failedRow,
                    row => $"IC(0) failed: the pivot of row {row} is not positive even with diagonal shift 1; the matrix is likely not positive definite");
        }
        Shift = shift;
    }

    /// <summary>Fills L for A + shift diag(A); returns the first row with a non-positive pivot, or -1.</summary>
    int Factor(CsrMatrix a, double[] diagonal, double shift)
    {
        int n = a.Rows;
        var diag = new double[n]; // L(i,i)
        for (int i = 0; i < n; i++)
        {
            // copy A's strictly lower part of row i into L's row
            int w = _ptr[i];
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                if (a.ColumnIndices[k] < i) _val[w++] = a.Values[k];

            double pivot = diagonal[i] * (1 + shift);
            for (int e = _ptr[i]; e < _ptr[i + 1]; e++)
            {
                int k = _col[e];
                // L(i,k) = (A(i,k) - sum_{j<k} L(i,j) L(k,j)) / L(k,k), over the shared pattern
                double s = _val[e];
                int p = _ptr[i], q = _ptr[k];
                while (p < e && q < _ptr[k + 1])
                {
                    int cp = _col[p], cq = _col[q];
                    if (cp == cq) { s -= _val[p] * _val[q]; p++; q++; }
                    else if (cp < cq) p++;
                    else q++;
                }
                double lik = s / diag[k];
                _val[e] = lik;
                pivot -= lik * lik;
            }
            if (!(pivot > 1e-14 * diagonal[i])) return i;
            diag[i] = Math.Sqrt(pivot);
            _inverseDiagonal[i] = 1.0 / diag[i];
        }
        return -1;
    }

    /// <summary>z = (L L^T)^-1 r: a forward solve with L, then a backward solve with L^T.</summary>
    public void Apply(ReadOnlySpan<double> r, Span<double> z)
    {
        int n = _inverseDiagonal.Length;
        var ptr = _ptr; var col = _col; var val = _val; var inv = _inverseDiagonal;
        // L y = r (y stored in z)
        for (int i = 0; i < n; i++)
        {
            double s = r[i];
            for (int e = ptr[i]; e < ptr[i + 1]; e++) s -= val[e] * z[col[e]];
            z[i] = s * inv[i];
        }
        // L^T z = y, by columns of L^T = rows of L
        for (int i = n - 1; i >= 0; i--)
        {
            double zi = z[i] * inv[i];
            z[i] = zi;
            for (int e = ptr[i]; e < ptr[i + 1]; e++) z[col[e]] -= val[e] * zi;
        }
    }
}
