using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>The K-cycle's two-step correction on a small dense SPD level, against what its steps mean.</summary>
public class KCycleStepTests
{
    /// <summary>A dense level whose cycle is a given map; counts the cycles.</summary>
    sealed class DenseLevel(double[,] a, Func<double[], double[]> cycle) : IKCycleLevel<double[]>
    {
        public int Cycles;
        public void Cycle(double[] b, double[] x) { Cycles++; cycle(b).CopyTo(x, 0); }
        public void Multiply(double[] x, double[] y)
        {
            for (int i = 0; i < y.Length; i++) { y[i] = 0; for (int j = 0; j < x.Length; j++) y[i] += a[i, j] * x[j]; }
        }
        public double Dot(double[] x, double[] y) => x.Zip(y, (u, v) => u * v).Sum();
        public void Combine(double p, double[] x, double q, double[] y, double[] into)
        {
            for (int i = 0; i < into.Length; i++) into[i] = p * x[i] + q * y[i];
        }
    }

    static (double[,] A, double[] B) System(int n)
    {
        var rng = new Random(3);
        var m = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i, j] = rng.NextDouble() - 0.5;
        var a = new double[n, n]; // M^T M + n I: SPD
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                for (int k = 0; k < n; k++) a[i, j] += m[k, i] * m[k, j];
                if (i == j) a[i, j] += n;
            }
        return (a, [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5)]);
    }

    static double[] Solve(double[,] a, double[] b) => MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(a)
        .Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(b)).ToArray();

    static double[] Correct(DenseLevel level, double[] b)
    {
        int n = b.Length;
        var (e, c1, c2, v1, v2, r2) = (new double[n], new double[n], new double[n], new double[n], new double[n], new double[n]);
        KCycleStep.Correct<double[], DenseLevel>(level, b, e, c1, c2, v1, v2, r2);
        return e;
    }

    [Test]
    public void AnExactCycleTakesOneStepToTheSolution()
    {
        var (a, b) = System(6);
        var exact = Solve(a, b);
        var level = new DenseLevel(a, r => [.. Solve(a, r).Select(v => 0.9 * v)]); // exact but for a scale: the step length fixes it
        var e = Correct(level, b);
        Assert.That(level.Cycles, Is.EqualTo(1), "the residual after the first step is 0: no second");
        Assert.That(e, Is.EqualTo(exact).Within(1e-12));
    }

    [Test]
    public void TwoStepsAreTheGalerkinSolutionOnTheirTwoDirections()
    {
        // the identity as the cycle: c1 = b, c2 = r2; e minimises the A-norm error over span{c1, c2}. A 1-D Laplacian,
        // ill-conditioned enough that one step leaves more than a quarter of the residual
        int n = 8;
        var a = new double[n, n];
        for (int i = 0; i < n; i++) { a[i, i] = 2; if (i > 0) a[i, i - 1] = a[i - 1, i] = -1; }
        var b = Enumerable.Range(0, n).Select(i => Math.Sin(1.7 * i + 0.3)).ToArray();
        var level = new DenseLevel(a, r => (double[])r.Clone());
        var e = Correct(level, b);
        Assert.That(level.Cycles, Is.EqualTo(2));
        var ab = new double[b.Length];
        level.Multiply(b, ab);
        double alpha = level.Dot(b, b) / level.Dot(b, ab);
        var r2 = b.Select((v, i) => v - alpha * ab[i]).ToArray();
        var ar2 = new double[b.Length];
        level.Multiply(r2, ar2);
        // [c_i . A c_j] y = [c_i . b]
        double g11 = level.Dot(b, ab), g12 = level.Dot(b, ar2), g22 = level.Dot(r2, ar2), f1 = level.Dot(b, b), f2 = level.Dot(r2, b);
        double det = g11 * g22 - g12 * g12, y1 = (f1 * g22 - g12 * f2) / det, y2 = (g11 * f2 - g12 * f1) / det;
        Assert.That(e, Is.EqualTo(b.Select((v, i) => y1 * v + y2 * r2[i]).ToArray()).Within(1e-12));
    }

    [Test]
    public void ACycleThatReturnsNothingGivesNoCorrection()
    {
        var (a, b) = System(4);
        var e = Correct(new DenseLevel(a, r => new double[r.Length]), b);
        Assert.That(e, Is.All.EqualTo(0.0), "c1.A c1 = 0: the step stops where it breaks down");
    }
}
