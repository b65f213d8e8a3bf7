using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Preconditioners;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// The one place that decides which solver serves a method on an input, on the CPU or on an accelerator
/// (given as <see cref="IDeviceSolvers"/>). The command line, the benchmark and library users go through it.
/// Whatever it returns takes b and x in the input's layout (one entry per matrix row).
/// </summary>
public sealed class SolverCatalog(IDeviceSolvers? device = null)
{
    /// <summary>Every method, in the order of <see cref="SolveMethod"/>: a new method is one entry here (and its own files).</summary>
    static readonly MethodEntry[] Methods =
    [
        // on a device a grid's own operator runs matrix-free (one byte a cell, float32 steps); other matrices in CSR
        MethodEntry.Krylov(SolveMethod.Cg, "cg", PreconditionerKind.None, (d, input, a) =>
            (input.Grid is { } grid && input.Operator is null && input.Matrix.Rows > 1 ? d.GridConjugateGradient(grid, a.Options)
                : d.ConjugateGradient(input.Matrix, PreconditionerKind.None, a.Options), "")) with { DeviceRunsTheGrid = true },
        MethodEntry.Krylov(SolveMethod.PcgJacobi, "pcg-jacobi", PreconditionerKind.Jacobi, (d, input, a) =>
            (d.ConjugateGradient(input.Matrix, PreconditionerKind.Jacobi, a.Options), "")),
        MethodEntry.Krylov(SolveMethod.PcgIc0, "pcg-ic0", PreconditionerKind.IncompleteCholesky, (_, _, _) =>
            (null, "IC(0) runs on the CPU only (sequential triangular solves); use cg or pcg-jacobi on the device")),
        new(SolveMethod.PcgMg, "pcg-mg", ForMatrix: null,
            // on the unknowns in the compact matrix's pattern (CompactStencil, nothing assembled), on the box around the
            // fluid cells where that is smaller (their order, so a compact matrix, is the same)
            (grid, compact, a) => CroppedGridSolver.Around(grid, g => new ConjugateGradient(g, compact, "pcg-mg", a.Options,
                unknowns => new Multigrid.AggregateMultigrid(g, unknowns))),
            // on the box around the unknowns where that is smaller (the caller's full-grid matrix serves the whole grid only,
            // a compact one the box too: the unknowns keep their order)
            (op, matrix, a) => CroppedOperatorSolver.Around(op, o => new ConjugateGradient(o, OperatorMatrix.For(o, op, matrix), "pcg-mg", a.Options,
                unknowns => new Multigrid.AggregateMultigrid(o, unknowns))),
            // the float32 K-cycle on aggregates with double reliable updates; on a voxel operator its cells are a CSR level
            (d, input, a) => (input.Operator is { } op ? d.MultigridConjugateGradient(op, a.Options) : d.MultigridConjugateGradient(input.Grid!, a.Options), "")),
        // the grid was checked against the matrix: a compact matrix is DCDM's as is where the full grid does not pay
        new(SolveMethod.Dcdm, "dcdm", ForMatrix: null,
            // the K-cycle models' directions see a cell's 3x3x3 neighbourhood at most (the vcycle model's weight predictor is
            // one 3x3x3 convolution), which the box's one cell of margin holds: the box around the fluid cells serves them
            (grid, compact, a) => a.Model is KCycleDirectionModel or VCycleDirectionModel
                ? CroppedGridSolver.Around(grid, g => new DeepConjugateDirections(g, a.Model, a.Options, a.PreviousDirections, compact, matrixIsGridOperator: true))
                : new DeepConjugateDirections(grid, a.Model!, a.Options, a.PreviousDirections, compact, matrixIsGridOperator: true),
            (op, matrix, a) => CroppedOperatorSolver.Around(op, o => new DeepConjugateDirections(o, a.Model!, a.Options, a.PreviousDirections,
                OperatorMatrix.For(o, op, matrix))),
            (d, input, a) => input.Operator is { } op
                ? (d.DeepConjugateDirections(op, a.Model!, a.Options, a.PreviousDirections, out string onFaces), onFaces)
                : (d.DeepConjugateDirections(input.Grid!, a.Model!, a.Options, a.PreviousDirections, out string reason), reason)),
    ];

    /// <summary>Whether the solvers come from a device.</summary>
    internal bool OnDevice => device is not null;

    /// <summary>Method names as users type them, in the order of <see cref="SolveMethod"/>.</summary>
    public static IReadOnlyList<string> MethodNames { get; } = [.. Methods.Select(m => m.Name)];

    public static string NameOf(SolveMethod method) => Entry(method).Name;

    static MethodEntry Entry(SolveMethod method) => Methods.FirstOrDefault(m => m.Method == method)
        ?? throw new ArgumentOutOfRangeException(nameof(method), $"no catalog entry for {method}");

    /// <exception cref="ArgumentException">Not one of <see cref="MethodNames"/>.</exception>
    public static SolveMethod Parse(string name) => Methods.FirstOrDefault(m => m.Name == name)?.Method
        ?? throw new ArgumentException($"unknown method '{name}'; expected one of {string.Join(", ", MethodNames)}", nameof(name));

    /// <param name="model">The direction model (dcdm only).</param>
    /// <param name="previousDirections">dcdm's k.</param>
    /// <exception cref="InvalidSystemException">The method does not apply to this input (or not on this device); the message says what does.</exception>
    public ILinearSolver Create(SolveMethod method, SolverInput input, SolverOptions? options = null, IDirectionModel? model = null, int previousDirections = 2)
    {
        options ??= SolverOptions.Default;
        if (method == SolveMethod.Dcdm && model is null) throw new ArgumentNullException(nameof(model), "dcdm needs a direction model");
        var entry = Entry(method);
        if (input.Operator is { } op)
        {
            int rows = input.IsCompact ? input.Grid!.FluidCount : op.CellCount;
            if (entry.NeedsVoxelSystem && rows != input.Matrix.Rows)
                throw new InvalidSystemException($"the voxel operator has {op.CellCount} cells but the matrix {input.Matrix.Rows} rows; give it in the full-grid "
                    + "layout, or in the compact one with the grid whose fluid cells its rows are");
            // the matrix is the operator's own (recognised from it), full-grid or compact: its CSR is not built again
            if (entry.NeedsVoxelSystem && device is null)
                return InInputLayout(CreateForOperator(method, op, options, model, previousDirections, new OperatorMatrix(input.Matrix, input.IsCompact)), input);
        }
        else if (entry.NeedsVoxelSystem && input.Grid is null)
        {
            var general = Methods.Where(m => !m.NeedsVoxelSystem).Select(m => m.Name).ToArray();
            throw new InvalidSystemException($"{entry.Name} needs a 7-point voxel pressure matrix (a grid's, or one with per-face coefficients); "
                + $"{string.Join(", ", general[..^1])} and {general[^1]} solve any SPD matrix");
        }
        // the grid solvers run the grid's operator: it must be the matrix the caller's b and x belong to
        else if (input.Grid is { } grid && (entry.NeedsVoxelSystem || device is not null && entry.DeviceRunsTheGrid) && !input.GridIsChecked
            && !GridOperatorMatch.Matches(grid, input.Matrix, input.IsCompact ? GridMatrixLayout.Compact : GridMatrixLayout.FullGrid, out string why))
            throw new InvalidSystemException($"the matrix is not the 7-point operator of its grid: {why}");
        var arguments = new MethodArguments(options, model, previousDirections);
        if (device is not null)
        {
            ILinearSolver OnDevice(SolverInput on)
            {
                var (solver, reason) = entry.OnDevice(device, on, arguments);
                return solver ?? throw new InvalidSystemException($"{entry.Name} on {device.Name}: {reason}");
            }
            // the hierarchy's methods on an operator whose diagonals lie far from 1 run on it times a power of two, as on
            // the CPU: the device's float32 cycle would not hold it (the device's pcg-mg and DCDM read the operator
            // alone: the caller's matrix stays, for the layout)
            return InInputLayout(entry.NeedsVoxelSystem && input.Operator is { } far
                ? ScaledOperatorSolver.Around(far, o => OnDevice(ReferenceEquals(o, far) ? input : input with { Operator = o }), arguments.Options.UseInitialGuess)
                : OnDevice(input), input);
        }
        return entry.ForMatrix is { } forMatrix ? forMatrix(input.Matrix, arguments)
            : InInputLayout(entry.ForGrid(input.Grid!, input.IsCompact ? input.Matrix : null, arguments), input);
    }

    /// <summary>
    /// A solver for a voxel grid's own 7-point operator taking full-grid vectors (one entry per cell, the layout a CFD
    /// code holds), e.g. for <see cref="PressureSolver"/>. On the CPU no full-grid matrix is assembled: the unknowns come
    /// from the flags (<see cref="ReducedSystem.FromGrid"/>) and cg, pcg-jacobi and pcg-ic0 assemble the compact operator.
    /// </summary>
    /// <exception cref="InvalidSystemException">The grid has no unknown, or the method does not run on this device.</exception>
    public ILinearSolver CreateForGrid(SolveMethod method, PoissonGrid grid, SolverOptions? options = null, IDirectionModel? model = null, int previousDirections = 2)
    {
        options ??= SolverOptions.Default;
        if (method == SolveMethod.Dcdm && model is null) throw new ArgumentNullException(nameof(model), "dcdm needs a direction model");
        if (device is not null) return Create(method, new SolverInput(grid.ToCsr(GridMatrixLayout.FullGrid), grid), options, model, previousDirections);
        return Entry(method).ForGrid(grid, null, new MethodArguments(options, model, previousDirections));
    }

    /// <summary>
    /// A solver for a voxel operator with per-face coefficients (two-phase, cut-cell, ghost-fluid), vectors one entry per
    /// cell: pcg-mg and dcdm on its own multigrid hierarchy (<see cref="Multigrid.AggregateMultigrid"/>), dcdm with the
    /// K-cycle model only; cg, pcg-jacobi and pcg-ic0 on its matrix. On a device: pcg-mg, dcdm (the K-cycle), cg and pcg-jacobi.
    /// pcg-mg and dcdm on the CPU read the operator's face arrays in every solve (nothing of the fine level is copied
    /// into a matrix): leave them unchanged while the solver is in use, or bind each step's operator through
    /// <see cref="PressureSolver"/>, which copies it.
    /// </summary>
    /// <exception cref="InvalidSystemException">dcdm with a learned model (they read cell flags, not coefficients); pcg-mg on a device
    /// where the faces span more than 10^6 (its float32 steps; dcdm there takes them).</exception>
    public ILinearSolver CreateForOperator(SolveMethod method, VoxelOperator op, SolverOptions? options = null, IDirectionModel? model = null, int previousDirections = 2)
        => CreateForOperator(method, op, options, model, previousDirections, matrix: null);

    /// <param name="matrix">The operator's matrix when the caller has it, full-grid or compact; null: built from the
    /// coefficients (<see cref="ReducedSystem.FromOperator(VoxelOperator, OperatorMatrix?)"/>).</param>
    ILinearSolver CreateForOperator(SolveMethod method, VoxelOperator op, SolverOptions? options, IDirectionModel? model, int previousDirections, OperatorMatrix? matrix)
    {
        options ??= SolverOptions.Default;
        if (method == SolveMethod.Dcdm && model is null) throw new ArgumentNullException(nameof(model), "dcdm needs a direction model");
        if (device is not null) return Create(method, new SolverInput(matrix is { OnFluidCells: false } full ? full.Matrix : op.ToCsr(), null, op), options, model, previousDirections);
        var (entry, arguments) = (Entry(method), new MethodArguments(options, model, previousDirections));
        // the hierarchy's methods on an operator whose diagonals lie far from 1 run on it times a power of two (exact):
        // their vectors would otherwise leave double's normal range
        return entry.NeedsVoxelSystem ? ScaledOperatorSolver.Around(op, o => entry.ForOperator(o, ReferenceEquals(o, op) ? matrix : null, arguments), options.UseInitialGuess)
            : entry.ForOperator(op, matrix, arguments);
    }

    /// <summary>A solver working on the grid's cells, made to take the input's vectors.</summary>
    static ILinearSolver InInputLayout(ILinearSolver solver, SolverInput input) =>
        input.Grid is null || !input.IsCompact || solver.Size != input.Grid.CellCount ? solver
        : solver is CroppedGridSolver cropped ? cropped.ServingCompactVectors() // straight to the box, not through the whole grid
        : new CompactGridSolver(solver, input.Grid);
}
