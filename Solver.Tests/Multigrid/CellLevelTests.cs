using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>The faces' kernels of a voxel operator's cells against plain loops over its CSR matrix.</summary>
public class CellLevelTests
{
    static IEnumerable<TestCaseData> Operators() => CoefficientDomains.Families
        .Select(f => new TestCaseData(CoefficientDomains.Named(f, 7, 9, 6, 2)).SetArgDisplayNames(f))
        .Append(new TestCaseData(CoefficientDomains.TwoPhase(40, 30, 20, 1000, 3)).SetArgDisplayNames("two-phase, parallel planes"))
        .Append(new TestCaseData(CoefficientDomains.GhostFluid(40, 30, 24, 4)).SetArgDisplayNames("ghost-fluid, air above a box"));

    static (double[] B, double[] X) Vectors(VoxelOperator op, int seed)
    {
        var rng = new Random(seed);
        double[] b = new double[op.CellCount], x = new double[op.CellCount];
        for (int i = 0; i < b.Length; i++)
            if (op.Diagonal(i) > 0) (b[i], x[i]) = (rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
        return (b, x);
    }

    [TestCaseSource(nameof(Operators))]
    public void EachColourIsGaussSeidelOnItsCellsRows(VoxelOperator op)
    {
        var a = op.ToCsr();
        var level = new CellLevel(op, CellLevel.DiagonalOf(op));
        for (int colour = 0; colour < 2; colour++)
        {
            var (b, x) = Vectors(op, colour);
            var want = (double[])x.Clone();
            for (int i = 0; i < a.Rows; i++)
            {
                int cx = i % op.Nx, cy = i / op.Nx % op.Ny, cz = i / (op.Nx * op.Ny);
                if ((cx + cy + cz) % 2 != colour || !(op.Diagonal(i) > 0)) continue;
                double s = b[i], d = 0;
                for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                    if (a.ColumnIndices[k] == i) d = a.Values[k];
                    else s -= a.Values[k] * x[a.ColumnIndices[k]]; // the other colour only: x as it was
                want[i] = s / d;
            }
            level.GaussSeidelColour(b, x, colour);
            for (int i = 0; i < x.Length; i++) Assert.That(x[i], Is.EqualTo(want[i]).Within(1e-13 * Math.Max(1, Math.Abs(want[i]))), $"colour {colour}, cell {i}"); // the row summed in another order
        }
    }

    /// <summary>The wave through the planes (in parallel slabs on the larger operator) is the two colours one after the other, bit for bit.</summary>
    [TestCaseSource(nameof(Operators))]
    public void ASweepIsItsTwoColoursInTurn(VoxelOperator op)
    {
        var level = new CellLevel(op, CellLevel.DiagonalOf(op));
        for (int first = 0; first < 2; first++)
        {
            var (b, x) = Vectors(op, 10 + first);
            var want = (double[])x.Clone();
            level.GaussSeidelColour(b, want, first);
            level.GaussSeidelColour(b, want, 1 - first);
            level.Sweep(b, x, first);
            Assert.That(x, Is.EqualTo(want), $"first colour {first}");
        }
    }

    [TestCaseSource(nameof(Operators))]
    public void TheResidualIsBMinusAX(VoxelOperator op)
    {
        var a = op.ToCsr();
        var (b, x) = Vectors(op, 5);
        var ax = new double[b.Length];
        a.Multiply(x, ax);
        var r = Enumerable.Repeat(double.NaN, b.Length).ToArray();
        var level = new CellLevel(op, CellLevel.DiagonalOf(op));
        level.Residual(b, x, r);
        var box = level.Box;
        int inside = 0;
        for (int i = 0; i < r.Length; i++)
        {
            int cx = i % op.Nx, cy = i / op.Nx % op.Ny, cz = i / (op.Nx * op.Ny);
            bool inBox = cx >= box.X0 && cx <= box.X1 && cy >= box.Y0 && cy <= box.Y1 && cz >= box.Z0 && cz <= box.Z1;
            if (!inBox) { Assert.That(op.Diagonal(i), Is.EqualTo(0), $"cell {i} is an unknown outside the box"); Assert.That(r[i], Is.NaN, "not written"); continue; }
            inside++;
            Assert.That(r[i], Is.EqualTo(op.Diagonal(i) > 0 ? b[i] - ax[i] : 0).Within(1e-13 * Math.Max(1, Math.Abs(ax[i]))), $"cell {i}");
        }
        Assert.That(inside, Is.EqualTo(box.Cells));
    }

    [Test]
    public void TheBoxHoldsTheUnknownsAndSkipsTheAirAboveTheSurface()
    {
        var op = CoefficientDomains.GhostFluid(40, 30, 24, 4);
        var box = new CellLevel(op, CellLevel.DiagonalOf(op)).Box;
        Assert.That(box.Cells, Is.LessThan(op.CellCount), "air above the liquid");
        for (int i = 0; i < op.CellCount; i++)
            if (op.Diagonal(i) > 0)
            {
                int cx = i % op.Nx, cy = i / op.Nx % op.Ny, cz = i / (op.Nx * op.Ny);
                Assert.That(cx >= box.X0 && cx <= box.X1 && cy >= box.Y0 && cy <= box.Y1 && cz >= box.Z0 && cz <= box.Z1, Is.True, $"unknown {i}");
            }
    }

    [Test]
    public void ADiagonalOfTheWrongLengthIsRefused()
    {
        var op = CoefficientDomains.CutCell(4, 4, 4, 1);
        Assert.That(() => new CellLevel(op, new double[10]), Throws.ArgumentException.With.Message.Contains("64 cells"));
    }
}
