using System.Numerics;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>The faces' kernels of a voxel operator's cells against plain loops over its CSR matrix.</summary>
public class CellLevelTests
{
    static IEnumerable<VoxelOperator> Cases() => CoefficientDomains.Families.Select(f => CoefficientDomains.Named(f, 7, 9, 6, 2))
        .Append(CoefficientDomains.TwoPhase(40, 30, 20, 1000, 3)) // parallel planes
        .Append(CoefficientDomains.GhostFluid(40, 30, 24, 4)) // air above a box
        .Append(CoefficientDomains.TwoPhase(300, 1, 240, 1000, 5)) // every row on the grid's faces
        .Append(CoefficientDomains.CutCell(260, 230, 1, 6)) // one plane: runs of rows
        .Append(CoefficientDomains.CutCell(200, 2, 180, 7)) // two cells thick
        .Append(CoefficientDomains.TwoPhase(130, 120, 3, 100, 8)); // three planes: fewer than two a core, runs of rows

    static readonly string[] Names = [.. CoefficientDomains.Families, "two-phase, parallel planes", "ghost-fluid, air above a box",
        "two-phase 300x1x240", "cut-cell 260x230x1", "cut-cell 200x2x180", "two-phase 130x120x3"];

    /// <summary>Each operator in float32 and in double.</summary>
    static IEnumerable<TestCaseData> Operators() => Cases().SelectMany((op, k) => new[] { true, false }
        .Select(single => new TestCaseData(op, single).SetArgDisplayNames(Names[k], single ? "float" : "double")));

    static (T[] B, T[] X) Vectors<T>(VoxelOperator op, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        T[] b = new T[op.CellCount], x = new T[op.CellCount];
        for (int i = 0; i < b.Length; i++)
            if (op.Diagonal(i) > 0) (b[i], x[i]) = (T.CreateTruncating(rng.NextDouble() - 0.5), T.CreateTruncating(rng.NextDouble() - 0.5));
        return (b, x);
    }

    /// <summary>A row of seven terms summed in another order: float32's reach, or double's.</summary>
    static double Reach<T>() => typeof(T) == typeof(float) ? 1e-5 : 1e-13;

    [TestCaseSource(nameof(Operators))]
    public void EachColourIsGaussSeidelOnItsCellsRows(VoxelOperator op, bool single)
    {
        if (single) GaussSeidel<float>(op); else GaussSeidel<double>(op);
    }

    static void GaussSeidel<T>(VoxelOperator op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = op.ToCsr();
        var level = new CellLevel<T>(op, CellLevel.DiagonalOf(op));
        for (int colour = 0; colour < 2; colour++)
        {
            var (b, x) = Vectors<T>(op, colour);
            var want = x.Select(double.CreateTruncating).ToArray();
            for (int i = 0; i < a.Rows; i++)
            {
                int cx = i % op.Nx, cy = i / op.Nx % op.Ny, cz = i / (op.Nx * op.Ny);
                if ((cx + cy + cz) % 2 != colour || !(op.Diagonal(i) > 0)) continue;
                double s = double.CreateTruncating(b[i]), d = 0;
                for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                    if (a.ColumnIndices[k] == i) d = a.Values[k];
                    else s -= a.Values[k] * double.CreateTruncating(x[a.ColumnIndices[k]]); // the other colour only: x as it was
                want[i] = s / d;
            }
            level.GaussSeidelColour(b, x, colour);
            double scale = want.Max(Math.Abs);
            for (int i = 0; i < x.Length; i++)
                Assert.That(double.CreateTruncating(x[i]), Is.EqualTo(want[i]).Within(Reach<T>() * scale), $"colour {colour}, cell {i}");
        }
    }

    /// <summary>Each colour and the residual, vectorised inside the grid, are the plain loops over the cells in T with each
    /// cell's sum in its row's order, bit for bit (operators whose rows span several vectors, with edges and the air's box).</summary>
    [TestCaseSource(nameof(Operators))]
    public void EachColourIsThePlainLoopBitForBit(VoxelOperator op, bool single)
    {
        if (single) PlainLoop<float>(op); else PlainLoop<double>(op);
    }

    static void PlainLoop<T>(VoxelOperator op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var diagonal = CellLevel.DiagonalOf(op);
        var level = new CellLevel<T>(op, diagonal);
        int nx = op.Nx, ny = op.Ny, nz = op.Nz, plane = nx * ny;
        T F(double[] face, int i) => T.CreateTruncating(face[i]);
        T Faces(T s, T[] x, int i) // s plus each open face's c x_j in the row's order (-x, -y, -z, +x, +y, +z)
        {
            int cx = i % nx, cy = i / nx % ny, cz = i / plane;
            if (cx > 0) s += F(op.FaceX, i - 1) * x[i - 1];
            if (cy > 0) s += F(op.FaceY, i - nx) * x[i - nx];
            if (cz > 0) s += F(op.FaceZ, i - plane) * x[i - plane];
            if (cx < nx - 1) s += F(op.FaceX, i) * x[i + 1];
            if (cy < ny - 1) s += F(op.FaceY, i) * x[i + nx];
            if (cz < nz - 1) s += F(op.FaceZ, i) * x[i + plane];
            return s;
        }
        for (int colour = 0; colour < 2; colour++)
        {
            var (b, x) = Vectors<T>(op, 20 + colour);
            var want = (T[])x.Clone();
            for (int i = 0; i < x.Length; i++)
            {
                int cx = i % nx, cy = i / nx % ny, cz = i / plane;
                if ((cx + cy + cz) % 2 != colour || !(diagonal[i] > 0)) continue;
                want[i] = Faces(b[i], x, i) * T.CreateTruncating(1 / diagonal[i]);
            }
            level.GaussSeidelColour(b, x, colour);
            AssertBits(x, want, $"colour {colour}");
        }

        // the residual: r = b - d x plus the faces' terms in the same order, 0 off the unknowns (inside the box)
        var (rb, rx) = Vectors<T>(op, 30);
        var r = new T[rx.Length];
        var expected = new T[rx.Length];
        for (int i = 0; i < rx.Length; i++)
        {
            if (!(diagonal[i] > 0)) continue;
            expected[i] = Faces(rb[i] - T.CreateTruncating(diagonal[i]) * rx[i], rx, i);
        }
        level.Residual(rb, rx, r);
        AssertBits(r, expected, "residual");
    }

    static void AssertBits<T>(T[] got, T[] want, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < got.Length; i++)
            Assert.That(BitConverter.DoubleToInt64Bits(double.CreateTruncating(got[i])), Is.EqualTo(BitConverter.DoubleToInt64Bits(double.CreateTruncating(want[i]))),
                $"{what}, cell {i}: {got[i]} against {want[i]}");
    }

    /// <summary>Flat operators: every row on the grid's y faces, and the z faces' rows, take the vectors.</summary>
    static IEnumerable<TestCaseData> FaceRows() => new[] { (CoefficientDomains.TwoPhase(40, 1, 30, 1000, 5), "two-phase 40x1x30"),
            (CoefficientDomains.CutCell(37, 29, 1, 6), "cut-cell 37x29x1") }
        .SelectMany(c => new[] { true, false }.Select(single => new TestCaseData(c.Item1, single).SetArgDisplayNames(c.Item2, single ? "float" : "double")));

    /// <summary>
    /// A cell whose sum is -0 (b -0 and its neighbours' x -0) keeps -0 on the rows on the grid's faces, as a cell on its
    /// own does (its missing faces add nothing): past a face the vectors add a -0 face times a +0 x. A +0 face, a -0 x or
    /// the row's own x there (-0 times a negative x is +0) would add a +0 and make the sum +0.
    /// </summary>
    [TestCaseSource(nameof(FaceRows))]
    public void ASumOfNegativeZerosStaysNegativeZeroOnTheFacesRows(VoxelOperator op, bool single)
    {
        if (single) NegativeZeros<float>(op); else NegativeZeros<double>(op);
    }

    static void NegativeZeros<T>(VoxelOperator op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assume.That(Vector.IsHardwareAccelerated, "the vectors' path");
        var diagonal = CellLevel.DiagonalOf(op);
        var level = new CellLevel<T>(op, diagonal);
        Assert.That(level.Sparse, Is.Null, "the box's kernels");
        int nx = op.Nx, ny = op.Ny, plane = nx * ny;
        bool Of(int i, int colour) => (i % nx + i / nx % ny + i / plane) % 2 == colour;
        var b = Enumerable.Repeat(T.NegativeZero, op.CellCount).ToArray();
        for (int colour = 0; colour < 2; colour++)
        {
            // the colour's cells a negative x (Gauss-Seidel does not read it), the other colour's -0
            var x = Enumerable.Range(0, op.CellCount).Select(i => Of(i, colour) ? T.CreateTruncating(-0.5) : T.NegativeZero).ToArray();
            var want = Enumerable.Range(0, op.CellCount).Select(i => Of(i, colour) && diagonal[i] > 0 ? T.NegativeZero : x[i]).ToArray();
            level.GaussSeidelColour(b, x, colour);
            AssertBits(x, want, $"colour {colour}");

            // the residual: the colour's cells x +0 (b - d x is -0), the other colour's -0
            var rx = Enumerable.Range(0, op.CellCount).Select(i => Of(i, colour) ? T.Zero : T.NegativeZero).ToArray();
            var r = Enumerable.Repeat(T.One, op.CellCount).ToArray();
            level.Residual(b, rx, r);
            for (int i = 0; i < r.Length; i++)
                if (Of(i, colour) && diagonal[i] > 0)
                    Assert.That(T.IsZero(r[i]) && T.IsNegative(r[i]), Is.True, $"residual, colour {colour}, cell {i}: {r[i]}");
        }
    }

    /// <summary>The wave through the planes (in parallel slabs on the larger operators) is the two colours one after the other, bit for bit.</summary>
    [TestCaseSource(nameof(Operators))]
    public void ASweepIsItsTwoColoursInTurn(VoxelOperator op, bool single)
    {
        if (single) Sweep<float>(op); else Sweep<double>(op);
    }

    static void Sweep<T>(VoxelOperator op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var level = new CellLevel<T>(op, CellLevel.DiagonalOf(op));
        for (int first = 0; first < 2; first++)
        {
            var (b, x) = Vectors<T>(op, 10 + first);
            var want = (T[])x.Clone();
            level.GaussSeidelColour(b, want, first);
            level.GaussSeidelColour(b, want, 1 - first);
            level.Sweep(b, x, first);
            Assert.That(x, Is.EqualTo(want), $"first colour {first}");
        }
    }

    [TestCaseSource(nameof(Operators))]
    public void TheResidualIsBMinusAX(VoxelOperator op, bool single)
    {
        if (single) Residual<float>(op); else Residual<double>(op);
    }

    static void Residual<T>(VoxelOperator op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = op.ToCsr();
        var (b, x) = Vectors<T>(op, 5);
        var ax = new double[b.Length];
        a.Multiply(x.Select(double.CreateTruncating).ToArray(), ax);
        var r = Enumerable.Repeat(T.NaN, b.Length).ToArray();
        var level = new CellLevel<T>(op, CellLevel.DiagonalOf(op));
        level.Residual(b, x, r);
        var box = level.Box;
        double scale = ax.Max(Math.Abs);
        int inside = 0;
        for (int i = 0; i < r.Length; i++)
        {
            int cx = i % op.Nx, cy = i / op.Nx % op.Ny, cz = i / (op.Nx * op.Ny);
            bool inBox = cx >= box.X0 && cx <= box.X1 && cy >= box.Y0 && cy <= box.Y1 && cz >= box.Z0 && cz <= box.Z1;
            if (!inBox)
            {
                Assert.That(op.Diagonal(i), Is.EqualTo(0), $"cell {i} is an unknown outside the box");
                Assert.That(T.IsNaN(r[i]), Is.True, "not written");
                continue;
            }
            inside++;
            double want = op.Diagonal(i) > 0 ? double.CreateTruncating(b[i]) - ax[i] : 0;
            Assert.That(double.CreateTruncating(r[i]), Is.EqualTo(want).Within(Reach<T>() * scale), $"cell {i}");
        }
        Assert.That(inside, Is.EqualTo(box.Cells));
    }

    /// <summary>float32 unless the faces' coefficients span more than a million (measured: float takes more iterations there).</summary>
    [TestCase(1e3, true)]
    [TestCase(1e5, true)]
    [TestCase(1e8, false)]
    public void ThePrecisionFollowsTheFacesContrast(double ratio, bool single)
    {
        var op = CoefficientDomains.TwoPhase(12, 12, 12, ratio, 1);
        var open = new[] { op.FaceX, op.FaceY, op.FaceZ }.SelectMany(f => f).Where(c => c > 0).ToArray();
        Assert.That(open.Max() / open.Min(), Is.EqualTo(ratio).Within(0.01 * ratio), "two-phase faces span the density ratio");
        Assert.That(new CellLevel<float>(op, CellLevel.DiagonalOf(op)).Faces.Contrast, Is.EqualTo(open.Max() / open.Min()), "found while copying");
        Assert.That(CellLevel.For(op, CellLevel.DiagonalOf(op)).Single, Is.EqualTo(single));
        Assert.That(CellLevel.For(CoefficientDomains.CutCell(12, 12, 12, 1), CellLevel.DiagonalOf(CoefficientDomains.CutCell(12, 12, 12, 1))).Single, Is.True);
    }

    /// <summary>Float takes diagonals from 2^-64 to 2^64, both ends included, and an operator with no unknown; one step
    /// past either end takes double (isolated cells: no open face, the diagonal a Dirichlet term alone).</summary>
    [Test]
    public void FloatTakesDiagonalsFromTwoToTheMinus64ToTwoToThe64BothIncluded()
    {
        double low = 1 / CellLevel.SingleRange, high = CellLevel.SingleRange;
        Assert.That(low, Is.EqualTo(Math.Pow(2, -64)));
        Assert.That(CellLevel.InSingleRange(new PositiveRange(low, low)), Is.True, "2^-64");
        Assert.That(CellLevel.InSingleRange(new PositiveRange(Math.BitDecrement(low), low)), Is.False, "just below 2^-64");
        Assert.That(CellLevel.InSingleRange(new PositiveRange(high, high)), Is.True, "2^64");
        Assert.That(CellLevel.InSingleRange(new PositiveRange(high, Math.BitIncrement(high))), Is.False, "just above 2^64");
        Assert.That(CellLevel.InSingleRange(new PositiveRange(0, 0)), Is.True, "no unknown");
        int cells = 4 * 4 * 4;
        foreach (var (dirichlet, single) in new[] { (low, true), (Math.BitDecrement(low), false), (high, true), (Math.BitIncrement(high), false) })
        {
            var op = new VoxelOperator(4, 4, 4, new double[cells], new double[cells], new double[cells], [.. Enumerable.Repeat(dirichlet, cells)]);
            var level = CellLevel.For(op, CellLevel.DiagonalOf(op));
            Assert.That(level.Single, Is.EqualTo(single), $"diagonals {dirichlet:g17}");
            Assert.That(new CellLevel<float>(op, CellLevel.DiagonalOf(op)).Diagonals, Is.EqualTo(new PositiveRange(dirichlet, dirichlet)), "found while copying");
            Assert.That(CellLevel.Positive(CellLevel.DiagonalOf(op)), Is.EqualTo(new PositiveRange(dirichlet, dirichlet)), "found in chunks");
        }
    }

    /// <summary>Faces within float's range but one diagonal outside it: a penalty Dirichlet term of 1e40 on an open cell
    /// (float would hold its diagonal as infinity), or 1e-50 on a cell with no open face (its inverse infinity). pcg-mg
    /// ended at once with NaN in r.z until the diagonals' range was checked; they take double and converge.</summary>
    [TestCase(1e40, false)]
    [TestCase(1e-50, true)]
    public void ADiagonalOutsideFloatsRangeWithFacesInsideItSolves(double dirichlet, bool isolated)
    {
        int n = 8, c = 4 + n * (4 + n * 4);
        var unit = CoefficientDomains.CutCell(n, n, n, 1);
        var (fx, fy, fz, d) = ((double[])unit.FaceX.Clone(), (double[])unit.FaceY.Clone(), (double[])unit.FaceZ.Clone(), (double[])unit.Dirichlet.Clone());
        Assert.That(unit.Diagonal(c), Is.GreaterThan(0), "an unknown in the middle");
        if (isolated) fx[c] = fx[c - 1] = fy[c] = fy[c - n] = fz[c] = fz[c - n * n] = 0;
        d[c] = dirichlet;
        var op = new VoxelOperator(n, n, n, fx, fy, fz, d);
        Assert.That(CellLevel.Faces(op).Contrast, Is.LessThanOrEqualTo(CellLevel.SingleContrast), "the faces alone would take float");
        Assert.That(CellLevel.For(op, CellLevel.DiagonalOf(op)).Single, Is.False);
        var (_, result) = CoefficientMultigridTests.PcgMg(op, CoefficientMultigridTests.RandomB(op, 3));
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
    }

    [Test]
    public void TheContrastIsFoundWhereverItsExtremesLie()
    {
        // unit faces with one large and one small among them, at every place of a plane's first vectors (either half of
        // the pair a float vector is made from, and past them), along each axis
        int n = 8, cells = n * n * n;
        for (int axis = 0; axis < 3; axis++)
            for (int at = 0; at < 24; at++)
            {
                var faces = new double[3][];
                for (int a = 0; a < 3; a++)
                    faces[a] = [.. Enumerable.Range(0, cells).Select(i => (a == 0 ? i % n : a == 1 ? i / n % n : i / (n * n)) == n - 1 ? 0.0 : 1.0)];
                if (at % n == n - 1) continue; // an x face there would leave the grid
                int low = 2 * n * n + at, high = low + n * n; // planes 2 and 3, rows 0 to 2: every face inside the grid
                faces[axis][low] = 1e-3;
                faces[(axis + 1) % 3][high] = 1e3;
                var op = new VoxelOperator(n, n, n, faces[0], faces[1], faces[2], new double[cells]);
                var found = new CellLevel<float>(op, CellLevel.DiagonalOf(op)).Faces;
                Assert.That(found.Contrast, Is.EqualTo(1e6).Within(1e-6), $"axis {axis}, cell {low}");
                Assert.That(found, Is.EqualTo(new PositiveRange(1e-3, 1e3)), $"axis {axis}, cell {low}");
                Assert.That(CellLevel.Faces(op), Is.EqualTo(found), "the operator's own pass");
            }
    }

    [Test]
    public void TheBoxHoldsTheUnknownsAndSkipsTheAirAboveTheSurface()
    {
        var op = CoefficientDomains.GhostFluid(40, 30, 24, 4);
        var box = new CellLevel<float>(op, CellLevel.DiagonalOf(op)).Box;
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
        Assert.That(() => new CellLevel<float>(op, new double[10]), Throws.ArgumentException.With.Message.Contains("64 cells"));
    }
}
