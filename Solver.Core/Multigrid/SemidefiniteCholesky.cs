namespace Dcdm.Multigrid;

/// <summary>
/// The coarsest level's direct solve: A = L D L^T of a dense symmetric positive semi-definite matrix, a pivot that falls
/// to round-off (1e-10 of its row's diagonal) taken as 0 with its unknown fixed at 0. A component with no Dirichlet
/// cell (its constants in the null space) loses one pivot, so a consistent right-hand side is solved exactly.
/// </summary>
internal sealed class SemidefiniteCholesky
{
    readonly double[,] _l; // unit lower triangle below the diagonal, D on it
    readonly int _n;

    public SemidefiniteCholesky(double[,] a)
    {
        _n = a.GetLength(0);
        _l = (double[,])a.Clone();
        var l = _l;
        for (int k = 0; k < _n; k++)
        {
            double d = l[k, k];
            for (int j = 0; j < k; j++) d -= l[k, j] * l[k, j] * l[j, j];
            bool zero = !(d > 1e-10 * Math.Abs(a[k, k]));
            l[k, k] = zero ? 0 : d;
            for (int i = k + 1; i < _n; i++)
            {
                if (zero) { l[i, k] = 0; continue; }
                double s = l[i, k];
                for (int j = 0; j < k; j++) s -= l[i, j] * l[k, j] * l[j, j];
                l[i, k] = s / d;
            }
        }
    }

    /// <summary>x = A^+ b for b in the range of A (L y = b, y /= D, L^T x = y; a zero pivot's unknown is 0).</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        var l = _l;
        for (int i = 0; i < _n; i++)
        {
            double s = b[i];
            for (int j = 0; j < i; j++) s -= l[i, j] * x[j];
            x[i] = s;
        }
        for (int i = 0; i < _n; i++) x[i] = l[i, i] == 0 ? 0 : x[i] / l[i, i];
        for (int i = _n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int j = i + 1; j < _n; j++) s -= l[j, i] * x[j];
            x[i] = l[i, i] == 0 ? 0 : s;
        }
    }
}
