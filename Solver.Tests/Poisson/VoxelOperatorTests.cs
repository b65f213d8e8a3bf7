using Dcdm.Sparse;

namespace Dcdm.Tests.Poisson;

public class VoxelOperatorTests
{
    static IEnumerable<TestCaseData> Families() => CoefficientDomains.Families.Select(f => new TestCaseData(f).SetArgDisplayNames(f));

    static CsrMatrix Triplets(int n, params (int Row, int Column, double Value)[] entries) =>
        CsrMatrix.FromCoordinates(n, n, entries.Select(e => e.Row).ToArray(), entries.Select(e => e.Column).ToArray(), entries.Select(e => e.Value).ToArray());

    [Test]
    public void AGridsUnitOperatorIsItsSevenPointMatrix()
    {
        foreach (var grid in new[] { PoissonDomains.FreeSurfaceTank(7, 6, 5, 0.6, 2), PoissonDomains.PocketsAndDroplets(9, 8, 10, 3), PoissonDomains.ClosedBox(3, 4, 5) })
        {
            var want = grid.ToCsr(GridMatrixLayout.FullGrid);
            var got = VoxelOperator.FromGrid(grid).ToCsr();
            Assert.That(got.RowPointers, Is.EqualTo(want.RowPointers));
            Assert.That(got.ColumnIndices, Is.EqualTo(want.ColumnIndices));
            Assert.That(got.Values, Is.EqualTo(want.Values));
        }
    }

    [Test]
    public void ACoefficientThatIsNegativeOrNotFiniteIsRefusedWithItsArrayAndIndex()
    {
        // 5 x 4 x 3 = 60 cells: bad entries inside a vector's span and in the scalar tail, first and last entry too
        var op = CoefficientDomains.Named("two-phase", 5, 4, 3, 1);
        string[] names = ["faceX", "faceY", "faceZ", "dirichlet"];
        foreach (double bad in new[] { -1e-300, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
            foreach (int at in new[] { 0, 13, 58, 59 })
                for (int a = 0; a < 4; a++)
                {
                    var arrays = new[] { op.FaceX, op.FaceY, op.FaceZ, op.Dirichlet }.Select(v => (double[])v.Clone()).ToArray();
                    arrays[a][at] = bad;
                    arrays[a][Math.Max(0, at - 7)] = bad is double.NaN ? -1 : double.NaN; // an earlier bad entry wins
                    int first = Math.Min(at, Math.Max(0, at - 7));
                    var e = Assert.Throws<ArgumentException>(() => new VoxelOperator(5, 4, 3, arrays[0], arrays[1], arrays[2], arrays[3]));
                    Assert.That(e!.Message, Does.StartWith($"{names[a]}[{first}] = "), $"{bad} at {at} in {names[a]}");
                }
        Assert.DoesNotThrow(() => new VoxelOperator(5, 4, 3, op.FaceX, op.FaceY, op.FaceZ, op.Dirichlet));
        var zeroAndLarge = new double[60];
        zeroAndLarge[17] = double.MaxValue;
        Assert.DoesNotThrow(() => new VoxelOperator(5, 4, 3, new double[60], new double[60], new double[60], zeroAndLarge), "0 and the largest finite value are coefficients");
    }

    [TestCaseSource(nameof(Families))]
    public void AGeneratedOperatorIsRecognisedFromItsMatrixInBothLayouts(string family)
    {
        var op = CoefficientDomains.Named(family, 10, 9, 8, 5);
        var a = op.ToCsr();
        Assert.That(a.CheckSymmetry().IsSymmetric, Is.True);
        var back = VoxelOperator.Recognise(a, 10, 9, 8, null, out string why);
        Assert.That(back, Is.Not.Null, why);
        Assert.That(back!.ToCsr().Values, Is.EqualTo(a.Values).Within(1e-14));

        var unknowns = Enumerable.Range(0, op.CellCount).Where(i => op.Diagonal(i) > 0).ToArray();
        var compact = VoxelOperator.Recognise(a.Submatrix(unknowns), 10, 9, 8, unknowns, out why);
        Assert.That(compact, Is.Not.Null, why);
        Assert.That(compact!.ToCsr().Values, Is.EqualTo(a.Values).Within(1e-14));
    }

    /// <summary>A grid one cell thin along an axis: its neighbours along the next axis sit one row apart too, and stay told apart.</summary>
    [TestCase(1, 5, 4)]
    [TestCase(4, 1, 3)]
    [TestCase(3, 4, 1)]
    public void AGridOneCellThinIsRecognisedAlongTheRightAxes(int nx, int ny, int nz)
    {
        var op = CoefficientDomains.TwoPhase(nx, ny, nz, 10, 1);
        var a = op.ToCsr();
        var back = VoxelOperator.Recognise(a, nx, ny, nz, null, out string why);
        Assert.That(back, Is.Not.Null, why);
        Assert.That(back!.FaceX, Is.EqualTo(op.FaceX).Within(1e-15));
        Assert.That(back.FaceY, Is.EqualTo(op.FaceY).Within(1e-15));
        Assert.That(back.FaceZ, Is.EqualTo(op.FaceZ).Within(1e-15));
    }

    [Test]
    public void TheFamiliesHaveWhatTheirNamesSay()
    {
        var twoPhase = CoefficientDomains.TwoPhase(12, 12, 12, 1000, 1);
        Assert.That(twoPhase.FaceZ.Where(c => c > 0).Min(), Is.EqualTo(2 / 2000.0).Within(1e-15), "liquid faces");
        Assert.That(twoPhase.FaceZ.Max(), Is.EqualTo(1), "air faces");
        var cut = CoefficientDomains.CutCell(16, 16, 16, 1);
        Assert.That(cut.FaceX.Count(c => c > 0 && c < 1), Is.GreaterThan(20), "fractional faces");
        var ghost = CoefficientDomains.GhostFluid(16, 16, 16, 1);
        Assert.That(ghost.Dirichlet.Max(), Is.GreaterThan(2).And.LessThanOrEqualTo(6 * 20 + 1e-9), "1/theta per air face, theta >= 0.05");
        Assert.That(ghost.FaceX.Concat(ghost.FaceY).Concat(ghost.FaceZ).Where(c => c > 0), Is.All.EqualTo(1));
    }

    /// <summary>A smeared interface (as level-set codes make it): width 0 is the sharp operator bit for bit; with a width the
    /// faces take every value between the liquid's 1/1000 and the air's 1, the more of them the wider the band, and none
    /// outside it.</summary>
    [Test]
    public void ASmearedInterfaceGradesTheFacesBetweenThePhases()
    {
        var sharp = CoefficientDomains.TwoPhase(20, 18, 16, 1000, 2);
        var zero = CoefficientDomains.TwoPhase(20, 18, 16, 1000, 2, interfaceWidth: 0);
        Assert.That(zero.FaceX.Concat(zero.FaceY).Concat(zero.FaceZ).Concat(zero.Dirichlet),
            Is.EqualTo(sharp.FaceX.Concat(sharp.FaceY).Concat(sharp.FaceZ).Concat(sharp.Dirichlet)), "width 0: the sharp operator");
        int Graded(VoxelOperator op) => op.FaceX.Concat(op.FaceY).Concat(op.FaceZ).Count(c => c > 2 / 1001.0 * 1.01 && c < 2 / 1001.0 * 0.99 + 0.98);
        var narrow = CoefficientDomains.TwoPhase(20, 18, 16, 1000, 2, interfaceWidth: 1.5);
        var wide = CoefficientDomains.TwoPhase(20, 18, 16, 1000, 2, interfaceWidth: 3);
        Assert.That(Graded(sharp), Is.Zero, "sharp: liquid, air and the faces between them only");
        Assert.That(Graded(narrow), Is.GreaterThan(500));
        Assert.That(Graded(wide), Is.GreaterThan(Graded(narrow) * 3 / 2));
        foreach (var op in new[] { narrow, wide })
            Assert.That(op.FaceX.Concat(op.FaceY).Concat(op.FaceZ).Where(c => c > 0), Is.All.InRange(2 / 2000.0 - 1e-15, 1 + 1e-15));
        // a band far thinner than a cell: each cell's centre on the side the sharp interface puts it, the same operator
        // (the phases, the bubbles and the droplets as the sharp path has them)
        foreach (int seed in new[] { 2, 3, 5, 7 })
        {
            var thin = CoefficientDomains.TwoPhase(20, 18, 16, 1000, seed, interfaceWidth: 1e-9);
            var its = CoefficientDomains.TwoPhase(20, 18, 16, 1000, seed);
            Assert.That(thin.FaceX.Concat(thin.FaceY).Concat(thin.FaceZ).Concat(thin.Dirichlet),
                Is.EqualTo(its.FaceX.Concat(its.FaceY).Concat(its.FaceZ).Concat(its.Dirichlet)), $"seed {seed}: a band 1e-9 cells wide");
        }
        Assert.That(() => CoefficientDomains.TwoPhase(8, 8, 8, 1000, 2, interfaceWidth: -1),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("interface width"));
    }

    /// <summary>The cut-cell rock: pores meeting through partly open faces, about a third of the box open, and every
    /// unknown reaching the open top through open faces (no singular pocket).</summary>
    [Test]
    public void TheCutCellRockIsPoresThroughPartlyOpenFacesThatAllReachTheTop()
    {
        const int n = 24;
        var rock = CoefficientDomains.CutCellRock(n, n, n, 3);
        var open = rock.FaceX.Concat(rock.FaceY).Concat(rock.FaceZ).Where(c => c > 0).ToArray();
        Assert.That(open.Count(c => c < 1), Is.GreaterThan(open.Length / 4), "partly open faces");
        Assert.That(open.Count(c => c <= 0.25), Is.GreaterThan(open.Length / 20), "nearly closed faces");
        Assert.That(open, Is.All.LessThanOrEqualTo(1));
        Assert.That(open.All(c => Math.Abs(c * 16 - Math.Round(c * 16)) < 1e-12), Is.True, "each face's share of 4x4 samples");
        int cells = n * n * n, plane = n * n;
        var unknown = Enumerable.Range(0, cells).Where(i => rock.Diagonal(i) > 0).ToArray();
        Assert.That(unknown.Length, Is.InRange(cells / 5, cells * 3 / 5), "the pores' share of the box");
        var reached = new bool[cells];
        var stack = new Stack<int>(unknown.Where(i => rock.Dirichlet[i] > 0));
        foreach (var i in stack) reached[i] = true;
        while (stack.Count > 0)
            rock.OpenFaces(stack.Pop(), (j, _) => { if (!reached[j]) { reached[j] = true; stack.Push(j); } });
        Assert.That(unknown.Where(i => !reached[i]), Is.Empty, "unknowns the top does not reach");
        Assert.That(rock.Dirichlet.Take(cells - plane), Is.All.EqualTo(0), "Dirichlet faces on the top layer only");
        Assert.That(CoefficientDomains.CutCellRock(n, n, n, 3).FaceX, Is.EqualTo(rock.FaceX), "deterministic for a seed");
    }

    /// <summary>The cut-cell rock's two knobs: less fluid leaves fewer unknowns (the throats narrow and some pores close
    /// off from the top); a shorter wavelength makes finer rock, more of its open faces partly open (24^3, seed 3: 0.68,
    /// 0.42, 0.23 at wavelengths 4, 8, 16). The defaults are 35% and 8 cells; a share outside (0, 1) or a wavelength under
    /// 2 is refused naming it.</summary>
    [Test]
    public void TheCutCellRocksFluidShareAndWavelengthShapeIt()
    {
        const int n = 24;
        static int Unknowns(VoxelOperator op) => Enumerable.Range(0, op.CellCount).Count(i => op.Diagonal(i) > 0);
        static double PartlyOpen(VoxelOperator op)
        {
            var open = op.FaceX.Concat(op.FaceY).Concat(op.FaceZ).Where(c => c > 0).ToArray();
            return (double)open.Count(c => c < 1) / open.Length;
        }
        var rock = CoefficientDomains.CutCellRock(n, n, n, 3);
        Assert.That(CoefficientDomains.CutCellRock(n, n, n, 3, 1, fluid: 0.35, wavelength: 8).FaceZ, Is.EqualTo(rock.FaceZ), "the defaults");
        int less = Unknowns(CoefficientDomains.CutCellRock(n, n, n, 3, fluid: 0.25)), more = Unknowns(CoefficientDomains.CutCellRock(n, n, n, 3, fluid: 0.5));
        Assert.That(less, Is.LessThan(Unknowns(rock)));
        Assert.That(more, Is.GreaterThan(Unknowns(rock)));
        double fine = PartlyOpen(CoefficientDomains.CutCellRock(n, n, n, 3, wavelength: 4)), coarse = PartlyOpen(CoefficientDomains.CutCellRock(n, n, n, 3, wavelength: 16));
        Assert.That(fine, Is.GreaterThan(PartlyOpen(rock) + 0.1), "finer rock: more partly open faces");
        Assert.That(coarse, Is.LessThan(PartlyOpen(rock) - 0.1), "coarser rock: fewer");
        foreach (double fluid in new[] { 0, 1, double.NaN })
            Assert.That(() => CoefficientDomains.CutCellRock(n, n, n, 3, fluid: fluid),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("fluid"));
        foreach (double wavelength in new[] { 1.5, double.PositiveInfinity, double.NaN })
            Assert.That(() => CoefficientDomains.CutCellRock(n, n, n, 3, wavelength: wavelength),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("wavelength"));
    }

    /// <summary>The cut-cell rock's faces from a field rising along x (corner value x), open below 2.3, cells 2 times
    /// flatter: a face across x on the plane x + 1 open while x + 1 is under the cut; a face along x (y or z) spanning
    /// x..x + 1 open by its 4x4 samples' share at x + 1/8, 3/8, 5/8, 7/8 (x = 2: one column of four, 0.25); the z faces
    /// and the top's Dirichlet terms aspect^2 (4) times; the cells past the cut no unknowns.</summary>
    [Test]
    public void TheCutCellRocksFacesAreTheOpenShareOfTheirSamplesOnTheirOwnPlane()
    {
        const int nx = 4, ny = 3, nz = 3;
        var corner = new double[(nx + 1) * (ny + 1) * (nz + 1)];
        for (int i = 0; i < corner.Length; i++) corner[i] = i % (nx + 1);
        var rock = CoefficientDomains.CutCellRock(nx, ny, nz, corner, 2.3, aspect: 2);
        double[] acrossX = [1, 1, 0, 0], alongX = [1, 1, 0.25, 0];
        for (int z = 0, i = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++, i++)
                {
                    Assert.That(rock.FaceX[i], Is.EqualTo(acrossX[x]), $"face x of ({x}, {y}, {z})");
                    Assert.That(rock.FaceY[i], Is.EqualTo(y + 1 < ny ? alongX[x] : 0), $"face y of ({x}, {y}, {z})");
                    Assert.That(rock.FaceZ[i], Is.EqualTo(z + 1 < nz ? 4 * alongX[x] : 0), $"face z of ({x}, {y}, {z})");
                    Assert.That(rock.Dirichlet[i], Is.EqualTo(z + 1 == nz ? 4 * alongX[x] : 0), $"Dirichlet term of ({x}, {y}, {z})");
                    Assert.That(rock.Diagonal(i) > 0, Is.EqualTo(x < 3), $"({x}, {y}, {z}) an unknown");
                }
    }

    /// <summary>
    /// The cut-cell rock from a field of small integers at the corners (-3 to 3, every bilinear sample exact, open below -1.3), against the faces
    /// sampled here at their points in space (trilinear in the cell holding them) and a search from the open top: the
    /// same faces and Dirichlet terms, bit for bit, pockets the top does not reach closed (their faces 0), and some
    /// cells below the top reached only by going down, sideways and up again.
    /// </summary>
    [TestCase(7, 6, 5, 1, 1.0)]
    [TestCase(8, 8, 8, 2, 1.5)]
    [TestCase(5, 9, 6, 3, 1.0)]
    [TestCase(12, 12, 6, 4, 1.0)] // a pocket holding top cells closed above (seeding those would keep it)
    public void TheCutCellRocksFacesAreTheSharesOfTheirSamplesAndItsCellsThoseTheTopReaches(int nx, int ny, int nz, int seed, double aspect)
    {
        const double cut = -1.3; // open where the corners are -2 or -3 (2/7 of them) or near: pockets, passages
        var rng = new Random(seed);
        int cx = nx + 1, cxy = (nx + 1) * (ny + 1);
        var corner = Enumerable.Range(0, cxy * (nz + 1)).Select(_ => (double)rng.Next(-3, 4)).ToArray();
        var rock = CoefficientDomains.CutCellRock(nx, ny, nz, corner, cut, aspect);
        // the field at a point: trilinear in the cell holding it (on a cell's high side: the cell below)
        double Field(double px, double py, double pz)
        {
            int ix = Math.Min((int)px, nx - 1), iy = Math.Min((int)py, ny - 1), iz = Math.Min((int)pz, nz - 1);
            double u = px - ix, v = py - iy, w = pz - iz, sum = 0;
            for (int c = 0; c < 8; c++)
            {
                int dx = c & 1, dy = c >> 1 & 1, dz = c >> 2;
                sum += corner[ix + dx + cx * (iy + dy) + cxy * (iz + dz)] * (dx == 1 ? u : 1 - u) * (dy == 1 ? v : 1 - v) * (dz == 1 ? w : 1 - w);
            }
            return sum;
        }
        // a face's open share: 4x4 samples at the centres of its sixteenths, (x, y, z) a point of the face, e and f its axes' steps
        double Share(double x, double y, double z, (int, int, int) e, (int, int, int) f)
        {
            int open = 0;
            for (int p = 0; p < 4; p++)
                for (int q = 0; q < 4; q++)
                {
                    double s = (p + 0.5) / 4, t = (q + 0.5) / 4;
                    if (Field(x + s * e.Item1 + t * f.Item1, y + s * e.Item2 + t * f.Item2, z + s * e.Item3 + t * f.Item3) < cut) open++;
                }
            return open / 16.0;
        }
        int n = nx * ny * nz, plane = nx * ny;
        double along = aspect * aspect;
        var (fx, fy, fz, d) = (new double[n], new double[n], new double[n], new double[n]);
        for (int z = 0, i = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++, i++)
                {
                    if (x + 1 < nx) fx[i] = Share(x + 1, y, z, (0, 1, 0), (0, 0, 1));
                    if (y + 1 < ny) fy[i] = Share(x, y + 1, z, (1, 0, 0), (0, 0, 1));
                    double top = along * Share(x, y, z + 1, (1, 0, 0), (0, 1, 0));
                    if (z + 1 < nz) fz[i] = top; else d[i] = top;
                }
        // the cells the open top reaches through open faces, by a breadth-first search
        var reached = new bool[n];
        var queue = new Queue<int>();
        for (int i = n - plane; i < n; i++) if (d[i] > 0) { reached[i] = true; queue.Enqueue(i); }
        bool upAgain = false; // a cell reached from below
        while (queue.Count > 0)
        {
            int i = queue.Dequeue();
            int x = i % nx, y = i / nx % ny, z = i / plane;
            foreach (var (j, face, up) in new[]
            {
                (i + 1, x + 1 < nx ? fx[i] : 0, false), (i - 1, x > 0 ? fx[i - 1] : 0, false),
                (i + nx, y + 1 < ny ? fy[i] : 0, false), (i - nx, y > 0 ? fy[i - nx] : 0, false),
                (i + plane, z + 1 < nz ? fz[i] : 0, true), (i - plane, z > 0 ? fz[i - plane] : 0, false),
            })
                if (face > 0 && !reached[j]) { reached[j] = true; queue.Enqueue(j); upAgain |= up; }
        }
        int pockets = 0;
        for (int i = 0; i < n; i++)
            if (!reached[i])
            {
                if (fx[i] + fy[i] + fz[i] + d[i] > 0 || (i % nx > 0 && fx[i - 1] > 0) || (i / nx % ny > 0 && fy[i - nx] > 0) || (i >= plane && fz[i - plane] > 0)) pockets++;
                fx[i] = fy[i] = fz[i] = d[i] = 0;
            }
        Assert.That(rock.FaceX, Is.EqualTo(fx), "faces across x");
        Assert.That(rock.FaceY, Is.EqualTo(fy), "faces across y");
        Assert.That(rock.FaceZ, Is.EqualTo(fz), "faces across z");
        Assert.That(rock.Dirichlet, Is.EqualTo(d), "the top's Dirichlet terms");
        Assert.That(pockets, Is.GreaterThan(0), "some open faces the top does not reach");
        Assert.That(upAgain, Is.True, "some cell reached from below");
        Assert.That(reached.Count(r => r), Is.GreaterThan(plane), "cells below the top reached");
    }

    /// <summary>The cut-cell rock on grids one or two cells across: a valid operator whose unknowns all reach the open top.</summary>
    [TestCase(1, 6, 5)]
    [TestCase(6, 1, 5)]
    [TestCase(6, 5, 1)]
    [TestCase(2, 2, 2)]
    [TestCase(1, 1, 1)]
    [TestCase(3, 2, 7)]
    public void TheCutCellRockOnThinGridsHasUnknownsThatAllReachTheTop(int nx, int ny, int nz)
    {
        for (int seed = 1; seed <= 4; seed++)
        {
            var rock = CoefficientDomains.CutCellRock(nx, ny, nz, seed);
            int cells = nx * ny * nz, plane = nx * ny;
            Assert.That(rock.Dirichlet.Take(cells - plane), Is.All.EqualTo(0), "Dirichlet terms on the top layer only");
            var reached = new bool[cells];
            var stack = new Stack<int>(Enumerable.Range(0, cells).Where(i => rock.Dirichlet[i] > 0));
            foreach (var i in stack) reached[i] = true;
            while (stack.Count > 0)
                rock.OpenFaces(stack.Pop(), (j, _) => { if (!reached[j]) { reached[j] = true; stack.Push(j); } });
            Assert.That(Enumerable.Range(0, cells).Where(i => rock.Diagonal(i) > 0 && !reached[i]), Is.Empty, $"unknowns the top does not reach (seed {seed})");
        }
    }

    /// <summary>The graded channel: each face its area over the distance between the cell centres, on cells h / aspect high at
    /// the floor and ceiling, growing by one ratio to h at mid-height; ribs solid on the floor; the outlet the only
    /// Dirichlet face (2 dz: half a cell away); and the cells flat along z by the line test.</summary>
    [TestCase(10, 9, 12, 8.0)]
    [TestCase(9, 7, 11, 32.0)]
    public void TheGradedChannelsFacesAreItsCellsAreasOverTheirDistances(int nx, int ny, int nz, double aspect)
    {
        var op = CoefficientDomains.GradedChannel(nx, ny, nz, aspect, 3);
        int plane = nx * ny;
        double Dz(int z) => op.FaceX.Where((c, i) => i / plane == z && c > 0).DefaultIfEmpty(double.NaN).Max();
        Assert.That(Dz(0), Is.EqualTo(1 / aspect).Within(1e-12), "the floor's cells");
        Assert.That(Dz(nz - 1), Is.EqualTo(1 / aspect).Within(1e-12), "the ceiling's");
        Assert.That(Dz((nz - 1) / 2), Is.EqualTo(1).Within(1e-12), "mid-height's, cubic");
        double ratio = Dz(1) / Dz(0);
        Assert.That(ratio, Is.GreaterThan(1));
        for (int z = 1; z <= (nz - 1) / 2; z++) Assert.That(Dz(z) / Dz(z - 1), Is.EqualTo(ratio).Within(1e-9), $"one ratio, layer {z}");
        for (int i = 0; i < op.CellCount; i++)
        {
            int x = i % nx, z = i / plane;
            if (op.FaceY[i] > 0) Assert.That(op.FaceY[i], Is.EqualTo(Dz(z)).Within(1e-12));
            if (op.FaceZ[i] > 0) Assert.That(op.FaceZ[i], Is.EqualTo(2 / (Dz(z) + Dz(z + 1))).Within(1e-12));
            Assert.That(op.Dirichlet[i], Is.EqualTo(x == nx - 1 && op.Diagonal(i) > 0 ? 2 * Dz(z) : 0).Within(1e-12), $"cell {i}: the outlet only");
        }
        var ribs = Enumerable.Range(0, op.CellCount).Where(i => op.Diagonal(i) == 0).ToArray();
        Assert.That(ribs, Is.Not.Empty);
        Assert.That(ribs.Select(i => i % nx).Distinct().Count(), Is.EqualTo(3), "three ribs, one cell long");
        Assert.That(ribs.All(i => i / plane < nz - 1 && (i - plane < 0 || op.Diagonal(i - plane) == 0)), Is.True, "standing on the floor, below the ceiling");
        Assert.That(ribs.GroupBy(i => (i % nx, i / plane)).All(g => g.Count() == ny), Is.True, "spanning the channel across y");
        Assert.That(ribs.GroupBy(i => i % nx).All(g => g.Max(i => i / plane) + 1 <= nz / 8 + 1), Is.True, "an eighth of the layers high, or one more");
        Assert.That(Dcdm.Multigrid.LineAxis.Of(op), Is.EqualTo(2), "flat along z");
        Assert.That(Enumerable.Range(0, 40).All(i => CoefficientDomains.GradedChannel(10, 4, 1, aspect, 3).Diagonal(i) > 0), Is.True,
            "one layer: no rib cuts the channel");
        if (aspect == CoefficientDomains.GradedChannelAspect)
            Assert.That(CoefficientDomains.Named("graded-channel", nx, ny, nz, 3).FaceZ, Is.EqualTo(op.FaceZ), "the family's default aspect");
        Assert.That(() => CoefficientDomains.GradedChannel(nx, ny, nz, 0.5, 3), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    /// <summary>Two-phase, cut-cell, cut-cell rock and ghost-fluid on cells <c>aspect</c> times flatter along z: the same geometry, each
    /// z face and each Dirichlet term of a face along z aspect^2 times the cubic cells' (for ghost-fluid, a surface
    /// beside a cell keeps its 1 / theta), the x and y faces unchanged.</summary>
    [TestCase("two-phase")]
    [TestCase("cut-cell")]
    [TestCase("ghost-fluid")]
    [TestCase("cut-cell-rock")]
    public void TheFamiliesOnFlatCellsScaleTheirFacesAlongZ(string family)
    {
        const double aspect = 3;
        VoxelOperator Make(double k) => family switch
        {
            "two-phase" => CoefficientDomains.TwoPhase(14, 13, 12, 1000, 2, k),
            "cut-cell" => CoefficientDomains.CutCell(14, 13, 12, 2, k),
            "cut-cell-rock" => CoefficientDomains.CutCellRock(14, 13, 12, 2, k),
            _ => CoefficientDomains.GhostFluid(14, 13, 12, 2, k),
        };
        var (cubic, flat) = (Make(1), Make(aspect));
        Assert.That(flat.FaceX, Is.EqualTo(cubic.FaceX));
        Assert.That(flat.FaceY, Is.EqualTo(cubic.FaceY));
        Assert.That(flat.FaceZ, Is.EqualTo(cubic.FaceZ.Select(c => c * aspect * aspect)).Within(1e-12));
        Assert.That(flat.Dirichlet.Zip(cubic.Dirichlet).Count(p => p.First != p.Second), Is.GreaterThan(0), "some Dirichlet term along z");
        Assert.That(flat.Dirichlet.Zip(cubic.Dirichlet).All(p => p.First >= p.Second - 1e-12 && p.First <= aspect * aspect * p.Second + 1e-12), Is.True,
            "each Dirichlet term between the cubic one and aspect^2 times it");
        if (family != "ghost-fluid")
            Assert.That(flat.Dirichlet, Is.EqualTo(cubic.Dirichlet.Select(d => d * aspect * aspect)).Within(1e-12), "the open top's faces are along z");
        else
            Assert.That(flat.Dirichlet.Zip(cubic.Dirichlet).Count(p => p.Second > 0 && Math.Abs(p.First - aspect * aspect * p.Second) > 1e-9), Is.GreaterThan(0),
                "some surface beside a cell");
        Assert.That(() => Make(0.5), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    /// <summary>Each kind of row that is no pressure operator is refused with the row (1-based) and the reason.</summary>
    [TestCase("positive", "row 2: a positive off-diagonal")]
    [TestCase("weak diagonal", "row 1: diagonal 1 below the sum of its couplings 2")]
    [TestCase("non-neighbour", "row 1: a coupling to column 4, which is not a face neighbour")]
    [TestCase("wrapped", "row 2: a coupling to column 3, which is not a face neighbour")]
    [TestCase("asymmetric", "rows 2 and 1: their couplings differ")]
    [TestCase("one-sided", "row 2: 0 couplings where its neighbours' rows give it 1")]
    [TestCase("no diagonal", "row 1: diagonal 0")]
    public void ARowThatIsNoPressureOperatorIsRefusedByName(string kind, string message)
    {
        // a 2x2x1 grid: cells 0 1 / 2 3, so 1 and 2 are not neighbours (1 + 1 wraps to the next row)
        var a = kind switch
        {
            "positive" => Triplets(4, (0, 0, 2), (0, 1, -1), (1, 0, 1), (1, 1, 2)),
            "weak diagonal" => Triplets(4, (0, 0, 1), (0, 1, -1), (0, 2, -1), (1, 0, -1), (1, 1, 1), (2, 0, -1), (2, 2, 1)),
            "non-neighbour" => Triplets(4, (0, 0, 2), (0, 3, -1), (3, 0, -1), (3, 3, 2)),
            "wrapped" => Triplets(4, (1, 1, 2), (1, 2, -1), (2, 1, -1), (2, 2, 2)),
            "asymmetric" => Triplets(4, (0, 0, 2), (0, 1, -1), (1, 0, -0.5), (1, 1, 2)),
            "one-sided" => Triplets(4, (0, 0, 2), (0, 1, -1), (1, 1, 2)),
            _ => Triplets(4, (0, 1, -1), (1, 0, -1), (1, 1, 2)),
        };
        Assert.That(VoxelOperator.Recognise(a, 2, 2, 1, null, out string why), Is.Null);
        Assert.That(why, Does.StartWith(message));
    }

    /// <summary>
    /// Rows are checked in parallel chunks (16,384 rows each), yet the row named is the first that fails, as a pass in
    /// row order finds it: a 64x64x16 tank's matrix with a positive coupling in two chunks names the earlier; a
    /// coupling checked against its symmetric copy (the second pass) is named only when no row fails the first; and the
    /// operator recognised from the untouched matrix is the one it came from.
    /// </summary>
    [Test]
    public void TheFirstRowThatFailsIsNamedWhicheverChunkFindsIt()
    {
        var op = VoxelOperator.FromGrid(PoissonDomains.FreeSurfaceTank(64, 64, 16, 0.9, 1));
        var a = op.ToCsr();
        var recognised = VoxelOperator.Recognise(a, 64, 64, 16, null, out string why);
        Assert.That(recognised, Is.Not.Null, why);
        Assert.That((recognised!.FaceX, recognised.FaceY, recognised.FaceZ, recognised.Dirichlet), Is.EqualTo((op.FaceX, op.FaceY, op.FaceZ, op.Dirichlet)));
        int OffDiagonal(int row) => Enumerable.Range(a.RowPointers[row], a.RowPointers[row + 1] - a.RowPointers[row]).First(k => a.ColumnIndices[k] != row);
        void Make(int row, double value) => a.Values[OffDiagonal(row)] = value;
        Make(50_000, 1);
        Make(20_000, 1);
        Assert.That(VoxelOperator.Recognise(a, 64, 64, 16, null, out why), Is.Null);
        Assert.That(why, Does.StartWith("row 20001: a positive off-diagonal"));
        Make(20_000, -1);
        Make(50_000, -1);
        int asymmetric = 40_000, k = OffDiagonal(asymmetric), lower = a.ColumnIndices[k];
        Assert.That(lower, Is.LessThan(asymmetric), "its first coupling is to a lower row, whose face the second pass compares");
        a.Values[k] = -0.5;
        Make(55_000, 1);
        Assert.That(VoxelOperator.Recognise(a, 64, 64, 16, null, out why), Is.Null);
        Assert.That(why, Does.StartWith("row 55001: a positive off-diagonal"), "the first pass's failure, though a row before it fails the second");
        Make(55_000, -1);
        Assert.That(VoxelOperator.Recognise(a, 64, 64, 16, null, out why), Is.Null);
        Assert.That(why, Does.StartWith($"rows {asymmetric + 1} and {lower + 1}: their couplings differ"));
    }

    [Test]
    public void TheDirichletTermIsWhatTheDiagonalHasBeyondItsCouplings()
    {
        var a = Triplets(2, (0, 0, 3.5), (0, 1, -0.25), (1, 0, -0.25), (1, 1, 0.25));
        var op = VoxelOperator.Recognise(a, 2, 1, 1, null, out string why);
        Assert.That(op, Is.Not.Null, why);
        Assert.That(op!.FaceX[0], Is.EqualTo(0.25));
        Assert.That(op.Dirichlet, Is.EqualTo(new[] { 3.25, 0 }));
    }

    [Test]
    public void TheErrorNamedIsFaceXsBeforeFaceYsAndTheLowerPlanesFirst()
    {
        // planes are checked in parallel; the error named is the one a pass over the arrays in turn meets first
        var op = CoefficientDomains.Named("two-phase", 6, 5, 7, 2);
        var arrays = new[] { op.FaceX, op.FaceY, op.FaceZ, op.Dirichlet }.Select(v => (double[])v.Clone()).ToArray();
        arrays[1][3] = -1; // faceY, plane 0
        arrays[0][5 * 6 * 6 + 2] = double.NaN; // faceX, plane 6
        arrays[0][5 * 6 * 4 + 1] = -2; // faceX, plane 4: the first of faceX's
        var e = Assert.Throws<ArgumentException>(() => new VoxelOperator(6, 5, 7, arrays[0], arrays[1], arrays[2], arrays[3]));
        Assert.That(e!.Message, Does.StartWith($"faceX[{5 * 6 * 4 + 1}] = -2"));
        Assert.That(e.ParamName, Is.EqualTo("faceX"));
        var sides = new[] { op.FaceX, op.FaceY, op.FaceZ, op.Dirichlet }.Select(v => (double[])v.Clone()).ToArray();
        sides[1][6 * 4 + 6 * 5 * 5 + 2] = 1; // faceY of cell (2, 4, 5) leaves the grid
        sides[0][5 + 6 * 5 * 2] = 1; // faceX of cell (5, 0, 2): a lower plane
        e = Assert.Throws<ArgumentException>(() => new VoxelOperator(6, 5, 7, sides[0], sides[1], sides[2], sides[3]));
        Assert.That(e!.Message, Does.StartWith("faceX at cell (5, 0, 2) is open but leads out of the grid"));
        Assert.That(e.ParamName, Is.EqualTo("faceX"));
    }

    [TestCase("two-phase", 13, 6, 5)] // vectors and a scalar tail along x
    [TestCase("ghost-fluid", 3, 4, 5)] // rows shorter than a vector
    [TestCase("cut-cell", 1, 7, 6)]
    [TestCase("cut-cell", 9, 1, 1)]
    public void ARowsDiagonalsAreEachCellsBitForBit(string family, int nx, int ny, int nz)
    {
        var op = CoefficientDomains.Named(family, Math.Max(nx, 4), Math.Max(ny, 4), Math.Max(nz, 4), 5);
        var rng = new Random(3); // random coefficients on the operator's shape, so no sum is a round number
        double[] Random(double[] a) => [.. a.Select(v => v > 0 ? v * (0.5 + rng.NextDouble()) : 0)];
        op = new VoxelOperator(op.Nx, op.Ny, op.Nz, Random(op.FaceX), Random(op.FaceY), Random(op.FaceZ), Random(op.Dirichlet));
        var row = new double[op.Nx];
        for (int z = 0; z < op.Nz; z++)
            for (int y = 0; y < op.Ny; y++)
            {
                op.RowDiagonals(y, z, row);
                for (int x = 0; x < op.Nx; x++)
                    Assert.That(BitConverter.DoubleToInt64Bits(row[x]), Is.EqualTo(BitConverter.DoubleToInt64Bits(op.Diagonal(op.Nx * (y + op.Ny * z) + x))), $"cell ({x}, {y}, {z})");
            }
    }

    [Test]
    public void ACheckedCopyHoldsTheSameCoefficientsOnItsOwnArraysAndChecksRefilledOnes()
    {
        var op = CoefficientDomains.Named("cut-cell", 9, 8, 7, 3);
        var copy = op.CheckedCopy();
        Assert.That((copy.Nx, copy.Ny, copy.Nz), Is.EqualTo((op.Nx, op.Ny, op.Nz)));
        foreach (var (mine, theirs) in new[] { (copy.FaceX, op.FaceX), (copy.FaceY, op.FaceY), (copy.FaceZ, op.FaceZ), (copy.Dirichlet, op.Dirichlet) })
        {
            Assert.That(mine, Is.Not.SameAs(theirs));
            Assert.That(mine, Is.EqualTo(theirs));
        }
        op.FaceZ[9 * 8 * 3 + 4] = double.PositiveInfinity; // the caller refilled its arrays after constructing the operator
        Assert.That(() => op.CheckedCopy(), Throws.ArgumentException.With.Message.StartWith($"faceZ[{9 * 8 * 3 + 4}] = "));
        op.FaceZ[9 * 8 * 3 + 4] = 0;
        op.FaceY[9 * 7 + 9 * 8 * 6] = 0.5; // cell (0, 7, 6): its +y face leaves the grid
        Assert.That(() => op.CheckedCopy(), Throws.ArgumentException.With.Message.StartWith("faceY at cell (0, 7, 6) is open but leads out of the grid"));
    }

    [Test]
    public void AnOperatorWithAFaceOutOfTheGridOrANegativeCoefficientIsRefused()
    {
        double[] Zeros() => new double[4];
        var outward = Zeros(); outward[1] = 1; // cell (1, 0, 0) of a 2x2x1 grid: its +x face leaves the grid
        Assert.That(() => new VoxelOperator(2, 2, 1, outward, Zeros(), Zeros(), Zeros()), Throws.ArgumentException.With.Message.Contains("faceX at cell (1, 0, 0)"));
        var negative = Zeros(); negative[2] = -1;
        Assert.That(() => new VoxelOperator(2, 2, 1, Zeros(), Zeros(), Zeros(), negative), Throws.ArgumentException.With.Message.Contains("dirichlet[2] = -1"));
    }
}
