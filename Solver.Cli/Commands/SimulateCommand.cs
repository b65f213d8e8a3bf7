using System.CommandLine;
using System.Globalization;
using Dcdm.Cli.Simulation;
using Dcdm.Gpu.Solvers;
using Dcdm.MatrixMarket;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Simulation;
using Dcdm.Solvers;
using Dcdm.Sparse;

namespace Dcdm.Cli.Commands;

/// <summary>
/// dcdm simulate smoke|cut-cell|liquid: runs an example flow (Dcdm.Simulation) with a pressure projection through the chosen
/// method every step; prints a line per step and writes the per-step table, slice frames and chosen pressure systems.
/// </summary>
public static class SimulateCommand
{
    /// <summary>The per-step table's columns; divergences are L2 norms over the fluid cells.</summary>
    public const string CsvHeader = "step,dt_s,unknowns,iterations,status,setup_s,rebind_s,rebuilt,solve_s,div_before_l2,div_after_l2,div_relative_l2";

    public sealed record Settings(string Example, int Size, int Steps, string Method, string Device, double Tolerance,
                                  string? Model, string? Out, int FrameEvery, IReadOnlyList<int> DumpSteps);

    public static Command Create(CliConsole console)
    {
        var example = new Argument<string>("example")
        {
            Description = "smoke (a buoyant plume around a sphere), cut-cell (the same around a smooth sphere with fractional faces: per-face "
                + "coefficients), or liquid (a dam break: the domain changes every step)",
        };
        example.AcceptOnlyFromAmong("smoke", "cut-cell", "liquid");
        var size = new Option<int>("--size") { Description = "cells per side of the cube", DefaultValueFactory = _ => 32 }.Between(8, 1024);
        var steps = new Option<int>("--steps") { Description = "time steps", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var method = new Option<string>("--method") { Description = "pressure solver", DefaultValueFactory = _ => "dcdm" };
        method.AcceptOnlyFromAmong("cg", "pcg-ic0", "pcg-mg", "dcdm");
        var device = new Option<string>("--device")
        {
            Description = "where the pressure solves run: cpu (plain C#), gpu (ILGPU on CUDA/OpenCL; fails if none), auto (gpu when present and "
                + "the method runs there, else cpu), ilgpu-cpu (ILGPU's CPU emulator, for checks: small sizes only); on a device each step whose "
                + "domain or coefficients changed sets its solver up again",
            DefaultValueFactory = _ => "cpu",
        };
        device.AcceptOnlyFromAmong("cpu", "gpu", "auto", "ilgpu-cpu");
        var tol = new Option<double>("--tol") { Description = "each step's pressure solve stops when ||b - A p|| <= tol * ||b||", DefaultValueFactory = _ => 1e-6 };
        tol.Require(v => v > 0 && v < 1, "must be in (0, 1)");
        var model = new Option<string?>("--model") { Description = "dcdm: kcycle (the classical K-cycle, the default), vcycle (the shipped learned model), stencil, or a model file" };
        var output = new Option<string?>("--out") { Description = "folder for steps.csv, frames (frame0000.png, ...) and the dumped systems (made when missing)" };
        var frames = new Option<int>("--frame-every") { Description = "with --out: a PNG of the middle y-slice every N steps (0: none)", DefaultValueFactory = _ => 10 }.AtLeast(0);
        var dump = new Option<string?>("--dump-steps")
        {
            Description = "with --out: steps (from 0) whose pressure system is written as stepN_A.mtx (full-grid layout), stepN_b.mtx and stepN_flags.bin, e.g. 3,10",
        };

        var command = new Command("simulate", "run an example flow, a pressure projection every step, and report each solve")
            { example, size, steps, method, device, tol, model, output, frames, dump };
        command.SetAction((parse, cancellation) => Task.FromResult(Run(console, new Settings(
            parse.GetValue(example)!, parse.GetValue(size), parse.GetValue(steps), parse.GetValue(method)!, parse.GetValue(device)!, parse.GetValue(tol),
            parse.GetValue(model), parse.GetValue(output), parse.GetValue(frames), ParseSteps(parse.GetValue(dump))), cancellation)));
        return command;
    }

    static int[] ParseSteps(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var steps = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out steps[i]))
                throw new UsageException($"--dump-steps '{text}': expected step numbers from 0, separated by commas, e.g. 3,10");
        return steps;
    }

    public static int Run(CliConsole console, Settings s, CancellationToken cancellation)
    {
        if (s.Out is null && s.DumpSteps.Count > 0) throw new UsageException("--dump-steps needs --out: name the folder the systems go to");
        if (s.DumpSteps.FirstOrDefault(d => d >= s.Steps, -1) is int late and >= 0)
            throw new UsageException($"--dump-steps: step {late} is not run (--steps {s.Steps} runs steps 0 to {s.Steps - 1})");
        if (s.Out is not null)
        {
            if (File.Exists(s.Out)) throw new UsageException($"--out {s.Out}: is a file; name a folder (it is made when missing)");
            Directory.CreateDirectory(s.Out);
        }
        var method = SolverCatalog.Parse(s.Method);
        if (method != SolveMethod.Dcdm && s.Model is not null)
            throw new UsageException($"--model {s.Model}: a direction model is DCDM's; --method {s.Method} takes none (leave out --model, or use --method dcdm)");
        var model = method == SolveMethod.Dcdm ? s.Model is null ? ShippedModels.Default() : ShippedModels.Named(s.Model) ?? new DirectionModels().Load(ModelFile.Read(s.Model)) : null;
        using var gpu = SolveCommand.OpenDevice(s.Device, method, model);
        using var solver = new PressureSolver(method, new SolverOptions { Tolerance = s.Tolerance }, model, gpu is null ? null : new SolverCatalog(new GpuSolvers(gpu)));
        IFlowSimulation flow = s.Example == "liquid" ? new LiquidSimulation(s.Size, solver) : new SmokeSimulation(s.Size, solver, cutCells: s.Example == "cut-cell");

        var invariant = CultureInfo.InvariantCulture;
        console.Out.WriteLine(string.Create(invariant, $"{flow.Name} {s.Size}^3, {s.Steps} steps, pressure by {s.Method} (tol {s.Tolerance:g3}) on {(gpu is null ? "the CPU" : gpu.Name)}"));
        using var csv = s.Out is null ? null : new StreamWriter(Path.Combine(s.Out, "steps.csv"));
        csv?.WriteLine(CsvHeader);
        var solves = new List<SimulationStep>();
        int exit = ExitCode.Converged;
        double shownMax = 0;
        for (int i = 0; i < s.Steps; i++)
        {
            cancellation.ThrowIfCancellationRequested(); // Ctrl+C between steps: exit 130
            var step = flow.Step(cancellation);
            solves.Add(step);
            var r = step.Solve;
            if (r.Status == SolveStatus.Cancelled) return ExitCode.Cancelled;
            if (!r.Converged && exit == ExitCode.Converged) exit = ExitCode.From(r.Status);
            double setup = step.Rebuilt ? r.SetupTime.TotalSeconds : 0;
            csv?.WriteLine(string.Create(invariant,
                $"{step.Step},{step.TimeStep:g6},{step.FluidCells},{r.Iterations},{r.Status},{setup:F6},{step.BindTime.TotalSeconds:F6},{(step.Rebuilt ? 1 : 0)},"
                + $"{r.SolveTime.TotalSeconds:F6},{step.DivergenceBefore:e4},{step.DivergenceAfter:e4},{step.RelativeDivergence:e3}"));
            csv?.Flush();
            console.Out.WriteLine(string.Create(invariant,
                $"step {step.Step,4}: {step.FluidCells} unknowns, {r.Iterations} iterations ({r.Status}{(r.Fallback is { } f ? $", {f.Method} after {f.AfterIterations}" : "")}), "
                + $"re-bind {step.BindTime.TotalMilliseconds:F1} ms{(step.Rebuilt ? " (set up)" : "")}, solve {r.SolveTime.TotalMilliseconds:F1} ms, "
                + $"divergence {step.DivergenceBefore:e2} -> {step.DivergenceAfter:e2} ({step.RelativeDivergence:e2})"));
            if (s.Out is null) continue;
            if (s.DumpSteps.Contains(step.Step)) Dump(s.Out, step.Step, flow, s, solver.Operator?.ToCsr());
            if (s.FrameEvery > 0 && (step.Step % s.FrameEvery == 0 || i == s.Steps - 1))
            {
                var field = flow.ShownField();
                shownMax = Math.Max(shownMax, field.Max()); // one colour scale across the frames of a run
                int n = flow.Domain.Nx;
                SliceFrame.Write(Path.Combine(s.Out, $"frame{step.Step:D4}.png"), field, flow.Domain, n / 2,
                    string.Create(invariant, $"{flow.Name} {n}^3, step {step.Step}: {flow.ShownQuantity}, y = {n / 2}"), shownMax);
            }
        }
        Summarise(console, solves, s);
        return exit;
    }

    /// <summary>The step's pressure system for the benchmark suite and training: A (full-grid layout), b and the flags.</summary>
    /// <param name="operatorMatrix">The system's matrix when it has per-face coefficients (the flags then mark its unknowns only).</param>
    static void Dump(string folder, int step, IFlowSimulation flow, Settings s, CsrMatrix? operatorMatrix)
    {
        string description = $"dcdm simulate {s.Example} --size {s.Size}: the pressure system of step {step} (b = -div u)";
        MatrixMarketWriter.WriteMatrix(Path.Combine(folder, $"step{step}_A.mtx"), operatorMatrix ?? flow.Domain.ToCsr(GridMatrixLayout.FullGrid), symmetric: true, description);
        MatrixMarketWriter.WriteVector(Path.Combine(folder, $"step{step}_b.mtx"), flow.Projection.RightHandSide.ToArray(), description);
        CellFlagsFile.Write(flow.Domain, Path.Combine(folder, $"step{step}_flags.bin"));
    }

    static void Summarise(CliConsole console, List<SimulationStep> steps, Settings s)
    {
        var invariant = CultureInfo.InvariantCulture;
        // the first step's solve is cold (p = 0); the others start from the last step's pressure
        var warm = steps.Count > 1 ? steps.Skip(1).ToList() : steps;
        console.Out.WriteLine(string.Create(invariant,
            $"mean over steps {warm[0].Step}-{warm[^1].Step} (warm-started): {warm.Average(t => t.Solve.Iterations):F1} iterations, "
            + $"solve {warm.Average(t => t.Solve.SolveTime.TotalSeconds):F4} s, re-bind {warm.Average(t => t.BindTime.TotalSeconds):F4} s per step"));
        console.Out.WriteLine(string.Create(invariant,
            $"divergence after projection: at most {steps.Max(t => t.RelativeDivergence):e2} of before (L2 over the fluid cells); "
            + $"{steps.Count(t => !t.Solve.Converged)} of {steps.Count} solves not converged"));
        if (s.Out is not null) console.Out.WriteLine($"wrote {Path.Combine(s.Out, "steps.csv")}{(s.FrameEvery > 0 ? " and frames" : "")}");
    }
}
