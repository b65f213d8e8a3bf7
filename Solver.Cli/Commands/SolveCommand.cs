using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Solvers;
using Dcdm.MatrixMarket;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;
using Dcdm.Sparse;

namespace Dcdm.Cli.Commands;

/// <summary>dcdm solve A.mtx: reads a matrix, solves through the solver catalog, reports; the exit code says the outcome (ExitCode).</summary>
public static class SolveCommand
{
    static readonly string[] Methods = [.. SolverCatalog.MethodNames];

    /// <param name="tool">the program: its model engines (dcdm: the stencil network's C# engine) and where others are</param>
    public static Command Create(CliConsole console, DcdmTool tool)
    {
        var matrix = new Argument<string>("matrix") { Description = "the matrix, a Matrix Market file (.mtx or .mtx.gz)" };
        var rhs = new Option<string?>("--rhs") { Description = "right-hand side b (Matrix Market vector); default b = A * ones, so the exact x is known" };
        var method = new Option<string>("--method") { Description = "solver", DefaultValueFactory = _ => "pcg-ic0" };
        method.AcceptOnlyFromAmong(Methods);
        var tol = new Option<double>("--tol") { Description = "stop when ||b - A x|| <= tol * ||b||", DefaultValueFactory = _ => 1e-6 };
        tol.Require(v => v > 0 && v < 1, "must be in (0, 1)");
        var maxIter = new Option<int>("--max-iter") { Description = "iteration limit", DefaultValueFactory = _ => 10_000 }.AtLeast(0);
        var output = new Option<string?>("--out") { Description = "write x here (Matrix Market array)" };
        var history = new Option<string?>("--history") { Description = "write the residual history here (CSV: iteration,relative_residual)" };
        var json = new Option<bool>("--json") { Description = "print the result as JSON instead of a table" };
        var plot = new Option<string?>("--plot") { Description = "draw the relative residual against the iteration (log scale) into this PNG file" };
        var model = new Option<string?>("--model")
        {
            Description = "dcdm: kcycle (the classical K-cycle, the default), kcycle:W or kcycle:W:S (its SOR weight W, S sweeps; "
                + "on per-face coefficients at most 2 of them on the coarse levels), vcycle (the shipped learned model), stencil, or a model file",
        };
        var gridSize = new Option<string?>("--grid")
        {
            Description = "pcg-mg, dcdm, and cg on a GPU: the grid as nx,ny,nz (default: n^3 rows taken as an n^3 grid, else the box "
                + "the couplings name: neighbours 1, nx and nx ny rows apart); "
                + "checked against the matrix whatever the method",
        };
        var flags = new Option<string?>("--flags")
        {
            Description = "pcg-mg, dcdm, and cg on a GPU: the cell flags file (dcdm generate writes one); exact air/solid instead of rebuilding them "
                + "from the matrix, and the compact layout (one row per fluid cell) recognised; checked against the matrix whatever the method",
        };
        var repeat = new Option<int>("--repeat")
        {
            Description = "set up and solve this many times and report the fastest set-up and the fastest solve (the first run pays the JIT compiler; "
                + "a code that solves every time step sees the later ones)",
            DefaultValueFactory = _ => 1,
        }.Between(1, 100);
        var k = new Option<int>("--k") { Description = "dcdm: previous directions each new one is A-orthogonalised against", DefaultValueFactory = _ => 2 }.Between(0, 50);
        var device = new Option<string>("--device")
        {
            Description = "cpu (plain C#), gpu (ILGPU on CUDA/OpenCL; fails if none), auto (gpu when present, else cpu), "
                + "ilgpu-cpu (ILGPU's CPU emulator, for checks: small systems only)",
            DefaultValueFactory = _ => "cpu",
        };
        device.AcceptOnlyFromAmong("cpu", "gpu", "auto", "ilgpu-cpu");

        var command = new Command("solve", "solve A x = b for a sparse SPD matrix") { matrix, rhs, method, tol, maxIter, output, history, json, device, model, gridSize, flags, k, plot, repeat };
        command.SetAction((parse, cancellation) => Task.FromResult(Run(console, new Settings(
            parse.GetValue(matrix)!, parse.GetValue(rhs), parse.GetValue(method)!, parse.GetValue(tol), parse.GetValue(maxIter),
            parse.GetValue(output), parse.GetValue(history), parse.GetValue(json), parse.GetValue(device)!,
            parse.GetValue(model), parse.GetValue(gridSize), parse.GetValue(flags), parse.GetResult(k) is { Implicit: false } ? parse.GetValue(k) : null,
            parse.GetValue(plot), parse.GetValue(repeat)), tool, cancellation)));
        return command;
    }

    public sealed record Settings(string Matrix, string? Rhs, string Method, double Tolerance, int MaxIterations,
                                  string? Output, string? History, bool Json, string Device = "cpu",
                                  string? Model = null, string? Grid = null, string? Flags = null, int? K = null, string? Plot = null, int Repeat = 1);

    public static int Run(CliConsole console, Settings s, DcdmTool tool, CancellationToken cancellation)
    {
        OutputFile.Check(s.Output, "--out");
        OutputFile.Check(s.History, "--history");
        OutputFile.Check(s.Plot, "--plot");
        var a = MatrixMarketReader.ReadMatrix(s.Matrix);
        ReleaseGarbage(); // the reader's triplets, several times the matrix
        if (!a.IsSquare) throw new UsageException($"{s.Matrix}: the matrix is {a.Rows} x {a.Columns}; solve needs a square matrix");
        double[] b;
        double[]? exact = null;
        if (s.Rhs is not null)
        {
            b = MatrixMarketReader.ReadVector(s.Rhs);
            if (b.Length != a.Rows) throw new UsageException($"{s.Rhs}: b has {b.Length} entries but {s.Matrix} has {a.Rows} rows");
        }
        else
        {
            exact = new double[a.Rows];
            for (int i = 0; i < a.Rows; i++) exact[i] = a.RowHasNonZero(i) ? 1.0 : 0.0;
            b = new double[a.Rows];
            a.Multiply(exact, b);
        }

        var method = SolverCatalog.Parse(s.Method);
        if (method != SolveMethod.Dcdm && s.Model is not null)
            throw new UsageException($"--model {s.Model}: a direction model is DCDM's; --method {s.Method} takes none (leave out --model, or use --method dcdm)");
        if (method != SolveMethod.Dcdm && s.K is { } k)
            throw new UsageException($"--k {k}: the previous directions are DCDM's; --method {s.Method} takes none (leave out --k, or use --method dcdm)");
        var flags = ReadFlags(s);
        // the grid of a voxel matrix, checked against it once for every repeat: dcdm needs it, the device's cg runs
        // matrix-free on it; --flags and --grid say what the matrix is, so they are checked whatever the method
        SolverInput input;
        if (method is SolveMethod.Dcdm or SolveMethod.PcgMg) input = FindVoxelSystem(s, a, flags, method);
        else if (s.Device != "cpu" && method == SolveMethod.Cg && a.Rows > 1) input = FindGrid(s, a, flags, out _) ?? AnyMatrix(s, a, flags, method);
        else input = AnyMatrix(s, a, flags, method);
        var op = input.Operator;
        var model = method == SolveMethod.Dcdm && s.Model is not null ? LoadModel(s.Model, tool) : null; // the default waits for the device
        var x = new double[a.Rows];
        SolveResult? result = null;
        using (var gpu = op is not null && s.Device == "auto" ? null : OpenDevice(s.Device, method, model)) // per-face coefficients: the CPU
        using (var progress = new ProgressLine(console, s.Method))
        {
            var options = new SolverOptions { Tolerance = s.Tolerance, MaxIterations = s.MaxIterations, Monitor = progress.Report };
            var catalog = new SolverCatalog(gpu is null ? null : new GpuSolvers(gpu));
            if (method == SolveMethod.Dcdm) model ??= ShippedModels.Default(); // without --model: the classical K-cycle, CPU or device
            var setup = TimeSpan.MaxValue;
            for (int run = 0; run < s.Repeat; run++)
            {
                ILinearSolver solver;
                try { solver = catalog.Create(method, input, options, model, s.K ?? 2); }
                catch (InvalidSystemException e) { throw new UsageException($"{s.Matrix}: {e.Message}; nothing was solved"); }
                using (solver as IDisposable)
                {
                    ReleaseGarbage(); // set-up's temporaries
                    Array.Clear(x);
                    var solved = solver.Solve(b, x, cancellation);
                    setup = solver.SetupTime < setup ? solver.SetupTime : setup;
                    if (result is null || solved.SolveTime < result.SolveTime) result = solved;
                }
            }
            result = result! with { SetupTime = setup };
            // a box other than n^3 read from the couplings: say so (and that --grid gives another)
            if (s.Flags is null && s.Grid is null && GridOf(input) is var (nx, ny, nz) && GridOperatorMatch.Cube(a.Rows) != (nx, ny, nz))
                result = result with
                {
                    Details = new Dictionary<string, string>(result.Details)
                    {
                        ["grid"] = (result.Details.TryGetValue("grid", out var box) ? $"{box}; " : "") + $"{nx}x{ny}x{nz} read from the matrix (--grid gives another)",
                    },
                };
        }
        return Finish(console, s, a, b, exact, (result, x, () => new ReducedSystem(a)));
    }

    /// <summary>
    /// The model --model names: kcycle (kcycle:W, kcycle:W:S), vcycle, stencil, or a file through this program's engines (one it lacks
    /// says where it runs). Without --model the solve takes the classical K-cycle (<see cref="ShippedModels.Default"/>).
    /// </summary>
    static IDirectionModel LoadModel(string path, DcdmTool tool)
    {
        if (!File.Exists(path))
        {
            if (ShippedModels.Named(path) is { } named) return named;
            if (path.StartsWith(KCycleDirectionModel.ArchitectureName + ":", StringComparison.Ordinal))
                throw new UsageException($"--model {path}: kcycle:W needs an SOR weight W in (0, 2), kcycle:W:S also S >= 1 sweeps, e.g. kcycle:1.15 or kcycle:1:2");
        }
        var file = ModelFile.Read(path);
        if (!tool.Models.Architectures.Contains(file.Architecture) && tool.OtherEngines is not null)
            throw new UsageException($"--model {path}: {tool.Name} has no engine for architecture '{file.Architecture}'; {tool.OtherEngines}");
        return tool.Models.Load(file);
    }

    static int Finish(CliConsole console, Settings s, CsrMatrix a, double[] b, double[]? exact, (SolveResult result, double[] x, Func<ReducedSystem> system) solved)
    {
        var (result, x, system) = solved;
        double? error = exact is null ? null : RelativeError(system(), x, exact);
        // b had a part outside A's range (a singular system): the residual is of the rest; say what b as given leaves
        // (not for the rounding a compatible b leaves: a removed share far below the tolerance)
        double? givenResidual = result.Projection is { } p && p.RelativeRemoved > 1e-3 * s.Tolerance ? GivenResidual(a, b, x) : null;
        if (s.Output is not null)
            MatrixMarketWriter.WriteVector(s.Output, x, $"solution of {Path.GetFileName(s.Matrix)} by dcdm {s.Method}: {result.Status}, relative residual {result.RelativeResidual:R}");
        if (s.History is not null) WriteHistory(s.History, result);
        if (s.Plot is not null)
            Plots.ConvergencePlot.WritePng(s.Plot, $"{Path.GetFileName(s.Matrix)}: {result.Method}, {result.Status}", [(result.Method, result.ResidualHistory)], s.Tolerance);

        if (s.Json) WriteJson(console.Out, s, a, result, error, givenResidual);
        else WriteTable(console.Out, s, a, result, error, givenResidual);
        return ExitCode.From(result.Status);
    }

    /// <summary>||b - A x|| / ||b|| with b as the file gives it; the terms times 2^-e, b's largest entry's exponent, so their
    /// squares stay in range for a b far from 1.</summary>
    static double GivenResidual(CsrMatrix a, double[] b, double[] x)
    {
        var ax = new double[b.Length];
        a.Multiply(x, ax);
        int e = LargestExponent(b);
        double rr = 0, bb = 0;
        for (int i = 0; i < b.Length; i++)
        {
            double r = Math.ScaleB(b[i] - ax[i], -e), bi = Math.ScaleB(b[i], -e);
            rr += r * r; bb += bi * bi;
        }
        return Math.Sqrt(rr / bb);
    }

    /// <summary>The exponent of v's largest finite entry (0 when none is nonzero).</summary>
    static int LargestExponent(double[] v)
    {
        double largest = 0;
        foreach (double value in v) if (double.IsFinite(value)) largest = Math.Max(largest, Math.Abs(value));
        return largest > 0 ? Math.ILogB(largest) : 0;
    }

    /// <summary>The grid shape the solver took (null: a general matrix).</summary>
    static (int, int, int)? GridOf(SolverInput input) =>
        input.Grid is { } g ? (g.Nx, g.Ny, g.Nz) : input.Operator is { } op ? (op.Nx, op.Ny, op.Nz) : null;

    /// <summary>The --flags file's grid (null without --flags), its errors naming the option; it must agree with --grid.</summary>
    static PoissonGrid? ReadFlags(Settings s)
    {
        if (s.Flags is null) return null;
        PoissonGrid flags;
        try { flags = CellFlagsFile.Read(s.Flags); }
        catch (IOException e) { throw new UsageException($"--flags {s.Flags}: {e.Message.TrimEnd('.')} (a cell flags file, as dcdm generate writes)"); }
        if (ParseGrid(s.Grid) is { } given && given != (flags.Nx, flags.Ny, flags.Nz))
            throw new UsageException($"--grid {s.Grid} and --flags {s.Flags} ({flags.Nx}x{flags.Ny}x{flags.Nz}) disagree; leave out --grid (the flags file has the grid's shape)");
        return flags;
    }

    /// <summary>
    /// The matrix as any SPD matrix (a method that reads neither a grid nor flags, or the device's CSR CG), once what
    /// --flags or --grid say of it is checked: a voxel system of that grid (the operator made for the check is dropped;
    /// it costs about what reading the matrix did).
    /// </summary>
    static SolverInput AnyMatrix(Settings s, CsrMatrix a, PoissonGrid? flags, SolveMethod method)
    {
        if (flags is not null || s.Grid is not null) _ = FindVoxelSystem(s, a, flags, method);
        return new SolverInput(a);
    }

    /// <param name="flags">The --flags file's grid, read by the caller (null without --flags).</param>
    static SolverInput? FindGrid(Settings s, CsrMatrix a, PoissonGrid? flags, out string why)
    {
        if (flags is not null) return SolverInput.OfGrid(a, flags, out why);
        return SolverInput.Infer(a, ParseGrid(s.Grid), out why); // checked once, as part of the inference
    }

    /// <summary>
    /// What pcg-mg and dcdm run on: the grid of a unit voxel operator, else a voxel operator with per-face coefficients
    /// (two-phase, cut-cell, ghost-fluid) on the grid of --flags (then the grid too when the matrix is compact: its
    /// rows are the flags' fluid cells) or --grid; without either, on the n^3 grid, then on the box the couplings name
    /// (<see cref="GridOperatorMatch.Shapes"/>, each as a unit operator first). None is a usage error naming the first
    /// bad row and why.
    /// </summary>
    static SolverInput FindVoxelSystem(Settings s, CsrMatrix a, PoissonGrid? flags, SolveMethod method)
    {
        string fix = method is SolveMethod.Dcdm or SolveMethod.PcgMg
            ? $"--method {s.Method} needs a 7-point voxel pressure matrix; use --method cg or pcg-ic0 for other matrices"
            : $"leave out {(s.Flags is not null ? "--flags" : "--grid")} to solve it as a general sparse matrix";
        if (flags is null && s.Grid is null)
        {
            var tried = new List<string>();
            foreach (var (nx, ny, nz) in GridOperatorMatch.Shapes(a)) // the couplings read only if the cube fits neither way
            {
                if (SolverInput.Infer(a, (nx, ny, nz), out _) is { } unit) return unit;
                if (VoxelOperator.Recognise(a, nx, ny, nz, null, out string why) is { } op) return new SolverInput(a, null, op);
                tried.Add($"as a {nx}x{ny}x{nz} grid, {why}");
            }
            if (tried.Count == 0)
                throw new UsageException($"{s.Matrix}: {a.Rows} rows is not n^3 and its couplings name no box; give the grid as --grid nx,ny,nz, "
                    + $"or --flags for a compact matrix; {fix}");
            throw new UsageException($"{s.Matrix}: {string.Join("; ", tried)}; if its grid is another, give it with --grid nx,ny,nz, or --flags for a compact matrix; {fix}");
        }
        if (FindGrid(s, a, flags, out _) is { } given) return given;
        if (flags is not null && a.Rows != flags.CellCount && a.Rows != flags.FluidCount)
            throw new UsageException($"{s.Matrix}: {a.Rows} rows, but --flags {s.Flags} has {flags.CellCount} cells ({flags.Nx}x{flags.Ny}x{flags.Nz}), "
                + $"{flags.FluidCount} of them fluid: a matrix with these flags has one row per cell or one per fluid cell; check that the flags belong to it"
                + (method is SolveMethod.Dcdm or SolveMethod.PcgMg ? "" : ", or leave out --flags"));
        // the compact layout: row k is the flags' k-th fluid cell
        bool compact = flags is not null && a.Rows == flags.FluidCount && a.Rows != flags.CellCount;
        var (gx, gy, gz) = flags is not null ? (flags.Nx, flags.Ny, flags.Nz) : ParseGrid(s.Grid)!.Value;
        var faces = VoxelOperator.Recognise(a, gx, gy, gz, compact ? flags!.FluidCells : null, out string reason)
            ?? throw new UsageException($"{s.Matrix}: {reason}{(flags is not null ? $" (with --flags {s.Flags})" : "")}; {fix}");
        if (flags is not null && !compact) CheckUnknownsAreFluid(s, faces, flags);
        return new SolverInput(a, compact ? flags : null, faces);
    }

    /// <summary>A full-grid matrix with per-face coefficients and --flags: every row with an equation is a fluid cell of
    /// the flags (a fluid cell may have none: closed on every face), else the flags are not this matrix's.</summary>
    static void CheckUnknownsAreFluid(Settings s, VoxelOperator op, PoissonGrid flags)
    {
        var cells = flags.Cells;
        for (int c = 0; c < op.CellCount; c++)
            if (cells[c] != CellType.Fluid && op.Diagonal(c) > 0) // the byte first: most cells are fluid
                throw new UsageException($"{s.Matrix}: row {c + 1} (cell {c % op.Nx},{c / op.Nx % op.Ny},{c / (op.Nx * op.Ny)}) has an equation, "
                    + $"but --flags {s.Flags} marks that cell {cells[c].ToString().ToLowerInvariant()}; check that the flags belong to this matrix");
    }

    /// <summary>
    /// The reader's triplets and set-up's temporaries (the model's stencil prediction) are large-object garbage the
    /// runtime would keep mapped through the solve; an aggressive collection after each returns their pages, so the
    /// process's peak is what the solver holds. A command does this; the library never does.
    /// </summary>
    static void ReleaseGarbage() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    static (int, int, int)? ParseGrid(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(',');
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0))
            throw new UsageException($"--grid '{text}': expected three positive integers nx,ny,nz, e.g. --grid 64,64,32");
        var v = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return (v[0], v[1], v[2]);
    }

    /// <summary>The accelerator for --device, or null for the plain C# CPU path: auto takes a GPU when present and
    /// the method runs there, else the CPU (never ILGPU's emulator); gpu and ilgpu-cpu let the catalog refuse what cannot run there.
    /// Also simulate's.</summary>
    internal static GpuDevice? OpenDevice(string device, SolveMethod method, IDirectionModel? model)
    {
        if (device == "cpu") return null;
        bool deviceHasIt = method is not (SolveMethod.PcgIc0 or SolveMethod.PcgMg)
            && (method != SolveMethod.Dcdm || model is null || Gpu.Models.DeviceDirections.Supports(model)); // null: the default, kcycle
        if (device == "auto" && !deviceHasIt) return null;
        if (method == SolveMethod.PcgIc0)
            throw new UsageException("--method pcg-ic0 runs on the CPU only (sequential triangular solves); use cg or pcg-jacobi with --device gpu");
        if (device == "ilgpu-cpu") return GpuDevice.Open(DeviceKind.Cpu);
        if (device == "auto") return GpuDevice.TryOpenGpu(); // without a GPU the plain CPU path, never the emulator
        try { return GpuDevice.Open(DeviceKind.Gpu); }
        catch (NoGpuException e) { throw new UsageException($"--device {device}: {e.Message.Split(';')[0]} (see 'dcdm info'); use --device cpu or auto"); }
    }

    /// <summary>||x - x*|| / ||x*|| over the unknowns, ignoring constants on singular components (they solve A x = 0).</summary>
    static double RelativeError(ReducedSystem system, double[] x, double[] exact)
    {
        var diff = new double[system.Unknowns];
        var reference = new double[system.Unknowns];
        var xr = new double[system.Unknowns];
        system.Restrict(x, xr);
        system.Restrict(exact, reference);
        for (int i = 0; i < diff.Length; i++) diff[i] = xr[i] - reference[i];
        system.RemoveNullSpace(diff);
        system.RemoveNullSpace(reference);
        double norm = VectorOps.Norm2(reference);
        return norm > 0 ? VectorOps.Norm2(diff) / norm : VectorOps.Norm2(diff);
    }

    static void WriteHistory(string path, SolveResult result)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("iteration,relative_residual");
        for (int i = 0; i < result.ResidualHistory.Count; i++)
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i},{result.ResidualHistory[i]:R}"));
    }

    static void WriteTable(TextWriter o, Settings s, CsrMatrix a, SolveResult r, double? error, double? givenResidual)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(inv, $"matrix      {s.Matrix} ({a.Rows} x {a.Columns}, {a.NonZeros} stored nonzeros)"));
        o.WriteLine($"method      {r.Method}");
        o.WriteLine($"status      {r.Status}: {r.Message}");
        o.WriteLine($"iterations  {r.Iterations}");
        if (givenResidual is { } given)
        {
            o.WriteLine(string.Create(inv, $"residual    {r.RelativeResidual:0.000e+00}  (true, ||b' - A x|| / ||b'||, b' = b less its part outside A's range; tolerance {s.Tolerance:g3})"));
            o.WriteLine(string.Create(inv, $"            {given:0.000e+00}  against b as given, where no x goes below {r.Projection!.RelativeRemoved:0.000e+00} (see projection)"));
        }
        else o.WriteLine(string.Create(inv, $"residual    {r.RelativeResidual:0.000e+00}  (true, ||b - A x|| / ||b||; tolerance {s.Tolerance:g3})"));
        if (error is { } e) o.WriteLine(string.Create(inv, $"error       {e:0.000e+00}  (||x - x*|| / ||x*||; b = A x*, x* = 1 on rows with entries, 0 on empty ones)"));
        o.WriteLine(string.Create(inv, $"setup       {r.SetupTime.TotalMilliseconds:F1} ms"));
        o.WriteLine(string.Create(inv, $"solve       {r.SolveTime.TotalMilliseconds:F1} ms ({(r.Iterations > 0 ? r.SolveTime.TotalMilliseconds / r.Iterations : 0):F3} ms per iteration)"));
        if (r.Projection is { } p)
            o.WriteLine(string.Create(inv, $"projection  b made compatible: {p.SingularComponents} singular component(s); removed {p.RelativeRemoved:0.000e+00} of ||b||"));
        foreach (var (key, value) in r.Details) o.WriteLine($"note        {key}: {value}");
        if (s.Output is not null) o.WriteLine($"x written   {s.Output}");
        if (s.Plot is not null) o.WriteLine($"plot        {s.Plot}");
    }

    static void WriteJson(TextWriter o, Settings s, CsrMatrix a, SolveResult r, double? error, double? givenResidual)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("matrix", s.Matrix);
            w.WriteNumber("rows", a.Rows);
            w.WriteNumber("nonzeros", a.NonZeros);
            w.WriteString("method", r.Method);
            w.WriteString("status", r.Status.ToString());
            w.WriteBoolean("converged", r.Converged);
            w.WriteString("message", r.Message);
            w.WriteNumber("iterations", r.Iterations);
            w.WriteNumber("tolerance", s.Tolerance);
            WriteNumber(w, "relativeResidual", r.RelativeResidual);
            if (givenResidual is { } given) WriteNumber(w, "relativeResidualOfGivenB", given);
            if (error is { } e) WriteNumber(w, "relativeError", e);
            w.WriteNumber("setupSeconds", r.SetupTime.TotalSeconds);
            w.WriteNumber("solveSeconds", r.SolveTime.TotalSeconds);
            w.WriteNumber("residualReplacements", r.ResidualReplacements);
            if (r.Projection is { } p)
            {
                w.WriteStartObject("projection");
                w.WriteNumber("singularComponents", p.SingularComponents);
                w.WriteNumber("removedNorm", p.RemovedNorm);
                w.WriteNumber("originalNorm", p.OriginalNorm);
                w.WriteEndObject();
            }
            w.WriteStartObject("details");
            foreach (var (key, value) in r.Details) WriteDetail(w, key, value);
            w.WriteEndObject();
            w.WriteStartArray("residualHistory");
            foreach (double h in r.ResidualHistory) WriteNumberValue(w, h);
            w.WriteEndArray();
            if (s.Output is not null) w.WriteString("solutionFile", s.Output);
            if (s.Plot is not null) w.WriteString("plotFile", s.Plot);
            w.WriteEndObject();
        }
        o.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>A detail as a number where it is one ("2"), "36.6 ms" as a number under "key ms", else as text.</summary>
    static void WriteDetail(Utf8JsonWriter w, string key, string value)
    {
        var inv = CultureInfo.InvariantCulture;
        if (double.TryParse(value, NumberStyles.Float, inv, out double number)) w.WriteNumber(key, number);
        else if (value.EndsWith(" ms", StringComparison.Ordinal) && double.TryParse(value[..^3], NumberStyles.Float, inv, out double ms)) w.WriteNumber(key + " ms", ms);
        else w.WriteString(key, value);
    }

    // JSON has no NaN: write null instead.
    static void WriteNumber(Utf8JsonWriter w, string name, double v) { if (double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name); }
    static void WriteNumberValue(Utf8JsonWriter w, double v) { if (double.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue(); }
}
