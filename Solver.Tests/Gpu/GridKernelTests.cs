using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Poisson;

namespace Dcdm.Tests.Gpu;

/// <summary>The grid solver's kernels against PoissonGrid.Apply and plain loops, on ILGPU's CPU accelerator.</summary>
[NonParallelizable]
public class GridKernelTests
{
    GpuDevice _device = null!;
    GridKernels K => _device.GridKernels;

    [OneTimeSetUp] public void Open() => _device = GpuDevice.Open(DeviceKind.Cpu);
    [OneTimeTearDown] public void Close() => _device.Dispose();

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

    /// <summary>Plain CG steps in double from r0 (x = 0): r_k.r_k (steps + 1 values), p_k.A p_k, |A p_k|^2, the final r and d = sum alpha_k p_k.</summary>
    sealed record HostCg(List<double> Rr, List<double> Pq, List<double> Qq, double[] R, double[] D);

    static HostCg HostSteps(PoissonGrid g, double[] r0, int steps)
    {
        int n = g.CellCount;
        var hr = (double[])r0.Clone(); var hp = new double[n]; var hd = new double[n]; var hq = new double[n];
        var result = new HostCg([hr.Sum(v => v * v)], [], [], hr, hd);
        for (int k = 0; k < steps; k++)
        {
            double beta = k == 0 ? 0 : result.Rr[k] / result.Rr[k - 1];
            for (int i = 0; i < n; i++) hp[i] = hr[i] + beta * hp[i];
            g.Apply(hp, hq);
            double pqk = hp.Zip(hq, (a, b) => a * b).Sum();
            double alpha = result.Rr[k] / pqk;
            result.Qq.Add(hq.Sum(v => v * v));
            for (int i = 0; i < n; i++) { hd[i] += alpha * hp[i]; hr[i] -= alpha * hq[i]; }
            result.Pq.Add(pqk);
            result.Rr.Add(hr.Sum(v => v * v));
        }
        return result;
    }

    /// <summary>Grids whose rows hold whole quads (nx % 4 == 0), one quad per row included, for the vectorized kernels.</summary>
    static IEnumerable<PoissonGrid> QuadGrids() =>
    [
        PoissonDomains.Spheres(12, 10, 8, 3, seed: 2),
        PoissonDomains.RandomObstacles(8, 9, 7, 0.2, seed: 5),
        PoissonDomains.FreeSurfaceTank(4, 6, 9, 0.5, seed: 3),
        PoissonDomains.RandomObstacles(16, 5, 6, 0.2, seed: 6),
    ];

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(16)]
    public void VectorizedStencilMatchesTheMatrixFreeGridOperator(int chunk)
    {
        foreach (var g in QuadGrids())
        {
            var c = CellDiagonal.Of(g);
            var p = Single(OnUnknowns(c, 4));
            var expected = new double[g.CellCount];
            g.Apply(p.Select(v => (double)v).ToArray(), expected);
            var shape = new GridShape(g.Nx, g.Ny, g.Nz, chunk);
            Assert.That(GridKernels.Resolve(GridKernelVariant.Vectorized, shape), Is.EqualTo(GridKernelVariant.Vectorized));
            using var diag = new DeviceVector<byte>(_device.Accelerator, c);
            using var dp = new DeviceVector<float>(_device.Accelerator, p);
            using var dq = new DeviceVector<float>(_device.Accelerator, Enumerable.Repeat(float.NaN, g.CellCount).ToArray());
            K.Stencil(shape, diag.View, dp.View, dq.View, GridKernelVariant.Vectorized);
            Assert.That(dq.ToArray().Select(v => (double)v), Is.EqualTo(expected).Within(1e-5), $"{g.Nx}x{g.Ny}x{g.Nz}");
        }
    }

    [TestCase(2)]
    [TestCase(8)]
    public void EveryGroupSizeGivesTheSameProductsAndSums(int groupSize)
    {
        var g = PoissonDomains.RandomObstacles(12, 9, 10, 0.2, seed: 7);
        var c = CellDiagonal.Of(g);
        var p = Single(OnUnknowns(c, 11));
        var expected = new double[g.CellCount];
        g.Apply(p.Select(v => (double)v).ToArray(), expected);
        double dot = p.Select((v, i) => (double)v * expected[i]).Sum();
        var shape = new GridShape(g.Nx, g.Ny, g.Nz, 4);
        using var diag = new DeviceVector<byte>(_device.Accelerator, c);
        using var dp = new DeviceVector<float>(_device.Accelerator, p);
        using var dq = new DeviceVector<float>(_device.Accelerator, g.CellCount);
        using var sum = new DeviceVector<double>(_device.Accelerator, 1);
        int before = K.GroupSize;
        try
        {
            K.GroupSize = groupSize;
            foreach (var variant in new[] { GridKernelVariant.Unrolled, GridKernelVariant.Vectorized })
            {
                dq.Clear(); sum.Clear();
                K.Stencil(shape, diag.View, dp.View, dq.View, variant);
                K.Dot(dp.View, dq.View, sum.View);
                var q = dq.ToArray();
                Assert.That(q.Select(v => (double)v), Is.EqualTo(expected).Within(1e-5), variant.ToString());
                double exact = p.Select((v, i) => (double)v * q[i]).Sum(); // the float32 products, summed in double
                Assert.That(sum.ToArray()[0], Is.EqualTo(exact).Within(1e-12 * Math.Abs(exact)), variant.ToString());
                Assert.That(exact, Is.EqualTo(dot).Within(1e-6 * Math.Abs(dot)));
            }
        }
        finally { K.GroupSize = before; }
        Assert.Throws<ArgumentOutOfRangeException>(() => K.GroupSize = 12);
        Assert.That(K.GroupSize, Is.EqualTo(before));
    }

    [Test]
    public void VectorizedFallsBackToUnrolledWhenRowsAreNotWholeQuads()
    {
        Assert.That(GridKernels.Resolve(GridKernelVariant.Vectorized, new GridShape(9, 4, 4, 2)), Is.EqualTo(GridKernelVariant.Unrolled));
        var g = PoissonDomains.FreeSurfaceTank(9, 7, 11, 0.5, seed: 1);
        var c = CellDiagonal.Of(g);
        var p = Single(OnUnknowns(c, 9));
        var expected = new double[g.CellCount];
        g.Apply(p.Select(v => (double)v).ToArray(), expected);
        using var diag = new DeviceVector<byte>(_device.Accelerator, c);
        using var dp = new DeviceVector<float>(_device.Accelerator, p);
        using var dq = new DeviceVector<float>(_device.Accelerator, g.CellCount);
        K.Stencil(new GridShape(g.Nx, g.Ny, g.Nz, 4), diag.View, dp.View, dq.View, GridKernelVariant.Vectorized);
        Assert.That(dq.ToArray().Select(v => (double)v), Is.EqualTo(expected).Within(1e-5));
    }

    [TestCase(1, GridKernelVariant.Unrolled)]
    [TestCase(6, GridKernelVariant.Unrolled)]
    [TestCase(7, GridKernelVariant.Unrolled)]
    [TestCase(16, GridKernelVariant.Unrolled)]
    public void StencilKernelsMatchTheMatrixFreeGridOperator(int chunk, GridKernelVariant variant)
    {
        foreach (var g in Grids())
        {
            var c = CellDiagonal.Of(g);
            var p = Single(OnUnknowns(c, 3));
            var expected = new double[g.CellCount];
            g.Apply(p.Select(v => (double)v).ToArray(), expected);
            // isolated fluid cells are zero rows in both
            var shape = new GridShape(g.Nx, g.Ny, g.Nz, chunk);
            using var diag = new DeviceVector<byte>(_device.Accelerator, c);
            using var dp = new DeviceVector<float>(_device.Accelerator, p);
            using var dq = new DeviceVector<float>(_device.Accelerator, Enumerable.Repeat(float.NaN, g.CellCount).ToArray());
            K.Stencil(shape, diag.View, dp.View, dq.View, variant);
            Assert.That(dq.ToArray().Select(v => (double)v), Is.EqualTo(expected).Within(1e-5), "columns");
            dq.Upload(Enumerable.Repeat(float.NaN, g.CellCount).ToArray());
            K.StencilOneThreadPerCell(shape, diag.View, dp.View, dq.View);
            Assert.That(dq.ToArray().Select(v => (double)v), Is.EqualTo(expected).Within(1e-5), "one thread per cell");
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
            using var diag = new DeviceVector<byte>(_device.Accelerator, c);
            using var db = new DeviceVector<double>(_device.Accelerator, b);
            using var dx = new DeviceVector<double>(_device.Accelerator, x);
            using var dr = new DeviceVector<float>(_device.Accelerator, g.CellCount);
            using var scratch = new DeviceVector<double>(_device.Accelerator, 1);
            Assert.That(K.Residual(shape, diag.View, db.View, dx.View, dr.View, 0, false, scratch.View), Is.EqualTo(norm).Within(1e-12 * norm));
            Assert.That(K.Residual(shape, diag.View, db.View, dx.View, dr.View, 1 / norm, true, scratch.View), Is.EqualTo(norm).Within(1e-12 * norm));
            Assert.That(dr.ToArray().Select(v => (double)v), Is.EqualTo(r.Select(v => v / norm)).Within(1e-6));
        }
    }

    [TestCase(GridKernelVariant.Unrolled, 4)]
    [TestCase(GridKernelVariant.Unrolled, 5)]
    [TestCase(GridKernelVariant.Unrolled, 11)]
    [TestCase(GridKernelVariant.Vectorized, 4)]
    [TestCase(GridKernelVariant.Vectorized, 5)]
    [TestCase(GridKernelVariant.Vectorized, 11)]
    public void TwoFusedStepsMatchPlainConjugateGradientSteps(GridKernelVariant variant, int chunk)
    {
        // 12 x 7 x 11: whole quads per row, so the vectorized case runs its own kernels
        var g = PoissonDomains.FreeSurfaceTank(12, 7, 11, 0.5, seed: 1);
        var c = CellDiagonal.Of(g);
        int n = g.CellCount;
        var r0 = OnUnknowns(c, 7);
        var shape = new GridShape(g.Nx, g.Ny, g.Nz, chunk);
        Assert.That(GridKernels.Resolve(variant, shape), Is.EqualTo(variant));
        var acc = _device.Accelerator;
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
            K.DirectionAndProduct(shape, new CgVectors(diag.View, r.View, p[(k + 1) & 1].View, p[k & 1].View, d.View, q.View), rr.View, pq.View, new CgStep(k, 0, true, 0), variant);
            K.UpdateResidual(r.View, q.View, rr.View, pq.View, k, 0, variant);
        }
        // settle step 1: Direction(2) with a stop that ends the solve does only the owed update
        var rrHost = rr.ToArray();
        K.DirectionAndProduct(shape, new CgVectors(diag.View, r.View, p[1].View, p[0].View, d.View, q.View), rr.View, pq.View, new CgStep(2, 0, true, rrHost[2] * 2), variant);

        var host = HostSteps(g, r0, 2);
        Assert.That(rr.ToArray().Take(3), Is.EqualTo(host.Rr).Within(1e-4).Percent);
        Assert.That(pq.ToArray().Take(2), Is.EqualTo(host.Pq).Within(1e-4).Percent);
        Assert.That(r.ToArray().Select(v => (double)v), Is.EqualTo(host.R).Within(1e-5));
        Assert.That(d.ToArray().Select(v => (double)v), Is.EqualTo(host.D).Within(1e-5));
        Assert.That(pq.ToArray()[2], Is.EqualTo(0), "a converged step computes no direction");
    }

    [TestCase(4, GridKernelVariant.Merged)]
    [TestCase(5, GridKernelVariant.Merged)]
    [TestCase(11, GridKernelVariant.Merged)]
    [TestCase(4, GridKernelVariant.MergedVectorized)]
    [TestCase(5, GridKernelVariant.MergedVectorized)]
    [TestCase(11, GridKernelVariant.MergedVectorized)]
    public void MergedStepsMatchPlainConjugateGradientSteps(int chunk, GridKernelVariant variant)
    {
        var g = PoissonDomains.RandomObstacles(12, 8, 11, 0.2, seed: 3);
        var c = CellDiagonal.Of(g);
        int n = g.CellCount;
        var r0 = OnUnknowns(c, 8);
        var shape = new GridShape(g.Nx, g.Ny, g.Nz, chunk);
        Assert.That(GridKernels.Resolve(variant, shape), Is.EqualTo(variant));
        var acc = _device.Accelerator;
        using var diag = new DeviceVector<byte>(acc, c);
        var r = new[] { new DeviceVector<float>(acc, n), new DeviceVector<float>(acc, Single(r0)) }; // step 0 reads parity 1
        var q = new[] { new DeviceVector<float>(acc, n), new DeviceVector<float>(acc, n) };
        var p = new[] { new DeviceVector<float>(acc, n), new DeviceVector<float>(acc, n) };
        using var d = new DeviceVector<float>(acc, n);
        using var rr = new DeviceVector<double>(acc, 4);
        using var pq = new DeviceVector<double>(acc, 4);
        using var rq = new DeviceVector<double>(acc, 4);
        using var qq = new DeviceVector<double>(acc, 4);
        using var rx = new DeviceVector<double>(acc, 4);
        K.Dot(r[1].View, r[1].View, rr.View.SubView(0, 1));
        var scalars = new CgScalars(rr.View, rx.View, pq.View, rq.View, qq.View);
        for (int k = 0; k < 2; k++)
        {
            int now = k & 1, before = (k + 1) & 1;
            K.MergedStep(shape, new MergedCgVectors(diag.View, r[before].View, q[before].View, p[before].View, r[now].View, q[now].View, p[now].View, d.View), scalars, new CgStep(k, 0, true, 0), variant);
        }
        var rrHost = rr.ToArray(); var pqHost = pq.ToArray(); var rxHost = rx.ToArray();
        K.Axpy((float)(rxHost[1] / pqHost[1]), p[1].View, d.View); // settle step 1 as the solver does

        var host = HostSteps(g, r0, 2);
        Assert.That(rrHost.Take(2), Is.EqualTo(host.Rr.Take(2)).Within(1e-4).Percent);
        Assert.That(pqHost.Take(2), Is.EqualTo(host.Pq).Within(1e-4).Percent);
        Assert.That(qq.ToArray().Take(2), Is.EqualTo(host.Qq).Within(1e-4).Percent);
        Assert.That(rxHost.Take(2), Is.EqualTo(host.Rr.Take(2)).Within(1e-4).Percent);
        // r_1 is in parity 1; the host's r after two steps is r_2 = r_1 - alpha_1 q_1
        Assert.That(d.ToArray().Select(v => (double)v), Is.EqualTo(host.D).Within(1e-5));
        foreach (var v in r.Concat(q).Concat(p)) v.Dispose();
    }
}
