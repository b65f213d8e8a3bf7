using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Gpu.Solvers;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;
using Dcdm.Sparse;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Cli.Commands;

/// <summary>
/// dcdm bench: kernel times and effective bandwidth, time per CG iteration and time to solution on a
/// generated voxel domain. Best of --repeat runs after one warm-up; no assertions, only measurements.
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliConsole console)
    {
        var size = new Option<int>("--size") { Description = "grid size n (an n^3 domain)", DefaultValueFactory = _ => 64 };
        size.Require(v => v >= 4 && v <= 1024, "must be between 4 and 1024");
        var domain = new Option<string>("--domain") { Description = "spheres, obstacles, tank or smoke", DefaultValueFactory = _ => "spheres" };
        domain.AcceptOnlyFromAmong("spheres", "obstacles", "tank", "smoke");
        var repeat = new Option<int>("--repeat") { Description = "timed runs per measurement (best is reported)", DefaultValueFactory = _ => 5 };
        repeat.Require(v => v >= 1, "must be >= 1");
        var tol = new Option<double>("--tol") { Description = "tolerance of the timed solves", DefaultValueFactory = _ => 1e-6 };
        tol.Require(v => v > 0 && v < 1, "must be in (0, 1)");
        var device = new Option<string>("--device") { Description = "cpu (plain C#), gpu (ILGPU on CUDA/OpenCL), ilgpu-cpu (ILGPU's CPU emulator: small sizes only)", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "gpu", "ilgpu-cpu");
        var optimization = new Option<string>("--optimization") { Description = "ILGPU optimization level of the device kernels: O1 (the solvers' default) or O2 (global address spaces inferred)", DefaultValueFactory = _ => "O1" };
        optimization.AcceptOnlyFromAmong("O1", "O2");
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var jsonFile = new Option<string?>("--json-file") { Description = "also write the JSON to this file" };
        var command = new Command("bench", "measure kernels and solvers on a generated n^3 domain") { size, domain, repeat, tol, device, optimization, json, jsonFile };
        command.SetAction((parse, cancellation) => Task.FromResult(Run(console, parse.GetValue(size), parse.GetValue(domain)!,
            parse.GetValue(repeat), parse.GetValue(tol), parse.GetValue(json), parse.GetValue(jsonFile), parse.GetValue(device)!,
            parse.GetValue(optimization)!, cancellation)));
        return command;
    }

    /// <summary>One measurement: Seconds on the host clock (launch to synchronised end); DeviceSeconds from device events where measured (0 otherwise), and then the bandwidth is computed from it.</summary>
    sealed record Row(string Name, double Seconds, double Bytes, string Note, double DeviceSeconds = 0)
    {
        public Row(string name, (double Host, double Device) time, double bytes, string note) : this(name, time.Host, bytes, note, time.Device) { }
        public double BandwidthSeconds => DeviceSeconds > 0 ? DeviceSeconds : Seconds;
    }

    static int Run(CliConsole console, int n, string domain, int repeat, double tol, bool json, string? jsonFile, string device, string optimization, CancellationToken cancellation)
    {
        var grid = domain switch
        {
            "spheres" => PoissonDomains.Spheres(n, n, n, 6, 1),
            "obstacles" => PoissonDomains.RandomObstacles(n, n, n, 0.15, 1),
            "tank" => PoissonDomains.FreeSurfaceTank(n, n, n, 0.6, 1),
            _ => PoissonDomains.SmokeBox(n, n, n),
        };
        var a = grid.ToCsr(GridMatrixLayout.Compact);
        int m = a.Rows;
        var b = grid.ToCompact(RightHandSides.VelocityDivergence(grid, 1));
        var x = Enumerable.Range(0, m).Select(i => 1.0 / (1 + i % 7)).ToArray();
        var y = new double[m]; var z = new double[m]; var w = new double[m];
        var gx = grid.ToGrid(x); var gy = new double[grid.CellCount];
        var rows = new List<Row>();
        if (device != "cpu")
        {
            using var gpu = GpuDevice.Open(device == "gpu" ? DeviceKind.Gpu : DeviceKind.Cpu, Enum.Parse<OptimizationLevel>(optimization), profiling: true);
            DeviceRows(gpu, grid, a, b, repeat, tol, rows, cancellation);
            Report(console, $"{domain} {n}^3, {m} unknowns, {gpu.Name}, ILGPU {optimization}", rows, json, jsonFile);
            return ExitCode.Converged;
        }

        double csrBytes = a.NonZeros * 12.0 + (m + 1) * 4.0 + 2.0 * m * 8; // values+columns, row pointers, x and y
        rows.Add(new("csr spmv", Best(repeat, () => a.Multiply(x, y)), csrBytes, $"{a.NonZeros} nonzeros"));
        rows.Add(new("stencil spmv (matrix-free, full grid)", Best(repeat, () => grid.Apply(gx, gy)), grid.CellCount * 17.0, "flags 1 B + x, y 16 B per cell"));
        double sink = 0;
        rows.Add(new("dot", Best(repeat, () => sink += VectorOps.Dot(x, y)), 16.0 * m, ""));
        rows.Add(new("axpy", Best(repeat, () => VectorOps.Axpy(1e-9, x, y)), 24.0 * m, ""));
        rows.Add(new("fused x += a p, r -= a q, r.r", Best(repeat, () => sink += VectorOps.UpdateSolutionAndResidual(1e-9, x, y, z, w)), 48.0 * m, ""));

        foreach (var kind in new[] { PreconditionerKind.None, PreconditionerKind.Jacobi, PreconditionerKind.IncompleteCholesky })
        {
            cancellation.ThrowIfCancellationRequested();
            var solver = new ConjugateGradient(a, kind, new SolverOptions { Tolerance = tol });
            SolveResult? best = null;
            for (int r = 0; r <= repeat; r++) // run 0 warms up
            {
                var result = solver.Solve(b, new double[m], cancellation);
                if (r > 0 && (best is null || result.SolveTime < best.SolveTime)) best = result;
            }
            rows.Add(new($"{solver.Method} iteration", best!.SolveTime.TotalSeconds / Math.Max(1, best.Iterations), 0,
                $"{best.Iterations} iterations, {best.Status}"));
            rows.Add(new($"{solver.Method} solve to {tol:g1}", best.SolveTime.TotalSeconds, 0,
                string.Create(CultureInfo.InvariantCulture, $"setup {solver.SetupTime.TotalMilliseconds:F1} ms, residual {best.RelativeResidual:0.0e+00}")));
        }
        GC.KeepAlive(sink);

        // The lean network's C# engine: the stencils once per geometry, then one direction per iteration
        var model = new LeanDirectionModel(DefaultModel.Load());
        LeanStencils? stencils = null;
        rows.Add(new("lean stencils for the geometry (setup)", Best(repeat, () => stencils = model.Stencils(grid)), 0,
            "predicted from the cell flags once per geometry"));
        var level0 = (stencils!.Levels[0].Nx, stencils.Levels[0].Ny, stencils.Levels[0].Nz);
        var v = Enumerable.Range(0, grid.CellCount).Select(i => (float)Math.Sin(i)).ToArray();
        var av = new float[grid.CellCount];
        rows.Add(new("lean stencil application, finest level", Best(repeat, () => GridOps.ApplyStencil(stencils.Smooth[0], v, av, level0)),
            grid.CellCount * 12.0, $"{stencils.Smooth[0].Table.Length / 27} distinct stencils; 4 B slot + v, y 4 B per cell"));
        var direction = model.Bind(grid);
        rows.Add(new("lean direction (one V-cycle)", Best(repeat, () => direction.Apply(v, av)), 0, $"{stencils.Levels.Count} levels"));

        // DCDM with the shipped model on the same grid (full-grid vectors)
        var dcdm = new DeepConjugateDirections(grid, model, new SolverOptions { Tolerance = tol });
        var bGrid = RightHandSides.VelocityDivergence(grid, 1);
        SolveResult? bestDcdm = null;
        for (int r = 0; r <= repeat; r++)
        {
            var result = dcdm.Solve(bGrid, new double[grid.CellCount], cancellation);
            if (r > 0 && (bestDcdm is null || result.SolveTime < bestDcdm.SolveTime)) bestDcdm = result;
        }
        string fallback = bestDcdm!.Details.TryGetValue("fallback iterations", out var f) ? $", IC(0) fallback {f} iterations" : "";
        rows.Add(new("dcdm iteration (lean model)", bestDcdm.SolveTime.TotalSeconds / Math.Max(1, bestDcdm.Iterations), 0, $"{bestDcdm.Iterations} iterations{fallback}, {bestDcdm.Status}"));
        rows.Add(new($"dcdm solve to {tol:g1}", bestDcdm.SolveTime.TotalSeconds, 0,
            string.Create(CultureInfo.InvariantCulture, $"setup {dcdm.SetupTime.TotalMilliseconds:F1} ms (model stencils), network {bestDcdm.Details["network time"]}, residual {bestDcdm.RelativeResidual:0.0e+00}")));

        Report(console, $"{domain} {n}^3, {m} unknowns, {Environment.ProcessorCount} threads, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture} cpu", rows, json, jsonFile);
        return ExitCode.Converged;
    }

    /// <summary>The same measurements with every vector on the accelerator; each timing waits for the device.</summary>
    static void DeviceRows(GpuDevice gpu, PoissonGrid grid, CsrMatrix a, double[] b, int repeat, double tol, List<Row> rows, CancellationToken cancellation)
    {
        var acc = gpu.Accelerator;
        var k = gpu.Kernels;
        int m = a.Rows;
        using var da = new DeviceCsr(acc, a);
        using var x = new DeviceVector<double>(acc, Enumerable.Range(0, m).Select(i => 1.0 / (1 + i % 7)).ToArray());
        using var y = new DeviceVector<double>(acc, m);
        using var z = new DeviceVector<double>(acc, m);
        using var w = new DeviceVector<double>(acc, m);
        using var flags = new DeviceVector<byte>(acc, grid.Cells.ToArray().Select(c => (byte)c).ToArray());
        using var gx = new DeviceVector<double>(acc, grid.CellCount);
        using var gy = new DeviceVector<double>(acc, grid.CellCount);
        (double, double) Time(Action body) => DeviceBest(acc, repeat, body);
        double csrBytes = a.NonZeros * 12.0 + (m + 1) * 4.0 + 2.0 * m * 8;
        rows.Add(new("csr spmv, thread per row", Time(() => k.CsrSpmvThreadPerRow(da, x.View, y.View)), csrBytes, $"{a.NonZeros} nonzeros"));
        rows.Add(new("csr spmv, warp per row", Time(() => k.CsrSpmvWarpPerRow(da, x.View, y.View)), csrBytes, ""));
        rows.Add(new("stencil spmv from flags (full grid)", Time(() => k.Stencil(flags.View, grid.Nx, grid.Ny, grid.Nz, gx.View, gy.View)), grid.CellCount * 17.0, "flags 1 B + x, y 16 B per cell"));
        rows.Add(new("dot (double accumulation)", Time(() => k.Dot(x.View, y.View)), 16.0 * m, ""));
        rows.Add(new("axpy", Time(() => k.Axpy(1e-9, x.View, y.View)), 24.0 * m, ""));
        rows.Add(new("fused x += a p, r -= a q, r.r", Time(() => k.UpdateSolutionAndResidual(1e-9, x.View, y.View, z.View, w.View)), 48.0 * m, ""));
        GridRows(gpu, grid, repeat, tol, rows, cancellation);
        DcdmRows(gpu, grid, repeat, tol, rows, cancellation);
        foreach (var kind in new[] { PreconditionerKind.None, PreconditionerKind.Jacobi })
        {
            cancellation.ThrowIfCancellationRequested();
            using var solver = new GpuConjugateGradient(gpu, a, kind, new SolverOptions { Tolerance = tol });
            SolveResult? best = null;
            for (int r = 0; r <= repeat; r++)
            {
                var result = solver.Solve(b, new double[m], cancellation);
                if (r > 0 && (best is null || result.SolveTime < best.SolveTime)) best = result;
            }
            rows.Add(new($"gpu {solver.Method} iteration", best!.SolveTime.TotalSeconds / Math.Max(1, best.Iterations), 0, $"{best.Iterations} iterations, {best.Status}"));
            rows.Add(new($"gpu {solver.Method} solve to {tol:g1}", best.SolveTime.TotalSeconds, 0,
                string.Create(CultureInfo.InvariantCulture, $"setup {solver.SetupTime.TotalMilliseconds:F1} ms, residual {best.RelativeResidual:0.0e+00}")));
        }
    }

    /// <summary>The matrix-free grid solver: float32 stencil variants, one fused CG step, and a solve.</summary>
    static void GridRows(GpuDevice gpu, PoissonGrid grid, int repeat, double tol, List<Row> rows, CancellationToken cancellation)
    {
        var acc = gpu.Accelerator;
        var k = gpu.GridKernels;
        var diagonal = CellDiagonal.Of(grid);
        var unknowns = ReducedSystem.FromGrid(grid);
        int cells = grid.CellCount;
        var rng = new Random(1);
        var values = diagonal.Select(d => d > 0 ? (float)(rng.NextDouble() - 0.5) : 0f).ToArray();
        using var diag = new DeviceVector<byte>(acc, diagonal);
        using var p = new DeviceVector<float>(acc, values);
        using var q = new DeviceVector<float>(acc, cells);
        using var r = new DeviceVector<float>(acc, values);
        using var p2 = new DeviceVector<float>(acc, cells);
        using var d = new DeviceVector<float>(acc, cells);
        using var rr = new DeviceVector<double>(acc, [1.0, 0, 0]);
        using var pq = new DeviceVector<double>(acc, 3);
        (double, double) Time(Action body) => DeviceBest(acc, repeat, body);
        const double stencilBytes = 9; // p read, q written (float32), 1 byte of operator
        // the streaming ceiling on this device, for the kernels below: the driver's copy and a copy kernel of ILGPU's
        rows.Add(new("copy fp32, driver (device to device)", Time(() => p.View.CopyTo(q.View)), cells * 8.0, "8 B per cell: the rate the 80% target refers to"));
        if (cells % 4 == 0) rows.Add(new("copy fp32, ILGPU kernel on quads", Time(() => k.CopyKernel(p.View, q.View)), cells * 8.0, "8 B per cell"));
        foreach (var variant in new[] { GridKernelVariant.Vectorized, GridKernelVariant.Unrolled })
            foreach (int chunk in new[] { 4, 8, 16, 32 })
            {
                if (chunk > grid.Nz) continue;
                var shape = new GridShape(grid.Nx, grid.Ny, grid.Nz, chunk);
                if (GridKernels.Resolve(variant, shape) != variant) continue; // vectorized needs nx % 4 == 0
                rows.Add(new($"stencil fp32, columns of {chunk}, {variant.ToString().ToLowerInvariant()}", Time(() => k.Stencil(shape, diag.View, p.View, q.View, variant)), cells * stencilBytes,
                    "9 B per cell: p, q float32 + 1 B operator"));
            }
        var cellShape = new GridShape(grid.Nx, grid.Ny, grid.Nz, 1);
        var expected = new double[cells];
        grid.Apply(values.Select(v => (double)v).ToArray(), expected);
        double scale = expected.Max(Math.Abs);
        string Check()
        {
            var got = q.ToArray();
            double worst = 0;
            for (int i = 0; i < cells; i++) worst = Math.Max(worst, Math.Abs(got[i] - expected[i]));
            return string.Create(CultureInfo.InvariantCulture, $"max |error| / max |Ap| = {worst / scale:0.0e+00}");
        }
        var main = new GridShape(grid.Nx, grid.Ny, grid.Nz, Math.Min(GridKernels.DefaultChunk, grid.Nz));
        if (GridKernels.CanVectorize(main))
        {
            q.Clear();
            k.Stencil(main, diag.View, p.View, q.View, GridKernelVariant.Vectorized);
            rows.Add(new("stencil fp32 vectorized, check against the host", 0, 0, Check()));
        }
        rows.Add(new("stencil fp32, one thread per cell", Time(() => k.StencilOneThreadPerCell(cellShape, diag.View, p.View, q.View)), cells * stencilBytes, ""));
        rows.Add(new("stencil fp32 one thread per cell, check against the host", 0, 0, Check()));

        // one CG step that does all its work: rr[0] = rr[1] = pq[0] = 1, so step 1 owes d and advances
        var vectors = new CgVectors(diag.View, r.View, p2.View, p.View, d.View, q.View);
        var step = new CgStep(1, 0, false, 0);
        rows.Add(new("grid kernels: active groups per multiprocessor", 0, 0, k.Occupancy()));
        foreach (int waves in new[] { 2, 4 })
        {
            k.Waves = waves;
            rows.Add(new($"stencil fp32, columns of 16, unrolled, {waves} waves", Time(() => k.Stencil(main, diag.View, p.View, q.View)), cells * stencilBytes, ""));
            rr.Upload([1.0, 1.0, 0]); pq.Upload([1.0, 0, 0]);
            rows.Add(new($"grid cg step, both halves, unrolled, {waves} waves", Time(() =>
            {
                k.DirectionAndProduct(main, vectors, rr.View, pq.View, step);
                k.UpdateResidual(r.View, q.View, rr.View, pq.View, 1, 0);
            }), cells * 37.0, "37 B per cell"));
        }
        k.Waves = 1;
        int defaultGroup = k.GroupSize;
        foreach (int group in new[] { 128, 512, 1024 })
        {
            if (group > acc.MaxNumThreadsPerGroup) continue;
            k.GroupSize = group;
            if (GridKernels.CanVectorize(main))
                rows.Add(new($"stencil fp32, columns of 16, vectorized, groups of {group}", Time(() => k.Stencil(main, diag.View, p.View, q.View, GridKernelVariant.Vectorized)), cells * stencilBytes, ""));
            rows.Add(new($"stencil fp32, columns of 16, unrolled, groups of {group}", Time(() => k.Stencil(main, diag.View, p.View, q.View)), cells * stencilBytes, ""));
        }
        k.GroupSize = defaultGroup;
        foreach (var variant in new[] { GridKernelVariant.Vectorized, GridKernelVariant.Unrolled })
        {
            if (GridKernels.Resolve(variant, main) != variant) continue;
            string name = variant.ToString().ToLowerInvariant();
            rr.Upload([1.0, 1.0, 0]); pq.Upload([1.0, 0, 0]);
            rows.Add(new($"grid cg half 1 (p, Ap, p.Ap, d), {name}", Time(() => k.DirectionAndProduct(main, vectors, rr.View, pq.View, step, variant)), cells * 25.0, "25 B per cell"));
            rows.Add(new($"grid cg half 2 (r, r.r), {name}", Time(() => k.UpdateResidual(r.View, q.View, rr.View, pq.View, 1, 0, variant)), cells * 12.0, "12 B per cell"));
            rows.Add(new($"grid cg step, both halves, {name}", Time(() =>
            {
                k.DirectionAndProduct(main, vectors, rr.View, pq.View, step, variant);
                k.UpdateResidual(r.View, q.View, rr.View, pq.View, 1, 0, variant);
            }), cells * 37.0, "37 B per cell"));
        }
        using (var r2 = new DeviceVector<float>(acc, values))
        using (var q2 = new DeviceVector<float>(acc, cells))
        using (var rx = new DeviceVector<double>(acc, [1.0, 0, 0]))
        using (var rq = new DeviceVector<double>(acc, [0.5, 0, 0]))
        using (var qq = new DeviceVector<double>(acc, [0.5, 0, 0]))
        {
            // merged step 1 reads r, q, p of step 0 and writes them for step 1
            rr.Upload([1.0, 1.0, 0]); pq.Upload([1.0, 0, 0]);
            var merged = new MergedCgVectors(diag.View, r.View, q2.View, p2.View, r2.View, q.View, p.View, d.View);
            var scalars = new CgScalars(rr.View, rx.View, pq.View, rq.View, qq.View);
            rows.Add(new("grid cg step, merged (one kernel)", Time(() => k.MergedStep(main, merged, scalars, step)), cells * 33.0, "33 B per cell"));
            if (GridKernels.CanVectorize(main))
                rows.Add(new("grid cg step, merged vectorized (one kernel)", Time(() => k.MergedStep(main, merged, scalars, step, GridKernelVariant.MergedVectorized)), cells * 33.0, "33 B per cell"));
        }
        var check = pq.ToArray();
        rows.Add(new("grid cg step check", 0, 0, check[1] > 0 && double.IsFinite(check[1]) ? "the timed steps did their work (p.Ap > 0)" : $"the timed steps did NOT run: pq = {check[1]}"));

        var b = RightHandSides.VelocityDivergence(grid, 1);
        cancellation.ThrowIfCancellationRequested();
        using var solver = new GpuGridConjugateGradient(gpu, grid, new SolverOptions { Tolerance = tol });
        SolveResult? best = null;
        TimeSpan loop = TimeSpan.MaxValue;
        var x = new double[cells];
        for (int run = 0; run <= repeat; run++)
        {
            var result = solver.Solve(b, x, cancellation);
            if (run > 0 && solver.LastIterationTime < loop) { loop = solver.LastIterationTime; best = result; }
        }
        double hostResidual = HostResidual(grid, unknowns, diagonal, b, x);
        rows.Add(new("gpu grid cg iteration (device loop)", loop.TotalSeconds / Math.Max(1, best!.Iterations), 0,
            $"{best.Iterations} iterations, {best.ResidualReplacements} reliable updates, {best.Status}"));
        rows.Add(new($"gpu grid cg solve to {tol:g1}", best.SolveTime.TotalSeconds, 0,
            string.Create(CultureInfo.InvariantCulture, $"device loop {loop.TotalMilliseconds:F1} ms, setup {solver.SetupTime.TotalMilliseconds:F1} ms, true residual {best.RelativeResidual:0.0e+00} (host check {hostResidual:0.0e+00})")));
    }

    /// <summary>DCDM with the shipped lean model, every vector on the device.</summary>
    static void DcdmRows(GpuDevice gpu, PoissonGrid grid, int repeat, double tol, List<Row> rows, CancellationToken cancellation)
    {
        var model = new LeanDirectionModel(DefaultModel.Load());
        var b = RightHandSides.VelocityDivergence(grid, 1);
        using var solver = new GpuDeepConjugateDirections(gpu, grid, model, new SolverOptions { Tolerance = tol });
        SolveResult? best = null;
        for (int run = 0; run <= repeat; run++)
        {
            cancellation.ThrowIfCancellationRequested();
            var result = solver.Solve(b, new double[grid.CellCount], cancellation);
            if (run > 0 && (best is null || result.SolveTime < best.SolveTime)) best = result;
        }
        string fallback = best!.Details.TryGetValue("fallback iterations", out var f) ? $", device CG fallback {f} iterations" : "";
        rows.Add(new("gpu dcdm iteration (lean model)", best.SolveTime.TotalSeconds / Math.Max(1, best.Iterations), 0, $"{best.Iterations} iterations{fallback}, {best.Status}"));
        rows.Add(new($"gpu dcdm solve to {tol:g1}", best.SolveTime.TotalSeconds, 0,
            string.Create(CultureInfo.InvariantCulture, $"setup {solver.SetupTime.TotalMilliseconds:F1} ms (stencils on the host, uploaded once), residual {best.RelativeResidual:0.0e+00}")));
    }

    /// <summary>||b - A x|| / ||b|| on the unknowns, recomputed on the host in double.</summary>
    static double HostResidual(PoissonGrid grid, ReducedSystem unknowns, byte[] diagonal, double[] b, double[] x)
    {
        var prepared = new double[b.Length];
        var (_, norm) = unknowns.PrepareRightHandSideOnRows(b, prepared);
        var ax = new double[b.Length];
        grid.Apply(x, ax);
        double s = 0;
        for (int i = 0; i < b.Length; i++) if (diagonal[i] > 0) s += (prepared[i] - ax[i]) * (prepared[i] - ax[i]);
        return Math.Sqrt(s) / norm;
    }

    static void Report(CliConsole console, string title, List<Row> rows, bool json, string? jsonFile)
    {
        if (jsonFile is not null)
        {
            using var file = new StreamWriter(jsonFile);
            WriteJson(file, title, rows);
        }
        if (json) WriteJson(console.Out, title, rows);
        else
        {
            console.Out.WriteLine(title);
            bool device = rows.Any(r => r.DeviceSeconds > 0);
            console.Out.WriteLine(device
                ? $"{"measurement",-52} {"host",12} {"device",12} {"GB/s",8}  note (GB/s from the device time: CUDA events around the launch)"
                : $"{"measurement",-52} {"time",12} {"GB/s",8}  note");
            foreach (var r in rows)
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Name,-52} {(r.Seconds > 0 ? Format(r.Seconds) : "-"),12}{(device ? $" {(r.DeviceSeconds > 0 ? Format(r.DeviceSeconds) : "-"),12}" : "")} {(r.Bytes > 0 ? (r.Bytes / r.BandwidthSeconds / 1e9).ToString("F2", CultureInfo.InvariantCulture) : "-"),8}  {r.Note}"));
        }
    }

    static string Format(double seconds) => seconds < 1e-3
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:F1} us")
        : seconds < 1 ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:F3} ms") : string.Create(CultureInfo.InvariantCulture, $"{seconds:F3} s");

    static double Best(int repeat, Action body)
    {
        body(); // warm-up: JIT and first touch
        double best = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            long t = Stopwatch.GetTimestamp();
            body();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalSeconds);
        }
        return best;
    }

    /// <summary>
    /// Best of <paramref name="repeat"/> after a warm-up, on two clocks: the host's (launch until the accelerator is
    /// synchronised, so it includes launch and synchronisation latency) and the device's (profiling markers, CUDA
    /// events on a GPU, recorded before and after the launch on the stream: the kernel alone).
    /// </summary>
    static (double Host, double Device) DeviceBest(Accelerator acc, int repeat, Action body)
    {
        body();
        acc.Synchronize();
        double host = double.MaxValue, device = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            long t = Stopwatch.GetTimestamp();
            using var start = acc.AddProfilingMarker();
            body();
            using var end = acc.AddProfilingMarker();
            end.Synchronize();
            acc.Synchronize();
            host = Math.Min(host, Stopwatch.GetElapsedTime(t).TotalSeconds);
            device = Math.Min(device, end.MeasureFrom(start).TotalSeconds);
        }
        return (host, device);
    }

    static void WriteJson(TextWriter o, string title, List<Row> rows)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("setup", title);
            w.WriteStartArray("measurements");
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                w.WriteNumber("seconds", r.Seconds);
                if (r.DeviceSeconds > 0) w.WriteNumber("deviceSeconds", r.DeviceSeconds);
                if (r.Bytes > 0) w.WriteNumber("gigabytesPerSecond", r.Bytes / r.BandwidthSeconds / 1e9);
                w.WriteString("note", r.Note);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        o.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
