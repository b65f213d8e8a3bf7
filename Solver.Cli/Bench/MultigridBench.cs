using System.Globalization;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Multigrid;
using Dcdm.Gpu.Solvers;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Cli.Bench;

/// <summary>
/// dcdm bench's rows of the device pcg-mg: the V-cycle's kernels on the finest level, one whole V-cycle, then set-up
/// and a whole solve, and set-up + solve beside the grid CG's of the same run (<see cref="GridBench"/> adds that row first).
/// </summary>
static class MultigridBench
{
    /// <summary>The grid CG's set-up + solve row that the pcg-mg total is compared with.</summary>
    public const string GridCgTotal = "gpu grid cg set-up + solve";

    public static void Rows(GpuDevice gpu, PoissonGrid grid, int repeat, double tol, List<BenchRow> rows, CancellationToken cancellation)
    {
        var acc = gpu.Accelerator;
        var k = gpu.MultigridKernels;
        (double, double) Time(Action body) => BenchClock.DeviceBest(acc, repeat, body);
        int cells = grid.CellCount;
        var diagonal = CellDiagonal.Of(grid);
        var rng = new Random(1);
        var values = diagonal.Select(d => d > 0 ? (float)(rng.NextDouble() - 0.5) : 0f).ToArray();

        using (var mg = new GpuMultigrid(gpu, grid))
        using (var r = new DeviceVector<float>(acc, values))
        using (var z = new DeviceVector<float>(acc, cells))
        using (var work = new DeviceVector<float>(acc, cells))
        using (var flags = new DeviceVector<byte>(acc, grid.Cells.ToArray().Select(c => (byte)c).ToArray()))
        using (var coarseFlags = new DeviceVector<byte>(acc, mg.Shape.Coarser.Cells))
        using (var coarseDiagonal = new DeviceVector<byte>(acc, mg.Shape.Coarser.Cells))
        using (var coarse = new DeviceVector<float>(acc, mg.Shape.Coarser.Cells))
        {
            var s = mg.Shape;
            var d = mg.Diagonal;
            k.Coarsen(s, flags.View, coarseFlags.View); // level 1's operator, as the hierarchy makes it
            k.Diagonal(s.Coarser, coarseFlags.View, coarseDiagonal.View);
            rows.Add(new("mg red-black sweep, finest level", Time(() =>
            {
                k.GaussSeidelColour(s, d, r.View, z.View, 0, 1f);
                k.GaussSeidelColour(s, d, r.View, z.View, 1, 1f);
            }), cells * 26.0, "26 B per cell: per colour whole lines of d, b, x read, x written (13 B)"));
            rows.Add(new("mg residual, finest level", Time(() => k.Residual(s, d, r.View, z.View, work.View, 1f)), cells * 13.0, "13 B per cell: d, b, x read, r written"));
            rows.Add(new("mg restriction to level 1", Time(() => k.Restrict(s, d, work.View, coarseDiagonal.View, coarse.View)), cells * 5.0 + s.Coarser.Cells * 5.0,
                "5 B per fine cell (d, r) + 5 per coarse"));
            rows.Add(new("mg prolong and add from level 1", Time(() => k.ProlongAdd(s, d, coarse.View, z.View)), cells * 9.0 + s.Coarser.Cells * 4.0,
                "9 B per fine cell (d, x read and written) + 4 per coarse"));
            rows.Add(new("mg geometric V-cycle (float32, the vcycle model's)", Time(() => mg.Apply(r.View, z.View)), 0, $"{mg.LevelCount} levels, 3 red-black sweeps before and after"));
        }

        cancellation.ThrowIfCancellationRequested();
        var options = new SolverOptions { Tolerance = tol };
        // set-up timed once, as the grid CG's: the GpuMultigrid above has launched its kernels once already
        using var solver = new GpuMultigridConjugateGradient(gpu, grid, options);
        var b = RightHandSides.VelocityDivergence(grid, 1);
        SolveResult? best = null;
        TimeSpan loop = TimeSpan.MaxValue;
        var x = new double[cells];
        for (int run = 0; run <= repeat; run++) // run 0 warms up
        {
            cancellation.ThrowIfCancellationRequested();
            var result = solver.Solve(b, x, cancellation);
            if (run > 0 && solver.LastIterationTime < loop) { loop = solver.LastIterationTime; best = result; }
        }
        double hostResidual = GridBench.HostResidual(grid, diagonal, b, x);
        rows.Add(new("gpu pcg-mg set-up (aggregate levels on the host, uploaded)", solver.SetupTime.TotalSeconds, 0, $"{solver.LevelCount} levels"));
        rows.Add(new("gpu pcg-mg iteration (device loop)", loop.TotalSeconds / Math.Max(1, best!.Iterations), 0,
            $"{best.Iterations} iterations, {best.ResidualReplacements} reliable updates, {best.Status}"));
        rows.Add(new($"gpu pcg-mg solve to {tol:g1}", best.SolveTime.TotalSeconds, 0,
            string.Create(CultureInfo.InvariantCulture, $"device loop {loop.TotalMilliseconds:F1} ms, setup {solver.SetupTime.TotalMilliseconds:F1} ms, "
                + $"true residual {best.RelativeResidual:0.0e+00} (host check {hostResidual:0.0e+00})")));
        double total = solver.SetupTime.TotalSeconds + best.SolveTime.TotalSeconds;
        var gridCg = rows.FirstOrDefault(row => row.Name == GridCgTotal);
        rows.Add(new("gpu pcg-mg set-up + solve", total, 0, gridCg is null ? "" :
            string.Create(CultureInfo.InvariantCulture, $"{total / gridCg.Seconds:F2} of the grid cg's set-up + solve in this run (issue 12's target: at most 0.33)")));
    }
}
