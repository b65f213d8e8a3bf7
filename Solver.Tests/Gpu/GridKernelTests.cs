using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;

namespace Dcdm.Tests.Gpu;

/// <summary>The grid solver's kernels against PoissonGrid.Apply and plain loops, on ILGPU's CPU accelerator.</summary>
public class GridKernelTests : AcceleratorTests
{
    GridKernels K => Device.GridKernels;

    static IEnumerable<PoissonGrid> Grids() =>
    [
        PoissonDomains.Spheres(12, 10, 8, 3, seed: 2),
        PoissonDomains.FreeSurfaceTank(9, 7, 11, 0.5, seed: 1),
        PoissonDomains.RandomObstacles(10, 11, 12, 0.2, seed: 4),
    ];

    /// <summary>Random values on the unknowns, 0 elsewhere (the kernels' invariant).</summary>
    static double[] OnUnknowns(byte[] c, int seed)
    {
        var rng = new Random(seed);
        return c.Select(d => d > 0 ? rng.NextDouble() - 0.5 : 0).ToArray();
    }

    static float[] Single(double[] v) => v.Select(x => (float)x).ToArray();

    /// <summary>q = A p by the quad stencil on the grid padded to whole quads (if it needs it), back in the grid's layout.</summary>
    double[] PaddedStencil(PoissonGrid g, byte[] c, float[] p, int chunk)
    {
        var layout = new PaddedGrid(g.Nx, g.Ny, g.Nz);
        using var diag = new DeviceVector<byte>(Device.Accelerator, layout.Pad<byte>(c));
        using var dp = new DeviceVector<float>(Device.Accelerator, layout.Pad<float>(p));
        using var dq = new DeviceVector<float>(Device.Accelerator, Enumerable.Repeat(float.NaN, layout.Cells).ToArray());
        K.Stencil(layout.Shape(chunk), diag.View, dp.View, dq.View);
        var q = new float[g.CellCount];
        layout.Unpad<float>(dq.ToArray(), q);
        return q.Select(v => (double)v).ToArray();
    }

    /// <summary>Plain CG steps in double from r0 (x = 0): r_k.r_k (steps + 1 values), p_k.A p_k, the final r and d = sum alpha_k p_k.</summary>
    sealed record HostCg(List<double> Rr, List<double> Pq, double[] R, double[] D);

    static HostCg HostSteps(PoissonGrid g, double[] r0, int steps)
    {
        int n = g.CellCount;
        var hr = (double[])r0.Clone(); var hp = new double[n]; var hd = new double[n]; var hq = new double[n];
        var result = new HostCg([hr.Sum(v => v * v)], [], hr, hd);
        for (int k = 0; k < steps; k++)
        {
            double beta = k == 0 ? 0 : result.Rr[k] / result.Rr[k - 1];
            for (int i = 0; i < n; i++) hp[i] = hr[i] + beta * hp[i];
            g.Apply(hp, hq);
            double pqk = hp.Zip(hq, (a, b) => a * b).Sum();
            double alpha = result.Rr[k] / pqk;
            for (int i = 0; i < n; i++) { hd[i] += alpha * hp[i]; hr[i] -= alpha * hq[i]; }
            result.Pq.Add(pqk);
            result.Rr.Add(hr.Sum(v => v * v));
        }
        return result;
    }

    /// <summary>The grid's diagonal, a float32 vector on its unknowns (seeded) and A times it by the grid's own operator.</summary>
    static (byte[] Diagonal, float[] P, double[] Ap) ProductOnUnknowns(PoissonGrid g, int seed)
    {
        var c = CellDiagonal.Of(g);
        var p = Single(OnUnknowns(c, seed));
        var ap = new double[g.CellCount];
        g.Apply(p.Select(v => (double)v).ToArray(), ap);
        return (c, p, ap);
    }

    /// <summary>Grids whose rows hold whole quads (nx % 4 == 0, nothing padded), one quad per row included.</summary>
    static IEnumerable<PoissonGrid> QuadGrids() =>
    [
        PoissonDomains.Spheres(12, 10, 8, 3, seed: 2),
        PoissonDomains.RandomObstacles(8, 9, 7, 0.2, seed: 5),
        PoissonDomains.FreeSurfaceTank(4, 6, 9, 0.5, seed: 3),
        PoissonDomains.RandomObstacles(16, 5, 6, 0.2, seed: 6),
    ];

    [Test]
    public void QuadGridsRunUnpadded()
    {
        foreach (var g in QuadGrids()) Assert.That(new PaddedGrid(g.Nx, g.Ny, g.Nz).IsPadded, Is.False, $"{g.Nx}x{g.Ny}x{g.Nz}");
    }

    [TestCase(2)]
    [TestCase(8)]
    public void EveryGroupSizeGivesTheSameProductsAndSums(int groupSize)
    {
        var g = PoissonDomains.RandomObstacles(12, 9, 10, 0.2, seed: 7);
        var (c, p, expected) = ProductOnUnknowns(g, 11);
        double dot = p.Select((v, i) => (double)v * expected[i]).Sum();
        var shape = new GridShape(g.Nx, g.Ny, g.Nz, 4);
        using var diag = new DeviceVector<byte>(Device.Accelerator, c);
        using var dp = new DeviceVector<float>(Device.Accelerator, p);
        using var dq = new DeviceVector<float>(Device.Accelerator, g.CellCount);
        using var sum = new DeviceVector<double>(Device.Accelerator, 1);
        int before = K.GroupSize;
        try
        {
            K.GroupSize = groupSize;
            K.Stencil(shape, diag.View, dp.View, dq.View);
            K.Dot(dp.View, dq.View, sum.View);
            var q = dq.ToArray();
            Assert.That(q.Select(v => (double)v), Is.EqualTo(expected).Within(1e-5));
            double exact = p.Select((v, i) => (double)v * q[i]).Sum(); // the float32 products, summed in double
            Assert.That(sum.ToArray()[0], Is.EqualTo(exact).Within(1e-12 * Math.Abs(exact)));
            Assert.That(exact, Is.EqualTo(dot).Within(1e-6 * Math.Abs(dot)));
        }
        finally { K.GroupSize = before; }
        Assert.Throws<ArgumentOutOfRangeException>(() => K.GroupSize = 12);
        Assert.That(K.GroupSize, Is.EqualTo(before));
    }

    [Test]
    public void RowsThatAreNotWholeQuadsArePaddedWithSolidCells()
    {
        var g = PoissonDomains.FreeSurfaceTank(9, 7, 11, 0.5, seed: 1);
        var (c, p, expected) = ProductOnUnknowns(g, 9);
        Assert.That(PaddedStencil(g, c, p, 4), Is.EqualTo(expected).Within(1e-5));

        var layout = new PaddedGrid(9, 7, 11);
        Assert.That((layout.Width, layout.Cells, layout.IsPadded), Is.EqualTo((12, 12 * 7 * 11, true)));
        var padded = layout.Pad<float>(p);
        Assert.That(Enumerable.Range(0, layout.Cells).Where(i => i % 12 >= 9).Select(i => padded[i]), Has.All.EqualTo(0f));
        var back = new float[g.CellCount];
        layout.Unpad<float>(padded, back);
        Assert.That(back, Is.EqualTo(p));
        Assert.That(new PaddedGrid(12, 7, 11).IsPadded, Is.False);

        // the kernels themselves need whole quads
        using var diag = new DeviceVector<byte>(Device.Accelerator, c);
        using var dp = new DeviceVector<float>(Device.Accelerator, p);
        using var dq = new DeviceVector<float>(Device.Accelerator, g.CellCount);
        Assert.Throws<ArgumentException>(() => K.Stencil(new GridShape(g.Nx, g.Ny, g.Nz, 4), diag.View, dp.View, dq.View));
        Assert.Throws<ArgumentException>(() => layout.Pad<float>(padded));
    }

    /// <summary>Padded grids (nx 9 and 10) and grids of whole quads (the vectorized rows); isolated fluid cells are zero rows in both.</summary>
    [TestCase(1)]
    [TestCase(3)]
    [TestCase(6)]
    [TestCase(7)]
    [TestCase(16)]
    public void StencilKernelsMatchTheMatrixFreeGridOperator(int chunk)
    {
        foreach (var (g, seed) in Grids().Select(g => (g, 3)).Concat(QuadGrids().Select(g => (g, 4))))
        {
            var (c, p, expected) = ProductOnUnknowns(g, seed);
            Assert.That(PaddedStencil(g, c, p, chunk), Is.EqualTo(expected).Within(1e-5), $"{g.Nx}x{g.Ny}x{g.Nz}");
        }
    }

    [TestCase(1)]
    [TestCase(5)]
    public void ResidualIsComputedInDoubleAndWrittenScaled(int chunk)
    {
        foreach (var g in Grids())
        {
            var c = CellDiagonal.Of(g);
            var x = OnUnknowns(c, 5);
            var b = OnUnknowns(c, 6);
            var ax = new double[g.CellCount];
            g.Apply(x, ax);
            var r = b.Select((bi, i) => c[i] > 0 ? bi - ax[i] : 0).ToArray();
            double norm = Math.Sqrt(r.Sum(v => v * v));
            var shape = new GridShape(g.Nx, g.Ny, g.Nz, chunk);
            using var diag = new DeviceVector<byte>(Device.Accelerator, c);
            using var db = new DeviceVector<double>(Device.Accelerator, b);
            using var dx = new DeviceVector<double>(Device.Accelerator, x);
            using var dr = new DeviceVector<float>(Device.Accelerator, g.CellCount);
            using var scratch = new DeviceVector<double>(Device.Accelerator, 1);
            Assert.That(K.Residual(shape, diag.View, db.View, dx.View, dr.View, 0, false, scratch.View), Is.EqualTo(norm).Within(1e-12 * norm));
            Assert.That(K.Residual(shape, diag.View, db.View, dx.View, dr.View, 1 / norm, true, scratch.View), Is.EqualTo(norm).Within(1e-12 * norm));
            Assert.That(dr.ToArray().Select(v => (double)v), Is.EqualTo(r.Select(v => v / norm)).Within(1e-6));
        }
    }

    [TestCase(4)]
    [TestCase(5)]
    [TestCase(11)]
    public void TwoFusedStepsMatchPlainConjugateGradientSteps(int chunk)
    {
        // 12 x 7 x 11: whole quads per row
        var g = PoissonDomains.FreeSurfaceTank(12, 7, 11, 0.5, seed: 1);
        var c = CellDiagonal.Of(g);
        int n = g.CellCount;
        var r0 = OnUnknowns(c, 7);
        var shape = new GridShape(g.Nx, g.Ny, g.Nz, chunk);
        var acc = Device.Accelerator;
        using var diag = new DeviceVector<byte>(acc, c);
        using var r = new DeviceVector<float>(acc, Single(r0));
        using var p0 = new DeviceVector<float>(acc, n);
        using var p1 = new DeviceVector<float>(acc, n);
        using var d = new DeviceVector<float>(acc, n);
        using var q = new DeviceVector<float>(acc, n);
        using var rr = new DeviceVector<double>(acc, 4);
        using var pq = new DeviceVector<double>(acc, 4);
        K.Dot(r.View, r.View, rr.View.SubView(0, 1));
        var p = new[] { p0, p1 };
        for (int k = 0; k < 2; k++)
        {
            K.DirectionAndProduct(shape, new CgVectors(diag.View, r.View, p[(k + 1) & 1].View, p[k & 1].View, d.View, q.View), rr.View, pq.View, new CgStep(k, 0, true, 0));
            K.UpdateResidual(r.View, q.View, rr.View, pq.View, k, 0);
        }
        // settle step 1: Direction(2) with a stop that ends the solve does only the owed update
        var rrHost = rr.ToArray();
        K.DirectionAndProduct(shape, new CgVectors(diag.View, r.View, p[1].View, p[0].View, d.View, q.View), rr.View, pq.View, new CgStep(2, 0, true, rrHost[2] * 2));

        var host = HostSteps(g, r0, 2);
        Assert.That(rr.ToArray().Take(3), Is.EqualTo(host.Rr).Within(1e-4).Percent);
        Assert.That(pq.ToArray().Take(2), Is.EqualTo(host.Pq).Within(1e-4).Percent);
        Assert.That(r.ToArray().Select(v => (double)v), Is.EqualTo(host.R).Within(1e-5));
        Assert.That(d.ToArray().Select(v => (double)v), Is.EqualTo(host.D).Within(1e-5));
        Assert.That(pq.ToArray()[2], Is.EqualTo(0), "a converged step computes no direction");
    }

    [Test]
    public void VectorUpdatesMatchPlainLoops()
    {
        var rng = new Random(12);
        int n = 1001;
        var x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var xd = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var acc = Device.Accelerator;
        using var dx = new DeviceVector<float>(acc, x);
        using var dy = new DeviceVector<float>(acc, y);
        using var dxd = new DeviceVector<double>(acc, xd);

        K.Axpy(0.75f, dx.View, dy.View);
        Assert.That(dy.ToArray(), Is.EqualTo(y.Select((v, i) => v + 0.75f * x[i])).Within(1e-6), "y += alpha x");
        K.Scale(-3f, dx.View);
        Assert.That(dx.ToArray(), Is.EqualTo(x.Select(v => v * -3f)), "x *= c");
        K.AddScaled(2.5, dy.View, dxd.View);
        var y2 = dy.ToArray();
        Assert.That(dxd.ToArray(), Is.EqualTo(xd.Select((v, i) => v + 2.5 * y2[i])).Within(1e-15), "x += s d");
        using var odd = new DeviceVector<float>(acc, 6);
        using var rr = new DeviceVector<double>(acc, 2);
        Assert.Throws<ArgumentException>(() => K.UpdateResidual(odd.View, odd.View, rr.View, rr.View, 0, 0));
    }
}
