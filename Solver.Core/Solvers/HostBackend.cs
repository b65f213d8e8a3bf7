using Dcdm.Preconditioners;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>The CPU kernels behind the Krylov loops: the operator's product, SIMD vector updates.</summary>
internal sealed class HostBackend(IHostOperator a, IPreconditioner? m = null) : IVectorBackend<double[]>
{
    public HostBackend(CsrMatrix a, IPreconditioner? m = null) : this(new CsrOperator(a), m) { }

    public double Residual(double[] b, double[] x, double[] r) => a.Residual(b, x, r);

    public double ApplyAndDot(double[] p, double[] q) => a.MultiplyAndDot(p, q);

    public double Precondition(double[] r, double[] z)
    {
        if (m is null) return VectorOps.Dot(r, r);
        m.Apply(r, z);
        return VectorOps.Dot(r, z);
    }

    public double Dot(double[] x, double[] y) => VectorOps.Dot(x, y);
    public void Dots(double[] x, ReadOnlySpan<double[]> ys, Span<double> dots) => VectorOps.Dots(x, ys, dots);
    public void SubtractCombination(ReadOnlySpan<double> c, ReadOnlySpan<double[]> ps, double[] q) => VectorOps.SubtractCombination(c, ps, q);
    public void Xpay(double[] z, double beta, double[] p) => VectorOps.Xpay(z, beta, p);
    public double UpdateSolutionAndResidual(double alpha, double[] p, double[] q, double[] x, double[] r) =>
        VectorOps.UpdateSolutionAndResidual(alpha, p, q, x, r);
    public void Copy(double[] from, double[] to) { if (!ReferenceEquals(from, to)) from.AsSpan().CopyTo(to); }
}
