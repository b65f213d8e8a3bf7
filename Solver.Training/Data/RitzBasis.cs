using Dcdm.Solvers;
using Dcdm.Sparse;
using MathNet.Numerics.LinearAlgebra;

namespace Dcdm.Training.Data;

/// <summary>
/// Approximate eigenpairs of an SPD operator from m steps of Lanczos with full re-orthogonalisation:
/// T = Q^T A Q is tridiagonal, its eigenpairs (MathNet) give Ritz values theta_i (ascending) and Ritz
/// vectors y_i = Q v_i. Null-space pairs (theta &lt; 1e-8) are dropped. The smallest Ritz values are
/// the slowly converging, smooth end of the spectrum that DCDM's training data over-weights.
/// </summary>
public sealed class RitzBasis
{
    public const double NullSpaceThreshold = 1e-8;

    /// <summary>Ritz values, ascending.</summary>
    public double[] Values { get; }
    /// <summary>Ritz vectors (unit length, on the operator's unknowns), in the order of <see cref="Values"/>.</summary>
    public double[][] Vectors { get; }
    /// <summary>Lanczos steps taken (fewer than asked when the Krylov space was exhausted).</summary>
    public int Steps { get; }

    RitzBasis(double[] values, double[][] vectors, int steps) { Values = values; Vectors = vectors; Steps = steps; }

    public static RitzBasis Compute(CsrMatrix a, int steps, int seed, IProgress<int>? progress = null)
    {
        int n = a.Rows;
        steps = Math.Min(steps, n);
        var system = new ReducedSystem(a);
        var rng = new Random(seed);
        var q0 = new double[n];
        for (int i = 0; i < n; i++) q0[i] = rng.NextDouble() - 0.5;
        system.RemoveNullSpace(q0);
        Scale(q0, 1 / VectorOps.Norm2(q0));
        var basis = new List<double[]> { q0 };
        var alpha = new List<double>();
        var beta = new List<double>();
        var w = new double[n];
        for (int j = 0; j < steps; j++)
        {
            var q = basis[j];
            alpha.Add(a.MultiplyAndDot(q, w));
            // full re-orthogonalisation, twice (classical Gram-Schmidt loses orthogonality once)
            for (int pass = 0; pass < 2; pass++)
            {
                var coefficients = new double[basis.Count];
                Parallel.For(0, basis.Count, i => coefficients[i] = VectorOps.Dot(w, basis[i]));
                for (int i = 0; i < basis.Count; i++) VectorOps.Axpy(-coefficients[i], basis[i], w);
            }
            double b = VectorOps.Norm2(w);
            progress?.Report(j + 1);
            if (j == steps - 1 || b < 1e-10 * Math.Abs(alpha[j]) || b == 0) break;
            beta.Add(b);
            var next = new double[n];
            for (int i = 0; i < n; i++) next[i] = w[i] / b;
            basis.Add(next);
        }
        int m = alpha.Count;
        var t = Matrix<double>.Build.Dense(m, m);
        for (int i = 0; i < m; i++)
        {
            t[i, i] = alpha[i];
            if (i + 1 < m) { t[i, i + 1] = beta[i]; t[i + 1, i] = beta[i]; }
        }
        var evd = t.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, m).OrderBy(i => evd.EigenValues[i].Real).Where(i => evd.EigenValues[i].Real >= NullSpaceThreshold).ToArray();
        var values = order.Select(i => evd.EigenValues[i].Real).ToArray();
        var vectors = new double[order.Length][];
        var v = evd.EigenVectors;
        Parallel.For(0, order.Length, k =>
        {
            var y = new double[n];
            int column = order[k];
            for (int j = 0; j < m; j++) VectorOps.Axpy(v[j, column], basis[j], y);
            vectors[k] = y;
        });
        return new RitzBasis(values, vectors, m);
    }

    static void Scale(double[] v, double s) { for (int i = 0; i < v.Length; i++) v[i] *= s; }

    /// <summary>
    /// Right-hand sides b = sum_i c_i y_i, unit length: c_i ~ weight * N(0,1) for the lowest
    /// (kept / 2 + theta) Ritz vectors and c_i ~ N(0,1) for the rest (the paper: weight 9, theta 500 of m = 10,000).
    /// </summary>
    public double[] Sample(Random rng, int theta, double weight)
    {
        int n = Vectors.Length == 0 ? 0 : Vectors[0].Length;
        var b = new double[n];
        int low = Math.Min(Vectors.Length, Vectors.Length / 2 + theta);
        for (int i = 0; i < Vectors.Length; i++)
        {
            double c = Gaussian(rng) * (i < low ? weight : 1);
            VectorOps.Axpy(c, Vectors[i], b);
        }
        Scale(b, 1 / VectorOps.Norm2(b));
        return b;
    }

    static double Gaussian(Random rng)
    {
        double u = 1 - rng.NextDouble(), v = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
