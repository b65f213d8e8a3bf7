using System.Diagnostics;
using Dcdm.Models;
using Dcdm.Poisson;

namespace Dcdm.Solvers;

/// <summary>
/// The pressure solve of a CFD time loop: one method and its options, bound to the current fluid domain and
/// re-bound when the domain changes (a free surface moves), with full-grid vectors (one value per cell, x fastest:
/// the layout a CFD code holds). <see cref="Bind(PoissonGrid)"/> is free when the cell flags did not change; otherwise it sets up
/// the method on the new flags (unknowns, preconditioner or multigrid hierarchy, the model's stencils, work vectors),
/// timed in <see cref="BindTime"/>. The flags are copied into one of two buffers kept for the grid's size, so the
/// caller may reuse its flag array between steps. A re-bind disposes the last solver first and hands its work arrays
/// (vectors, the fine level, its maps) to the new set-up where their lengths match; the box around the fluid cells is
/// kept while the fluid stays in it, so those lengths stay from step to step (<see cref="RebindCache"/>). A bind the
/// method refuses (<see cref="InvalidSystemException"/>) sets the last binding up again, so the solver stays as it was.
/// Not thread-safe; dispose it (device buffers) with <c>using</c>.
/// </summary>
public sealed class PressureSolver : IDisposable
{
    readonly SolverCatalog _catalog;
    readonly IDirectionModel? _model;
    readonly int _previousDirections;
    CellType[]? _bound, _spare; // the flags the solver runs on, and the buffer the next re-bind fills
    VoxelOperator? _boundOperator; // the coefficients the solver runs on (a copy), when bound to an operator
    ILinearSolver? _solver;
    readonly RebindCache _cache = new(); // the last binding's arrays and box, for the next
    internal RebindCache Cache => _cache;

    public SolveMethod Method { get; }
    public SolverOptions Options { get; }
    /// <summary>The domain of the last <see cref="Bind(PoissonGrid)"/> (a copy of its flags); null before the first.</summary>
    public PoissonGrid? Grid { get; private set; }
    /// <summary>The operator of the last <see cref="Bind(VoxelOperator)"/> (a copy); null when the last bind took a grid.</summary>
    public VoxelOperator? Operator => _boundOperator;
    /// <summary>Time of the last <see cref="Bind(PoissonGrid)"/>: the flag comparison, plus the set-up when the flags changed.</summary>
    public TimeSpan BindTime { get; private set; }
    /// <summary>Whether the last <see cref="Bind(PoissonGrid)"/> set the method up again (false: the flags were unchanged).</summary>
    public bool Rebuilt { get; private set; }
    /// <summary>Set-ups so far (the first bind included).</summary>
    public int SetupCount { get; private set; }

    /// <param name="catalog">Where the solver comes from (the CPU when null, or a device's catalog).</param>
    /// <param name="model">The direction model (dcdm only), e.g. <see cref="StencilDirectionModel.Shipped"/>.</param>
    public PressureSolver(SolveMethod method, SolverOptions? options = null, IDirectionModel? model = null, SolverCatalog? catalog = null, int previousDirections = 2)
    {
        if (method == SolveMethod.Dcdm && model is null) throw new ArgumentNullException(nameof(model), "dcdm needs a direction model, e.g. StencilDirectionModel.Shipped()");
        Method = method;
        Options = options ?? SolverOptions.Default;
        _model = model;
        _catalog = catalog ?? new SolverCatalog();
        _previousDirections = previousDirections;
    }

    /// <summary>
    /// Binds to this step's domain. Returns true when the method was set up again (the flags or the size changed),
    /// false when the flags equal the last bind's (nothing is rebuilt).
    /// </summary>
    /// <exception cref="InvalidSystemException">The domain has no fluid cell with an open neighbour (the last binding stays).</exception>
    public bool Bind(PoissonGrid grid)
    {
        long start = Stopwatch.GetTimestamp();
        var cells = grid.Cells;
        bool sameSize = Grid is { } old && old.Nx == grid.Nx && old.Ny == grid.Ny && old.Nz == grid.Nz;
        if (sameSize && cells.SequenceEqual(_bound))
        {
            Rebuilt = false;
            BindTime = Stopwatch.GetElapsedTime(start);
            return false;
        }
        // the new flags go to the spare buffer: the current solver's grid keeps its own until it is replaced
        var flags = sameSize ? _spare! : new CellType[cells.Length];
        cells.CopyTo(flags);
        var bound = new PoissonGrid(grid.Nx, grid.Ny, grid.Nz, flags);
        SetUp(() => _catalog.CreateForGrid(Method, bound, Options, _model, _previousDirections));
        _spare = sameSize ? _bound : new CellType[cells.Length];
        (_bound, Grid, _boundOperator) = (flags, bound, null);
        SetupCount++;
        Rebuilt = true;
        BindTime = Stopwatch.GetElapsedTime(start);
        return true;
    }

    /// <summary>
    /// Binds to this step's operator with per-face coefficients (two-phase densities, cut-cell fractions, ghost-fluid
    /// terms; <see cref="VoxelOperator"/>). Returns true when the method was set up again, false when the coefficients
    /// equal the last bind's. The coefficients are copied, so the caller may refill its arrays between steps.
    /// </summary>
    /// <exception cref="InvalidSystemException">dcdm with a learned model (they read flags, not coefficients; the last
    /// binding stays).</exception>
    public bool Bind(VoxelOperator op)
    {
        long start = Stopwatch.GetTimestamp();
        if (_boundOperator is { } old && old.Nx == op.Nx && old.Ny == op.Ny && old.Nz == op.Nz && old.FaceX.AsSpan().SequenceEqual(op.FaceX)
            && old.FaceY.AsSpan().SequenceEqual(op.FaceY) && old.FaceZ.AsSpan().SequenceEqual(op.FaceZ) && old.Dirichlet.AsSpan().SequenceEqual(op.Dirichlet))
        {
            Rebuilt = false;
            BindTime = Stopwatch.GetElapsedTime(start);
            return false;
        }
        var copy = op.CheckedCopy(); // its arrays may have been refilled since it was made
        SetUp(() => _catalog.CreateForOperator(Method, copy, Options, _model, _previousDirections));
        (_boundOperator, Grid, _bound, _spare) = (copy, null, null, null);
        SetupCount++;
        Rebuilt = true;
        BindTime = Stopwatch.GetElapsedTime(start);
        return true;
    }

    /// <summary>
    /// Solves A p = b on the bound domain. b and x have one entry per cell; x is 0 on return off the unknowns.
    /// <paramref name="settings"/> per solve, e.g. <see cref="SolveSettings.FromGuess"/> to start from the x passed in
    /// (the last step's pressure).
    /// </summary>
    /// <exception cref="InvalidOperationException">No domain was bound yet.</exception>
    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings? settings = null, CancellationToken cancellation = default)
    {
        if (_solver is null) throw new InvalidOperationException("PressureSolver.Solve before Bind: bind this step's PoissonGrid or VoxelOperator first");
        return _solver.Solve(b, x, settings ?? SolveSettings.None, cancellation);
    }

    /// <summary>
    /// The new solver from <paramref name="create"/>: the bound one is disposed first so the set-up takes its arrays
    /// (on the CPU; a device's solvers keep theirs on the device). When the method refuses the new input, the last
    /// binding is set up again, on new arrays (the refused set-up may have taken some), and the refusal goes on.
    /// </summary>
    void SetUp(Func<ILinearSolver> create)
    {
        var (lastGrid, lastOperator) = (Grid, _boundOperator);
        Release();
        try
        {
            using (_catalog.OnDevice ? null : _cache.Begin()) _solver = create();
        }
        catch (InvalidSystemException) when (lastGrid is not null || lastOperator is not null)
        {
            _solver = lastOperator is not null ? _catalog.CreateForOperator(Method, lastOperator, Options, _model, _previousDirections)
                : _catalog.CreateForGrid(Method, lastGrid!, Options, _model, _previousDirections);
            throw;
        }
    }

    /// <summary>Disposes the bound solver (a solver that throws on disposal is not kept either).</summary>
    void Release()
    {
        var solver = _solver;
        _solver = null;
        solver?.Dispose();
    }

    public void Dispose()
    {
        Release();
        _cache.Clear();
    }
}
