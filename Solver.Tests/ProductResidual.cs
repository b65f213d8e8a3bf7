using Dcdm.Sparse;

namespace Dcdm.Tests;

/// <summary>||b - A x|| / ||b|| with a given product (a matrix or a grid's own operator), over the rows that are equations.</summary>
public static class ProductResidual
{
    public static double Relative(CsrMatrix a, double[] b, double[] x, Func<int, bool>? isEquation = null) =>
        Relative((v, av) => a.Multiply(v, av), b, x, isEquation);

    /// <param name="isEquation">which rows count (others, such as cells that are no unknowns, are left out); all when null</param>
    public static double Relative(Action<double[], double[]> multiply, double[] b, double[] x, Func<int, bool>? isEquation = null)
    {
        var ax = new double[b.Length];
        multiply(x, ax);
        double rr = 0, bb = 0;
        for (int i = 0; i < b.Length; i++)
        {
            if (isEquation is not null && !isEquation(i)) continue;
            rr += (b[i] - ax[i]) * (b[i] - ax[i]);
            bb += b[i] * b[i];
        }
        return Math.Sqrt(rr / bb);
    }
}
