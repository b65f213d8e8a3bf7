using System.Globalization;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Gpu.Solvers;
using Dcdm.Poisson;
using Dcdm.Solvers;
using ILGPU.Runtime;

namespace Dcdm.Cli.Bench;

/// <summary>
/// dcdm bench's rows of the matrix-free grid solver: the kernels it runs (the vectorized stencil, both halves of
/// its CG step) beside the streaming ceiling of the same device (the driver's copy),
/// sweeps of their launch settings (z chunk, waves, group size), and a whole solve. A grid with nx % 4 != 0
/// runs padded, as the solver runs it.
/// </summary>
static class GridBench
{
    const double StencilBytes = 9; // p read, q written (float32), 1 byte of operator

    public static void Rows(GpuDevice gpu, PoissonGrid grid, int repeat, double tol, List<BenchRow> rows, CancellationToken cancellation)
    {
        var acc = gpu.Accelerator;
        var k = gpu.GridKernels;
        var layout = new PaddedGrid(grid.Nx, grid.Ny, grid.Nz);
        var diagonal = CellDiagonal.Of(grid);
        int cells = layout.Cells;
        var rng = new Random(1);
        var values = diagonal.Select(d => d > 0 ? (float)(rng.NextDouble() - 0.5) : 0f).ToArray();
        var padded = layout.Pad<float>(values);
        using var diag = new DeviceVector<byte>(acc, layout.Pad<byte>(diagonal));
        using var p = new DeviceVector<float>(acc, padded);
        using var q = new DeviceVector<float>(acc, cells);
        using var r = new DeviceVector<float>(acc, padded);
        using var p2 = new DeviceVector<float>(acc, cells);
        using var d = new DeviceVector<float>(acc, cells);
        using var rr = new DeviceVector<double>(acc, [1.0, 0, 0]);
        using var pq = new DeviceVector<double>(acc, 3);
        (double, double) Time(Action body) => BenchClock.DeviceBest(acc, repeat, body);
        string padding = layout.IsPadded ? $", rows padded from {layout.Nx} to {layout.Width} cells" : "";

        // the streaming ceiling on this device, for the kernels below (ILGPU's own copy kernel: benchmarks/Solver.Benchmarks)
        rows.Add(new("copy fp32, driver (device to device)", Time(() => p.View.CopyTo(q.View)), cells * 8.0, "8 B per cell: the rate the 80% target refers to"));

        foreach (int chunk in new[] { 4, 8, 16, 32 })
        {
            if (chunk > grid.Nz) continue;
            var shape = layout.Shape(chunk);
            rows.Add(new($"stencil fp32, columns of {chunk}, vectorized", Time(() => k.Stencil(shape, diag.View, p.View, q.View)), cells * StencilBytes,
                "9 B per cell: p, q float32 + 1 B operator" + padding));
        }
        var main = layout.Shape(GridKernels.DefaultChunk);
        q.Clear();
        k.Stencil(main, diag.View, p.View, q.View);
        rows.Add(new("stencil fp32 vectorized, check against the host", 0, 0, StencilError(grid, layout, values, q.ToArray())));

        // one CG step that does all its work: rr[0] = rr[1] = pq[0] = 1, so step 1 owes d and advances
        var vectors = new CgVectors(diag.View, r.View, p2.View, p.View, d.View, q.View);
        var step = new CgStep(1, 0, false, 0);
        void Half1() => k.DirectionAndProduct(main, vectors, rr.View, pq.View, step);
        void Half2() => k.UpdateResidual(r.View, q.View, rr.View, pq.View, 1, 0);
        rr.Upload([1.0, 1.0, 0]); pq.Upload([1.0, 0, 0]);
        rows.Add(new("grid cg half 1 (p, Ap, p.Ap, d), vectorized", Time(Half1), cells * 25.0, "25 B per cell"));
        rows.Add(new("grid cg half 2 (r, r.r), vectorized", Time(Half2), cells * 12.0, "12 B per cell"));
        rows.Add(new("grid cg step, both halves, vectorized", Time(() => { Half1(); Half2(); }), cells * 37.0, "37 B per cell"));
        // launch settings the solver takes as they are: more waves of groups, other group sizes (defaults restored after)
        int defaultWaves = k.Waves, defaultGroup = k.GroupSize;
        foreach (int waves in new[] { 2, 4 })
        {
            k.Waves = waves;
            rows.Add(new($"stencil fp32, columns of {main.Chunk}, vectorized, {waves} waves", Time(() => k.Stencil(main, diag.View, p.View, q.View)), cells * StencilBytes, ""));
            rows.Add(new($"grid cg step, both halves, vectorized, {waves} waves", Time(() => { Half1(); Half2(); }), cells * 37.0, "37 B per cell"));
        }
        k.Waves = defaultWaves;
        foreach (int group in new[] { 128, 512, 1024 })
        {
            if (group > acc.MaxNumThreadsPerGroup) continue;
            k.GroupSize = group;
            rows.Add(new($"stencil fp32, columns of {main.Chunk}, vectorized, groups of {group}", Time(() => k.Stencil(main, diag.View, p.View, q.View)), cells * StencilBytes, ""));
        }
        k.GroupSize = defaultGroup;
        var check = pq.ToArray();
        rows.Add(new("grid cg step check", 0, 0, check[1] > 0 && double.IsFinite(check[1]) ? "the timed steps did their work (p.Ap > 0)" : $"the timed steps did NOT run: pq = {check[1]}"));

        cancellation.ThrowIfCancellationRequested();
        var b = RightHandSides.VelocityDivergence(grid, 1);
        using var solver = new GpuGridConjugateGradient(gpu, grid, new SolverOptions { Tolerance = tol });
        SolveResult? best = null;
        TimeSpan loop = TimeSpan.MaxValue;
        var x = new double[grid.CellCount];
        for (int run = 0; run <= repeat; run++)
        {
            var result = solver.Solve(b, x, cancellation);
            if (run > 0 && solver.LastIterationTime < loop) { loop = solver.LastIterationTime; best = result; }
        }
        double hostResidual = HostResidual(grid, diagonal, b, x);
        rows.Add(new("gpu grid cg iteration (device loop)", loop.TotalSeconds / Math.Max(1, best!.Iterations), 0,
            $"{best.Iterations} iterations, {best.ResidualReplacements} reliable updates, {best.Status}"));
        rows.Add(new($"gpu grid cg solve to {tol:g1}", best.SolveTime.TotalSeconds, 0,
            string.Create(CultureInfo.InvariantCulture, $"device loop {loop.TotalMilliseconds:F1} ms, setup {solver.SetupTime.TotalMilliseconds:F1} ms, "
                + $"true residual {best.RelativeResidual:0.0e+00} (host check {hostResidual:0.0e+00})")));
        rows.Add(new(MultigridBench.GridCgTotal, solver.SetupTime.TotalSeconds + best.SolveTime.TotalSeconds, 0, "what the gpu pcg-mg row compares with"));
    }

    /// <summary>max |q - A p| / max |A p| over the caller's cells, A p on the host in double (q in the padded layout).</summary>
    static string StencilError(PoissonGrid grid, PaddedGrid layout, float[] p, float[] paddedQ)
    {
        var expected = new double[grid.CellCount];
        grid.Apply(p.Select(v => (double)v).ToArray(), expected);
        var q = new float[grid.CellCount];
        layout.Unpad<float>(paddedQ, q);
        double worst = 0, scale = expected.Max(Math.Abs);
        for (int i = 0; i < q.Length; i++) worst = Math.Max(worst, Math.Abs(q[i] - expected[i]));
        return string.Create(CultureInfo.InvariantCulture, $"max |error| / max |Ap| = {worst / scale:0.0e+00}");
    }

    /// <summary>||b - A x|| / ||b|| on the unknowns, recomputed on the host in double.</summary>
    internal static double HostResidual(PoissonGrid grid, byte[] diagonal, double[] b, double[] x)
    {
        var prepared = new double[b.Length];
        var (_, norm) = ReducedSystem.FromGrid(grid).PrepareRightHandSideOnRows(b, prepared);
        var ax = new double[b.Length];
        grid.Apply(x, ax);
        double s = 0;
        for (int i = 0; i < b.Length; i++) if (diagonal[i] > 0) s += (prepared[i] - ax[i]) * (prepared[i] - ax[i]);
        return Math.Sqrt(s) / norm;
    }
}
