using Dcdm.Sparse;

namespace Dcdm.Tests.Solvers;

/// <summary>A matrix-free product checked against the matrix it stands for.</summary>
internal static class HostOperatorAssert
{
    /// <summary>q = A x with x.q, and r = b - A x with ||r||, from <paramref name="backend"/> against <paramref name="a"/>'s CSR product.</summary>
    public static void IsTheMatrix(HostBackend backend, CsrMatrix a, double[] x, double[] b)
    {
        double[] q = new double[x.Length], expected = new double[x.Length];
        a.Multiply(x, expected);
        double xq = backend.ApplyAndDot(x, q);
        Assert.That(q, Is.EqualTo(expected).Within(1e-12));
        Assert.That(xq, Is.EqualTo(x.Zip(expected, (u, v) => u * v).Sum()).Within(1e-9));
        var r = new double[x.Length];
        double norm = backend.Residual(b, x, r);
        Assert.That(r, Is.EqualTo(b.Zip(expected, (u, v) => u - v).ToArray()).Within(1e-12));
        Assert.That(norm, Is.EqualTo(Math.Sqrt(r.Sum(v => v * v))).Within(1e-9));
    }
}
