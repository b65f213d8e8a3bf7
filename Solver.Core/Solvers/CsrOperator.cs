using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>A CSR matrix as the host loops' operator: parallel SpMV over row blocks.</summary>
internal sealed class CsrOperator(CsrMatrix a) : IHostOperator
{
    public double Residual(double[] b, double[] x, double[] r)
    {
        a.Multiply(x, r);
        for (int i = 0; i < r.Length; i++) r[i] = b[i] - r[i];
        return VectorOps.Norm2(r);
    }

    public double MultiplyAndDot(double[] p, double[] q) => a.MultiplyAndDot(p, q);
}
