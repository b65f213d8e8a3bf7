using Dcdm.Sparse;

namespace Dcdm.Preconditioners;

/// <summary>M = diag(A): z_i = r_i / a_ii. Needs a positive diagonal.</summary>
public sealed class JacobiPreconditioner : IPreconditioner
{
    readonly double[] _inverseDiagonal;

    public JacobiPreconditioner(CsrMatrix matrix)
    {
        var d = matrix.Diagonal();
        _inverseDiagonal = new double[d.Length];
        for (int i = 0; i < d.Length; i++)
        {
            if (!(d[i] > 0)) throw new ArgumentException($"Jacobi needs a positive diagonal; row {i + 1} has {d[i]}");
            _inverseDiagonal[i] = 1.0 / d[i];
        }
    }

    public void Apply(ReadOnlySpan<double> r, Span<double> z)
    {
        var inv = _inverseDiagonal;
        for (int i = 0; i < inv.Length; i++) z[i] = r[i] * inv[i];
    }
}
