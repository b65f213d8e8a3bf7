using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Multigrid;
using Dcdm.Multigrid;
using ILGPU.Runtime;

namespace Dcdm.Tests.Gpu;

/// <summary>
/// The device V-cycle's kernels against Core's LevelOps, MultigridLevel and CellDiagonal (the CPU multigrid, double) and
/// plain loops, and the whole float32 cycle against the CPU's, on ILGPU's CPU accelerator.
/// </summary>
public class GpuMultigridTests : AcceleratorTests
{
    MultigridKernels K => Device.MultigridKernels;
    Accelerator Acc => Device.Accelerator;

    static IEnumerable<TestCaseData> Grids()
    {
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(11, 9, 10, 0.6, 2)).SetArgDisplayNames("tank, odd sizes");
        yield return new TestCaseData(PoissonDomains.RandomObstacles(12, 12, 12, 0.2, 3)).SetArgDisplayNames("obstacles");
        yield return new TestCaseData(PoissonDomains.ClosedBox(8, 6, 7)).SetArgDisplayNames("closed box (singular)");
        yield return new TestCaseData(PoissonDomains.Spheres(16, 16, 16, 3, 1)).SetArgDisplayNames("spheres");
        yield return new TestCaseData(PoissonDomains.SmokeBox(13, 7, 5)).SetArgDisplayNames("smoke, odd sizes");
    }

    static LevelShape ShapeOf(MultigridLevel l) => new(l.Nx, l.Ny, l.Nz);

    /// <summary>Random values in [-0.5, 0.5) on the cells with a nonzero diagonal (the kernels' invariant), 0 elsewhere.</summary>
    static double[] OnUnknowns(byte[] diagonal, int seed)
    {
        var rng = new Random(seed);
        return diagonal.Select(d => d > 0 ? rng.NextDouble() - 0.5 : 0).ToArray();
    }

    static float[] Single(double[] v) => v.Select(x => (float)x).ToArray();

    /// <summary>Every entry of a float32 device result within tol of the double reference, relative to its largest entry.</summary>
    static void AssertClose(float[] actual, double[] expected, double tol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        double scale = Math.Max(expected.Max(Math.Abs), 1e-30), worst = 0;
        int at = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double e = Math.Abs(actual[i] - expected[i]);
            if (e > worst) { worst = e; at = i; }
        }
        Assert.That(worst / scale, Is.LessThanOrEqualTo(tol), $"{what}: worst at cell {at}: {(at >= 0 ? actual[at] : 0)} vs {(at >= 0 ? expected[at] : 0)}");
    }

    /// <summary>A fine level of the grid and the next coarser one, as Core makes them, with random work vectors.</summary>
    static (MultigridLevel Fine, MultigridLevel Coarse) Levels(PoissonGrid grid, int seed)
    {
        var fine = new MultigridLevel(grid, 1);
        var coarse = new MultigridLevel(GeometricGrids.Coarsen(grid), 0.25);
        foreach (var (level, s) in new[] { (fine, seed), (coarse, seed + 7) })
        {
            OnUnknowns(level.Diagonal, s).CopyTo(level.B, 0);
            OnUnknowns(level.Diagonal, s + 1).CopyTo(level.X, 0);
            OnUnknowns(level.Diagonal, s + 2).CopyTo(level.Work, 0);
        }
        return (fine, coarse);
    }

    [TestCaseSource(nameof(Grids))]
    public void CoarseningAndTheOperatorBytesAreCores(PoissonGrid grid)
    {
        var shape = new LevelShape(grid.Nx, grid.Ny, grid.Nz);
        var fine = new MultigridLevel(grid, 1);
        using var flags = new DeviceVector<byte>(Acc, grid.Cells.ToArray().Select(c => (byte)c).ToArray());
        using var diagonal = new DeviceVector<byte>(Acc, Enumerable.Repeat((byte)99, shape.Cells).ToArray());
        using var coarse = new DeviceVector<byte>(Acc, Enumerable.Repeat((byte)99, shape.Coarser.Cells).ToArray());
        K.Diagonal(shape, flags.View, diagonal.View);
        K.Coarsen(shape, flags.View, coarse.View);
        Assert.That(diagonal.ToArray(), Is.EqualTo(CellDiagonal.Of(grid)));
        Assert.That(coarse.ToArray(), Is.EqualTo(GeometricGrids.Coarsen(grid).Cells.ToArray().Select(c => (byte)c).ToArray()));

        using var any = new DeviceVector<int>(Acc, 1);
        K.AnyUnknown(diagonal.View, any.View);
        Assert.That(any.ToArray()[0], Is.EqualTo(1));
        any.Clear();
        using var none = new DeviceVector<byte>(Acc, 50);
        K.AnyUnknown(none.View, any.View);
        Assert.That(any.ToArray()[0], Is.EqualTo(0));
    }

    [TestCaseSource(nameof(Grids))]
    public void GaussSeidelColourSweepsAreLevelOps(PoissonGrid grid)
    {
        var (fine, coarse) = Levels(grid, 1);
        foreach (var level in new[] { fine, coarse })
            for (int colour = 0; colour < 2; colour++)
            {
                using var d = new DeviceVector<byte>(Acc, level.Diagonal);
                using var b = new DeviceVector<float>(Acc, Single(level.B));
                using var x = new DeviceVector<float>(Acc, Single(level.X));
                K.GaussSeidelColour(ShapeOf(level), d.View, b.View, x.View, colour, (float)level.Scale);
                var expected = (double[])level.X.Clone();
                var saved = (double[])level.X.Clone();
                LevelOps.GaussSeidelColour(level, colour);
                level.X.CopyTo(expected, 0);
                saved.CopyTo(level.X, 0);
                Assert.That(expected, Is.Not.EqualTo(saved), "the sweep changed something");
                AssertClose(x.ToArray(), expected, 1e-6, $"level {level.Nx}x{level.Ny}x{level.Nz}, colour {colour}");
            }
    }

    [TestCaseSource(nameof(Grids))]
    public void AConstantWeightSweepIsThePerCellSweepWithThatWeightEverywhere(PoissonGrid grid)
    {
        // the one relaxation kernel under two weight policies: the number, and an array holding it in every cell
        var (fine, _) = Levels(grid, 1);
        using var d = new DeviceVector<byte>(Acc, fine.Diagonal);
        using var b = new DeviceVector<float>(Acc, Single(fine.B));
        using var weights = new DeviceVector<float>(Acc, Enumerable.Repeat(1.15f, fine.Cells).ToArray());
        using var perCell = new DeviceVector<float>(Acc, Single(fine.X));
        using var constant = new DeviceVector<float>(Acc, Single(fine.X));
        foreach (int colour in new[] { 0, 1, 1, 0 })
        {
            K.SorColour(ShapeOf(fine), d.View, b.View, perCell.View, weights.View, colour, (float)fine.Scale);
            K.SorColour(ShapeOf(fine), d.View, b.View, constant.View, 1.15f, colour, (float)fine.Scale);
        }
        Assert.That(constant.ToArray(), Is.EqualTo(perCell.ToArray()));
        Assert.That(constant.ToArray(), Is.Not.EqualTo(Single(fine.X)), "the sweeps changed x");
    }

    [TestCaseSource(nameof(Grids))]
    public void SorColourIsTheWeightedStepTowardsGaussSeidel(PoissonGrid grid)
    {
        // x_i += w_i (x_GS,i - x_i) on one colour, against a plain loop from the values before the sweep
        var (fine, _) = Levels(grid, 1);
        var rng = new Random(9);
        var w = fine.Diagonal.Select(d => d > 0 ? (float)(2 * rng.NextDouble()) : 0f).ToArray();
        for (int colour = 0; colour < 2; colour++)
        {
            using var d = new DeviceVector<byte>(Acc, fine.Diagonal);
            using var b = new DeviceVector<float>(Acc, Single(fine.B));
            using var x = new DeviceVector<float>(Acc, Single(fine.X));
            using var weight = new DeviceVector<float>(Acc, w);
            K.SorColour(ShapeOf(fine), d.View, b.View, x.View, weight.View, colour, (float)fine.Scale);
            var before = Single(fine.X);
            var expected = before.Select(v => (double)v).ToArray();
            int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz;
            for (int z = 0, i = 0; z < nz; z++)
                for (int y = 0; y < ny; y++)
                    for (int xx = 0; xx < nx; xx++, i++)
                    {
                        if ((xx + y + z) % 2 != colour || fine.Diagonal[i] == 0) continue;
                        double sides = 0;
                        if (xx > 0) sides += before[i - 1];
                        if (xx < nx - 1) sides += before[i + 1];
                        if (y > 0) sides += before[i - nx];
                        if (y < ny - 1) sides += before[i + nx];
                        if (z > 0) sides += before[i - nx * ny];
                        if (z < nz - 1) sides += before[i + nx * ny];
                        double gs = (fine.B[i] / fine.Scale + sides) / fine.Diagonal[i];
                        expected[i] = before[i] + w[i] * (gs - before[i]);
                    }
            Assert.That(expected, Is.Not.EqualTo(before.Select(v => (double)v).ToArray()), "the sweep changed something");
            AssertClose(x.ToArray(), expected, 1e-6, $"colour {colour}");
        }
    }

    [TestCaseSource(nameof(Grids))]
    public void ResidualRestrictionAndProlongationAreLevelOps(PoissonGrid grid)
    {
        var (fine, coarse) = Levels(grid, 3);
        var shape = ShapeOf(fine);
        using var fd = new DeviceVector<byte>(Acc, fine.Diagonal);
        using var cd = new DeviceVector<byte>(Acc, coarse.Diagonal);
        using var b = new DeviceVector<float>(Acc, Single(fine.B));
        using var x = new DeviceVector<float>(Acc, Single(fine.X));
        using var r = new DeviceVector<float>(Acc, Enumerable.Repeat(float.NaN, fine.Cells).ToArray());
        // residual on the fine level and the coarse one (its scale 1/4)
        K.Residual(shape, fd.View, b.View, x.View, r.View, 1f);
        LevelOps.Residual(fine);
        AssertClose(r.ToArray(), fine.Work, 1e-6, "fine residual");
        using (var cb = new DeviceVector<float>(Acc, Single(coarse.B)))
        using (var cx = new DeviceVector<float>(Acc, Single(coarse.X)))
        using (var cr = new DeviceVector<float>(Acc, coarse.Cells))
        {
            K.Residual(ShapeOf(coarse), cd.View, cb.View, cx.View, cr.View, (float)coarse.Scale);
            LevelOps.Residual(coarse);
            AssertClose(cr.ToArray(), coarse.Work, 1e-6, "coarse residual");
        }

        // restriction (of the residual above, 0 off the fine unknowns, as Core's takes it)
        using var coarseB = new DeviceVector<float>(Acc, Enumerable.Repeat(float.NaN, coarse.Cells).ToArray());
        K.Restrict(shape, fd.View, r.View, cd.View, coarseB.View);
        LevelOps.Restrict(fine, coarse);
        AssertClose(coarseB.ToArray(), coarse.B, 1e-6, "restriction");
        // the device's reads the fine unknowns only, whatever lies elsewhere
        var rng = new Random(5);
        var noisy = fine.Work.Select((v, i) => fine.Diagonal[i] == 0 ? (float)(rng.NextDouble() + 1) : (float)v).ToArray();
        using var work = new DeviceVector<float>(Acc, noisy);
        K.Restrict(shape, fd.View, work.View, cd.View, coarseB.View);
        AssertClose(coarseB.ToArray(), coarse.B, 1e-6, "restriction, nonzero off the fine unknowns");

        using var coarseX = new DeviceVector<float>(Acc, Single(coarse.X));
        K.ProlongAdd(shape, fd.View, coarseX.View, x.View);
        LevelOps.ProlongAdd(coarse, fine);
        AssertClose(x.ToArray(), fine.X, 1e-6, "prolongation added");
    }

    /// <summary>The coarsest level's sweeps (one group, and one launch per colour) against Core's red, black, black, red pairs from zero.</summary>
    [TestCase(1, 1 << 14)]
    [TestCase(3, 1 << 14)]
    [TestCase(3, 0)]
    [TestCase(0, 1 << 14)]
    public void CoarsestSweepsAreCoresSymmetricPairs(int pairs, int oneGroupLimit)
    {
        var grid = PoissonDomains.RandomObstacles(9, 7, 6, 0.2, 6);
        var level = new MultigridLevel(grid, 0.0625);
        OnUnknowns(level.Diagonal, 8).CopyTo(level.B, 0);
        using var d = new DeviceVector<byte>(Acc, level.Diagonal);
        using var b = new DeviceVector<float>(Acc, Single(level.B));
        using var x = new DeviceVector<float>(Acc, Enumerable.Repeat(float.NaN, level.Cells).ToArray());
        int saved = K.CoarsestInOneGroup;
        K.CoarsestInOneGroup = oneGroupLimit;
        try { K.CoarsestSweeps(ShapeOf(level), d.View, b.View, x.View, (float)level.Scale, pairs == 0 ? 0 : 2 * pairs + 1); }
        finally { K.CoarsestInOneGroup = saved; }
        Array.Clear(level.X);
        for (int s = 0; s < pairs; s++)
            foreach (int colour in new[] { 0, 1, 1, 0 }) LevelOps.GaussSeidelColour(level, colour);
        if (pairs > 0) Assert.That(level.X.Max(Math.Abs), Is.GreaterThan(0));
        AssertClose(x.ToArray(), level.X, 1e-5, $"{pairs} pairs");
    }

    [Test]
    public void TheCgStepKernelsArePlainLoops()
    {
        var grid = PoissonDomains.Spheres(9, 8, 7, 2, 3);
        var shape = new LevelShape(grid.Nx, grid.Ny, grid.Nz);
        var diagonal = CellDiagonal.Of(grid);
        var p = Single(OnUnknowns(diagonal, 1));
        var q = Single(OnUnknowns(diagonal, 2));
        var dv = Single(OnUnknowns(diagonal, 3));
        var r = Single(OnUnknowns(diagonal, 4));
        using var dd = new DeviceVector<byte>(Acc, diagonal);
        using var dp = new DeviceVector<float>(Acc, p);
        using var dq = new DeviceVector<float>(Acc, Enumerable.Repeat(float.NaN, p.Length).ToArray());
        using var result = new DeviceVector<double>(Acc, 1);
        K.StencilAndDot(shape, dd.View, dp.View, dq.View, result.View);
        var ap = new double[p.Length];
        grid.Apply(p.Select(v => (double)v).ToArray(), ap);
        AssertClose(dq.ToArray(), ap, 1e-6, "q = A p");
        double pq = p.Zip(ap, (u, v) => u * v).Sum();
        Assert.That(result.ToArray()[0], Is.EqualTo(pq).Within(1e-6 * Math.Abs(pq)));

        // d += alpha p ; r -= alpha q ; r.r
        const float alpha = 0.37f;
        using var qq = new DeviceVector<float>(Acc, q);
        using var d = new DeviceVector<float>(Acc, dv);
        using var rr = new DeviceVector<float>(Acc, r);
        result.Clear();
        K.UpdateCorrectionAndResidual(alpha, dp.View, qq.View, d.View, rr.View, result.View);
        var dExpected = dv.Select((v, i) => v + (double)alpha * p[i]).ToArray();
        var rExpected = r.Select((v, i) => v - (double)alpha * q[i]).ToArray();
        AssertClose(d.ToArray(), dExpected, 1e-6, "d");
        AssertClose(rr.ToArray(), rExpected, 1e-6, "r");
        double rrExpected = rExpected.Sum(v => v * v);
        Assert.That(result.ToArray()[0], Is.EqualTo(rrExpected).Within(1e-6 * rrExpected));

        // p = z + beta p
        using var z = new DeviceVector<float>(Acc, q);
        K.Xpay(z.View, 0.5f, dp.View);
        AssertClose(dp.ToArray(), q.Select((v, i) => v + 0.5 * p[i]).ToArray(), 1e-6, "p = z + beta p");
    }

    /// <summary>The float32 device cycle equals Core's double cycle on the same input, level for level.</summary>
    [TestCaseSource(nameof(Grids))]
    public void TheDeviceCycleIsTheCpuCycle(PoissonGrid grid)
    {
        var unknowns = ReducedSystem.FromGrid(grid);
        var cpu = new MultigridPreconditioner(grid, unknowns);
        using var mg = new GpuMultigrid(Device, grid);
        Assert.That(mg.LevelCount, Is.EqualTo(cpu.LevelCount));
        var cells = unknowns.Active ?? Enumerable.Range(0, grid.CellCount).ToArray();
        var rng = new Random(2);
        var r = cells.Select(_ => rng.NextDouble() - 0.5).ToArray();
        var z = new double[r.Length];
        cpu.Apply(r, z);
        var rGrid = new float[grid.CellCount];
        var zExpected = new double[grid.CellCount];
        for (int k = 0; k < cells.Length; k++) { rGrid[cells[k]] = (float)r[k]; zExpected[cells[k]] = z[k]; }
        using var dr = new DeviceVector<float>(Acc, rGrid);
        using var dz = new DeviceVector<float>(Acc, Enumerable.Repeat(float.NaN, grid.CellCount).ToArray());
        mg.Apply(dr.View, dz.View);
        AssertClose(dz.ToArray(), zExpected, 1e-5, "z = M r");
        // a second cycle gives the same answer (nothing carried over)
        var first = dz.ToArray();
        mg.Apply(dr.View, dz.View);
        Assert.That(dz.ToArray(), Is.EqualTo(first));
    }

    [TestCaseSource(nameof(Grids))]
    public void TheDeviceCycleIsSymmetricAndPositive(PoissonGrid grid)
    {
        using var mg = new GpuMultigrid(Device, grid);
        var diagonal = CellDiagonal.Of(grid);
        using var a = new DeviceVector<float>(Acc, grid.CellCount);
        using var ma = new DeviceVector<float>(Acc, grid.CellCount);
        float[] Cycle(float[] v)
        {
            a.Upload(v);
            mg.Apply(a.View, ma.View);
            return ma.ToArray();
        }
        static double Dot(float[] u, float[] v) => u.Zip(v, (s, t) => (double)s * t).Sum();
        for (int seed = 0; seed < 3; seed++)
        {
            var x = Single(OnUnknowns(diagonal, seed));
            var y = Single(OnUnknowns(diagonal, seed + 10));
            float[] mx = Cycle(x), my = Cycle(y);
            double xMy = Dot(x, my), yMx = Dot(y, mx), xMx = Dot(x, mx), yMy = Dot(y, my);
            Assert.That(xMx, Is.GreaterThan(0));
            Assert.That(yMy, Is.GreaterThan(0));
            Assert.That(Math.Abs(xMy - yMx), Is.LessThanOrEqualTo(1e-5 * Math.Sqrt(xMx * yMy)), $"x.My {xMy}, y.Mx {yMx}");
        }
    }
}
