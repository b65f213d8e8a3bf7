using System.Numerics;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>The scaled copies between the Krylov vectors and a fine level, against plain loops, short (one thread) and long (chunks).</summary>
public class FineLevelCopiesTests
{
    [TestCase(1000)]
    [TestCase(1003)] // a tail after the last whole vector
    [TestCase(200_003)]
    public void TheLargestMagnitudeIsThePlainMaximumAndPassesNaNOn(int n)
    {
        var rng = new Random(n);
        var r = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        r[n / 3] = -7.5; // the largest magnitude is negative
        Assert.That(FineLevelCopies.LargestMagnitude(r), Is.EqualTo(7.5));
        r[n - 1] = 9; // in the tail where there is one
        Assert.That(FineLevelCopies.LargestMagnitude(r), Is.EqualTo(9));
        r[n / 2] = double.NaN; // inside a vector
        Assert.That(double.IsNaN(FineLevelCopies.LargestMagnitude(r)), Is.True, "NaN in a vector's lane");
        r[n / 2] = 0;
        r[n - 1] = double.NaN;
        Assert.That(double.IsNaN(FineLevelCopies.LargestMagnitude(r)), Is.True, "NaN anywhere, the last chunk included");
        Assert.That(FineLevelCopies.LargestMagnitude(new double[n]), Is.Zero);
    }

    [TestCase(1000, true)]
    [TestCase(200_003, true)]
    [TestCase(200_003, false)]
    public void ScatterAndGatherAreThePlainLoops(int n, bool single)
    {
        if (single) Copies<float>(n); else Copies<double>(n);
    }

    static void Copies<T>(int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(n);
        var r = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var cells = Enumerable.Range(0, 2 * n).Where(i => i % 2 == 1).ToArray(); // every other cell of a grid twice as long
        double factor = 1 / 0.37;
        foreach (var map in new[] { cells, null })
        {
            int size = map is null ? n : 2 * n;
            var into = Enumerable.Repeat(T.CreateTruncating(-2), size).ToArray(); // entries off the map stay
            var want = (T[])into.Clone();
            for (int k = 0; k < n; k++) want[map?[k] ?? k] = T.CreateTruncating(r[k] * factor);
            FineLevelCopies.Scatter(r, map, into, factor);
            Assert.That(into, Is.EqualTo(want), map is null ? "full grid" : "on the cells");

            var z = new double[n];
            FineLevelCopies.Gather(into, map, z, 0.37);
            Assert.That(z, Is.EqualTo(Enumerable.Range(0, n).Select(k => 0.37 * double.CreateTruncating(into[map?[k] ?? k]))));
        }
    }
}
