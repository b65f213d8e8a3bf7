using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Dcdm.Cli.Bench;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Gpu.Solvers;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;
using Dcdm.Sparse;
using ILGPU;

namespace Dcdm.Cli.Commands;

/// <summary>
/// dcdm bench: kernel times and effective bandwidth, time per CG iteration and time to solution on a
/// generated voxel domain. Best of --repeat runs after one warm-up; no assertions, only measurements.
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliConsole console)
    {
        var size = new Option<int[]>("--size")
        {
            Description = "grid size n (an n^3 domain); several (--size 16 32 64) measure each in turn", DefaultValueFactory = _ => [64], AllowMultipleArgumentsPerToken = true,
        };
        size.Require(v => v.All(n => n >= 4 && n <= 1024), "each size must be between 4 and 1024");
        var domain = new Option<string>("--domain")
        {
            Description = "a generated grid family (dcdm generate --help describes them; not the per-face two-phase, cut-cell, ghost-fluid), seed 1",
            DefaultValueFactory = _ => "spheres",
        };
        domain.AcceptOnlyFromAmong([.. PoissonDomains.Families]);
        var repeat = new Option<int>("--repeat") { Description = "timed runs per measurement (best is reported)", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var tol = new Option<double>("--tol") { Description = "tolerance of the timed solves", DefaultValueFactory = _ => 1e-6 };
        tol.Require(v => v > 0 && v < 1, "must be in (0, 1)");
        var device = new Option<string>("--device")
        {
            Description = "cpu (plain C#), gpu (ILGPU on CUDA/OpenCL), ilgpu-cpu (ILGPU's CPU emulator: small sizes only)",
            DefaultValueFactory = _ => "cpu",
        };
        device.AcceptOnlyFromAmong("cpu", "gpu", "ilgpu-cpu");
        var optimization = new Option<string>("--optimization")
        {
            Description = "ILGPU optimization level of the device kernels: O1 (the solvers' default) or O2 (global address spaces inferred)",
            DefaultValueFactory = _ => "O1",
        };
        optimization.AcceptOnlyFromAmong("O1", "O2");
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var jsonFile = new Option<string?>("--json-file") { Description = "also write the JSON to this file" };
        var plot = new Option<string?>("--plot")
        {
            Description = "draw every method's convergence (relative residual against iteration, log scale; the last size) into this PNG file, "
                + "and with several sizes the time to tolerance against the unknowns into FILE-time.png",
        };
        var command = new Command("bench", "measure kernels and solvers on a generated n^3 domain") { size, domain, repeat, tol, device, optimization, json, jsonFile, plot };
        command.SetAction((parse, cancellation) => Task.FromResult(Run(console, parse.GetValue(size)!, parse.GetValue(domain)!,
            parse.GetValue(repeat), parse.GetValue(tol), parse.GetValue(json), parse.GetValue(jsonFile), parse.GetValue(device)!,
            parse.GetValue(optimization)!, parse.GetValue(plot), cancellation)));
        return command;
    }

    static int Run(CliConsole console, int[] sizes, string domain, int repeat, double tol, bool json, string? jsonFile, string device, string optimization, string? plot,
                   CancellationToken cancellation)
    {
        OutputFile.Check(jsonFile, "--json-file");
        OutputFile.Check(plot, "--plot");
        var reports = new List<(string Title, List<BenchRow> Rows)>();
        var runs = new List<MethodRun>();
        string plotTitle = "";
        int lastSize = 0; // where the last size's runs start
        foreach (int n in sizes)
        {
            lastSize = runs.Count;
            plotTitle = Measure(n, domain, repeat, tol, device, optimization, reports, runs, cancellation);
            if (!json) WriteTable(console.Out, reports[^1].Title, reports[^1].Rows);
        }
        if (jsonFile is not null)
        {
            using var file = new StreamWriter(jsonFile);
            WriteJson(file, reports);
        }
        if (json) WriteJson(console.Out, reports);
        if (plot is not null)
        {
            Plots.ConvergencePlot.WritePng(plot, plotTitle, runs.Skip(lastSize).Select(r => (r.Name, r.History)), tol);
            if (sizes.Length > 1)
                Plots.SizePlot.WritePng(Plots.SizePlot.PathBeside(plot), $"{domain}: time to {tol:g1} against size", runs.Select(r => (r.Name, (double)r.Unknowns, r.Seconds)));
        }
        return ExitCode.Converged;
    }

    /// <summary>One size: its report (title and rows) and each method's best solve; returns the convergence plot's title.</summary>
    static string Measure(int n, string domain, int repeat, double tol, string device, string optimization,
                          List<(string Title, List<BenchRow> Rows)> reports, List<MethodRun> runs, CancellationToken cancellation)
    {
        var grid = PoissonDomains.Named(domain, n, n, n, 1);
        var a = grid.ToCsr(GridMatrixLayout.Compact);
        int m = a.Rows;
        var b = grid.ToCompact(RightHandSides.VelocityDivergence(grid, 1));
        var x = Enumerable.Range(0, m).Select(i => 1.0 / (1 + i % 7)).ToArray();
        var y = new double[m]; var z = new double[m]; var w = new double[m];
        var gx = grid.ToGrid(x); var gy = new double[grid.CellCount];
        var rows = new List<BenchRow>();
        if (device != "cpu")
        {
            GpuDevice gpu;
            try { gpu = GpuDevice.Open(device == "gpu" ? DeviceKind.Gpu : DeviceKind.Cpu, Enum.Parse<OptimizationLevel>(optimization), profiling: true); }
            catch (NoGpuException e) { throw new UsageException($"--device {device}: {e.Message.Split(';')[0]} (see 'dcdm info'); use --device ilgpu-cpu to check the kernels, or cpu"); }
            using var opened = gpu;
            DeviceRows(gpu, grid, a, b, repeat, tol, rows, runs, cancellation);
            reports.Add(($"{domain} {n}^3, {m} unknowns, {gpu.Name}, ILGPU {optimization}", rows));
            return $"{domain} {n}^3, {m} unknowns, {gpu.Name}";
        }

        double csrBytes = a.NonZeros * 12.0 + (m + 1) * 4.0 + 2.0 * m * 8; // values+columns, row pointers, x and y
        rows.Add(new("csr spmv", BenchClock.Best(repeat, () => a.Multiply(x, y)), csrBytes, $"{a.NonZeros} nonzeros"));
        rows.Add(new("stencil spmv (matrix-free, full grid)", BenchClock.Best(repeat, () => grid.Apply(gx, gy)), grid.CellCount * 17.0, "flags 1 B + x, y 16 B per cell"));
        double sink = 0;
        rows.Add(new("dot", BenchClock.Best(repeat, () => sink += VectorOps.Dot(x, y)), 16.0 * m, ""));
        rows.Add(new("axpy", BenchClock.Best(repeat, () => VectorOps.Axpy(1e-9, x, y)), 24.0 * m, ""));
        rows.Add(new("fused x += a p, r -= a q, r.r", BenchClock.Best(repeat, () => sink += VectorOps.UpdateSolutionAndResidual(1e-9, x, y, z, w)), 48.0 * m, ""));

        var catalog = new SolverCatalog();
        foreach (var method in new[] { SolveMethod.Cg, SolveMethod.PcgJacobi, SolveMethod.PcgIc0, SolveMethod.PcgMg })
        {
            cancellation.ThrowIfCancellationRequested();
            var solver = catalog.Create(method, new SolverInput(a, grid), new SolverOptions { Tolerance = tol });
            SolveResult? best = null;
            for (int r = 0; r <= repeat; r++) // run 0 warms up
            {
                var result = solver.Solve(b, new double[m], cancellation);
                if (r > 0 && (best is null || result.SolveTime < best.SolveTime)) best = result;
            }
            rows.Add(new($"{solver.Method} iteration", best!.SolveTime.TotalSeconds / Math.Max(1, best.Iterations), 0,
                $"{best.Iterations} iterations, {best.Status}"));
            runs.Add(new(solver.Method, m, best.ResidualHistory, best.SolveTime.TotalSeconds));
            rows.Add(new($"{solver.Method} solve to {tol:g1}", best.SolveTime.TotalSeconds, 0,
                string.Create(CultureInfo.InvariantCulture, $"setup {solver.SetupTime.TotalMilliseconds:F1} ms, residual {best.RelativeResidual:0.0e+00}")));
        }
        GC.KeepAlive(sink);

        // The stencil network's C# engine: the stencils once per geometry, then one direction per iteration
        var model = new StencilDirectionModel(StencilDirectionModel.ShippedFile());
        StencilHierarchy? stencils = null;
        rows.Add(new("stencil model: stencils for the geometry (setup)", BenchClock.Best(repeat, () => stencils = model.Stencils(grid)), 0,
            "predicted from the cell flags once per geometry"));
        var level0 = (stencils!.Levels[0].Nx, stencils.Levels[0].Ny, stencils.Levels[0].Nz);
        var v = Enumerable.Range(0, grid.CellCount).Select(i => (float)Math.Sin(i)).ToArray();
        var av = new float[grid.CellCount];
        rows.Add(new("stencil model: one stencil application, finest level", BenchClock.Best(repeat, () => NetworkLayers.ApplyStencil(stencils.Smooth[0], v, av, level0)),
            grid.CellCount * 12.0, $"{stencils.Smooth[0].Table.Length / 27} distinct stencils; 4 B slot + v, y 4 B per cell"));
        var direction = model.Bind(grid);
        rows.Add(new("stencil model: direction (one V-cycle)", BenchClock.Best(repeat, () => direction.Apply(v, av)), 0, $"{stencils.Levels.Count} levels"));

        // The vcycle model (the default): its weights once per geometry, then one V-cycle per iteration
        var vcycle = VCycleDirectionModel.Shipped();
        IDirection? bound = null;
        rows.Add(new("vcycle bind (weights, aggregate levels, buffers)", BenchClock.Best(repeat, () => bound = vcycle.Bind(grid)), 0,
            "SOR weights predicted from the cell flags once per geometry"));
        rows.Add(new("vcycle direction (one K-cycle, learned fine weights)", BenchClock.Best(repeat, () => bound!.Apply(v, av)), 0,
            $"{vcycle.Sweeps} SOR sweeps before and after each correction"));

        // DCDM with the default classical direction and each shipped model on the same grid (full-grid vectors)
        var bGrid = RightHandSides.VelocityDivergence(grid, 1);
        foreach (var (name, shipped) in new (string, IDirectionModel)[] { ("kcycle", new KCycleDirectionModel()), ("stencil", model), ("vcycle", vcycle) })
        {
            var dcdm = new DeepConjugateDirections(grid, shipped, new SolverOptions { Tolerance = tol });
            SolveResult? bestDcdm = null;
            for (int r = 0; r <= repeat; r++)
            {
                var result = dcdm.Solve(bGrid, new double[grid.CellCount], cancellation);
                if (r > 0 && (bestDcdm is null || result.SolveTime < bestDcdm.SolveTime)) bestDcdm = result;
            }
            string fallback = bestDcdm!.Fallback is { } f ? $", {f.Method} fallback {f.Iterations} iterations" : "";
            runs.Add(new($"dcdm ({name} model)", m, bestDcdm.ResidualHistory, bestDcdm.SolveTime.TotalSeconds));
            rows.Add(new($"dcdm iteration ({name} model)", bestDcdm.SolveTime.TotalSeconds / Math.Max(1, bestDcdm.Iterations), 0,
                $"{bestDcdm.Iterations} iterations{fallback}, {bestDcdm.Status}"));
            rows.Add(new($"dcdm solve to {tol:g1} ({name} model)", bestDcdm.SolveTime.TotalSeconds, 0,
                string.Create(CultureInfo.InvariantCulture, $"setup {dcdm.SetupTime.TotalMilliseconds:F1} ms (model bound to the geometry), directions {bestDcdm.Details["direction time"]}, "
                    + $"residual {bestDcdm.RelativeResidual:0.0e+00}")));
        }

        reports.Add(($"{domain} {n}^3, {m} unknowns, {Environment.ProcessorCount} threads, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture} cpu", rows));
        return $"{domain} {n}^3, {m} unknowns, cpu";
    }

    /// <summary>The same measurements with every vector on the accelerator; each timing waits for the device.</summary>
    static void DeviceRows(GpuDevice gpu, PoissonGrid grid, CsrMatrix a, double[] b, int repeat, double tol, List<BenchRow> rows,
                           List<MethodRun> runs, CancellationToken cancellation)
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
        (double, double) Time(Action body) => BenchClock.DeviceBest(acc, repeat, body);
        double csrBytes = a.NonZeros * 12.0 + (m + 1) * 4.0 + 2.0 * m * 8;
        rows.Add(new("csr spmv, thread per row", Time(() => k.CsrSpmvThreadPerRow(da, x.View, y.View)), csrBytes, $"{a.NonZeros} nonzeros"));
        rows.Add(new("csr spmv, warp per row", Time(() => k.CsrSpmvWarpPerRow(da, x.View, y.View)), csrBytes, ""));
        rows.Add(new("stencil spmv from flags (full grid)", Time(() => k.Stencil(flags.View, grid.Nx, grid.Ny, grid.Nz, gx.View, gy.View)), grid.CellCount * 17.0, "flags 1 B + x, y 16 B per cell"));
        rows.Add(new("dot (double accumulation)", Time(() => k.Dot(x.View, y.View)), 16.0 * m, ""));
        rows.Add(new("axpy", Time(() => k.Axpy(1e-9, x.View, y.View)), 24.0 * m, ""));
        rows.Add(new("fused x += a p, r -= a q, r.r", Time(() => k.UpdateSolutionAndResidual(1e-9, x.View, y.View, z.View, w.View)), 48.0 * m, ""));
        GridBench.Rows(gpu, grid, repeat, tol, rows, cancellation);
        MultigridBench.Rows(gpu, grid, repeat, tol, rows, cancellation);
        foreach (var (name, model) in new (string, IDirectionModel)[]
                 { ("kcycle", new KCycleDirectionModel()), ("vcycle", VCycleDirectionModel.Shipped()), ("stencil", new StencilDirectionModel(StencilDirectionModel.ShippedFile())) })
        {
            var dcdm = DcdmRows(gpu, grid, name, model, repeat, tol, rows, cancellation);
            runs.Add(new($"gpu dcdm ({name} model)", m, dcdm.ResidualHistory, dcdm.SolveTime.TotalSeconds));
        }
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
            runs.Add(new($"gpu {solver.Method}", m, best.ResidualHistory, best.SolveTime.TotalSeconds));
            rows.Add(new($"gpu {solver.Method} solve to {tol:g1}", best.SolveTime.TotalSeconds, 0,
                string.Create(CultureInfo.InvariantCulture, $"setup {solver.SetupTime.TotalMilliseconds:F1} ms, residual {best.RelativeResidual:0.0e+00}")));
        }
    }

    /// <summary>DCDM with a shipped model, every vector on the device.</summary>
    static SolveResult DcdmRows(GpuDevice gpu, PoissonGrid grid, string name, IDirectionModel model, int repeat, double tol, List<BenchRow> rows,
                                CancellationToken cancellation)
    {
        var b = RightHandSides.VelocityDivergence(grid, 1);
        using var solver = new GpuDeepConjugateDirections(gpu, grid, model, new SolverOptions { Tolerance = tol });
        SolveResult? best = null;
        for (int run = 0; run <= repeat; run++)
        {
            cancellation.ThrowIfCancellationRequested();
            var result = solver.Solve(b, new double[grid.CellCount], cancellation);
            if (run > 0 && (best is null || result.SolveTime < best.SolveTime)) best = result;
        }
        string fallback = best!.Fallback is { } f ? $", {f.Method} fallback {f.Iterations} iterations" : "";
        rows.Add(new($"gpu dcdm iteration ({name} model)", best.SolveTime.TotalSeconds / Math.Max(1, best.Iterations), 0, $"{best.Iterations} iterations{fallback}, {best.Status}"));
        rows.Add(new($"gpu dcdm solve to {tol:g1} ({name} model)", best.SolveTime.TotalSeconds, 0,
            string.Create(CultureInfo.InvariantCulture, $"setup {solver.SetupTime.TotalMilliseconds:F1} ms (the model bound on the host, uploaded once), residual {best.RelativeResidual:0.0e+00}")));
        return best;
    }

    static void WriteTable(TextWriter o, string title, List<BenchRow> rows)
    {
        o.WriteLine(title);
        bool device = rows.Any(r => r.DeviceSeconds > 0);
        o.WriteLine(device
            ? $"{"measurement",-52} {"host",12} {"device",12} {"GB/s",8}  note (GB/s from the device time: CUDA events around the launch)"
            : $"{"measurement",-52} {"time",12} {"GB/s",8}  note");
        foreach (var r in rows)
        {
            string host = r.Seconds > 0 ? Format(r.Seconds) : "-";
            string onDevice = device ? string.Create(CultureInfo.InvariantCulture, $" {(r.DeviceSeconds > 0 ? Format(r.DeviceSeconds) : "-"),12}") : "";
            string rate = r.GigabytesPerSecond is double rateValue ? rateValue.ToString("F2", CultureInfo.InvariantCulture) : "-";
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name,-52} {host,12}{onDevice} {rate,8}  {r.Note}"));
        }
    }

    static string Format(double seconds) => seconds < 1e-3
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:F1} us")
        : seconds < 1 ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:F3} ms") : string.Create(CultureInfo.InvariantCulture, $"{seconds:F3} s");

    /// <summary>One size: its JSON object, as before several sizes existed; several: an array of them.</summary>
    static void WriteJson(TextWriter o, List<(string Title, List<BenchRow> Rows)> reports)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            if (reports.Count > 1) w.WriteStartArray();
            foreach (var (title, rows) in reports) WriteJson(w, title, rows);
            if (reports.Count > 1) w.WriteEndArray();
        }
        o.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    static void WriteJson(Utf8JsonWriter w, string title, List<BenchRow> rows)
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
            if (r.GigabytesPerSecond is double rate) w.WriteNumber("gigabytesPerSecond", rate);
            w.WriteString("note", r.Note);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
