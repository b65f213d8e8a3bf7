using Dcdm.Sparse;
using Dcdm.Training.Data;
using MathNet.Numerics.LinearAlgebra;

namespace Dcdm.Tests.Training;

public class RitzBasisTests
{
    [Test]
    public void FullLanczosGivesTheDenseEigenvaluesAndOrthonormalVectors()
    {
        var grid = PoissonDomains.Spheres(5, 4, 6, 1, seed: 3);
        var a = grid.ToCsr(GridMatrixLayout.Compact);
        var ritz = RitzBasis.Compute(a, a.Rows, seed: 1);
        var dense = Matrix<double>.Build.Dense(a.Rows, a.Rows, (i, j) => a[i, j]);
        var eigenvalues = dense.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).OrderBy(v => v).ToArray();
        Assert.That(ritz.Values, Has.Length.EqualTo(a.Rows), "a non-singular operator: nothing dropped");
        Assert.That(ritz.Values, Is.EqualTo(eigenvalues).Within(1e-8));
        for (int i = 0; i < ritz.Vectors.Length; i++)
        {
            Assert.That(VectorOps.Norm2(ritz.Vectors[i]), Is.EqualTo(1).Within(1e-6));
            for (int j = 0; j < i; j++) Assert.That(VectorOps.Dot(ritz.Vectors[i], ritz.Vectors[j]), Is.EqualTo(0).Within(1e-6), $"{i} . {j}");
        }
        // a Ritz pair is an eigenpair: |A y - theta y| small
        var ay = new double[a.Rows];
        a.Multiply(ritz.Vectors[0], ay);
        Assert.That(Math.Sqrt(ay.Select((v, i) => Math.Pow(v - ritz.Values[0] * ritz.Vectors[0][i], 2)).Sum()), Is.LessThan(1e-8));
    }

    [Test]
    public void NullSpaceOfAClosedBoxIsDropped()
    {
        var a = PoissonDomains.ClosedBox(4, 4, 4).ToCsr(GridMatrixLayout.Compact);
        var ritz = RitzBasis.Compute(a, a.Rows, seed: 2);
        Assert.That(ritz.Values.Min(), Is.GreaterThan(RitzBasis.NullSpaceThreshold));
        // the start vector has no constant part, so the constant never enters; the symmetric box's
        // repeated eigenvalues end the Krylov space early, and the steps taken say so
        Assert.That(ritz.Steps, Is.LessThan(a.Rows));
        Assert.That(ritz.Values, Has.Length.EqualTo(ritz.Steps));
    }

    [Test]
    public void SamplesAreUnitAndWeightTheLowModes()
    {
        var a = PoissonDomains.SmokeBox(6, 6, 6).ToCsr(GridMatrixLayout.Compact);
        var ritz = RitzBasis.Compute(a, 60, seed: 3);
        int low = ritz.Vectors.Length / 2 + 5;
        double lowSum = 0, highSum = 0;
        var rng = new Random(4);
        for (int s = 0; s < 400; s++)
        {
            var b = ritz.Sample(rng, theta: 5, weight: 9);
            Assert.That(VectorOps.Norm2(b), Is.EqualTo(1).Within(1e-12));
            for (int i = 0; i < ritz.Vectors.Length; i++)
            {
                double c = Math.Abs(VectorOps.Dot(b, ritz.Vectors[i]));
                if (i < low) lowSum += c / low; else highSum += c / (ritz.Vectors.Length - low);
            }
        }
        Assert.That(lowSum / highSum, Is.EqualTo(9).Within(1.0), "mean |coefficient| of the low modes over the high ones");
    }
}
