using Dcdm.Sparse;

namespace Dcdm.Multigrid;

/// <summary>
/// The coarsest level's direct solve: A = L D L^T of a dense symmetric positive semi-definite matrix, a pivot that falls
/// to round-off (1e-10 of its row's diagonal) taken as 0 with its unknown fixed at 0. A component with no Dirichlet
/// cell (its constants in the null space) loses one pivot, so a consistent right-hand side is solved exactly.
/// L is kept by rows in one array, so each entry is one vectorised dot product (n^3 / 6 multiply-adds in all).
/// </summary>
internal sealed class SemidefiniteCholesky
{
    readonly double[] _l; // row i: L[i, 0..i) then D[i] at [i * n + i]
    readonly int _n;

    public SemidefiniteCholesky(double[,] a)
    {
        int n = _n = a.GetLength(0);
        var l = _l = new double[n * n];
        var w = new double[n]; // row k of L times D
        for (int k = 0; k < n; k++)
        {
            var rowK = l.AsSpan(k * n, k);
            for (int j = 0; j < k; j++) w[j] = rowK[j] * l[j * n + j];
            double d = a[k, k] - VectorOps.Dot(rowK, w.AsSpan(0, k));
            bool zero = !(d > 1e-10 * Math.Abs(a[k, k]));
            l[k * n + k] = zero ? 0 : d;
            for (int i = k + 1; i < n; i++)
                l[i * n + k] = zero ? 0 : (a[i, k] - VectorOps.Dot(l.AsSpan(i * n, k), w.AsSpan(0, k))) / d;
        }
    }

    /// <summary>x = A^+ b for b in the range of A (L y = b, y /= D, L^T x = y; a zero pivot's unknown is 0).</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        int n = _n;
        var l = _l;
        for (int i = 0; i < n; i++) x[i] = b[i] - VectorOps.Dot(l.AsSpan(i * n, i), x[..i]);
        for (int i = 0; i < n; i++) x[i] = l[i * n + i] == 0 ? 0 : x[i] / l[i * n + i];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int j = i + 1; j < n; j++) s -= l[j * n + i] * x[j];
            x[i] = l[i * n + i] == 0 ? 0 : s;
        }
    }
}
