using System.Diagnostics;
using System.Globalization;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// The Deep Conjugate Direction Method (Kaneda et al. 2023) on a voxel grid:
///   q = f(r / ||r||);  q -= sum_j (q.A p_j)/(p_j.A p_j) p_j over the last k directions;
///   alpha = (q.r)/(q.A q);  x += alpha q;  r -= alpha A q,
/// stopping on the true residual like the other solvers. Safeguards the paper lacks: a direction
/// that is NaN, zero, or (after orthogonalisation) nearly orthogonal to r or with q.Aq &lt;= 0 is
/// replaced by r for that step and counted; and when the best residual of the last 20 iterations is
/// not 2x below the best before them (a model that does not fit the problem makes DCDM stall where CG
/// converges) the rest of the solve goes to multigrid-preconditioned CG (pcg-mg) from the current x. The result
/// reports both.
/// Vectors are full-grid (one entry per cell); the operator is the grid's 7-point matrix.
/// </summary>
public sealed class DeepConjugateDirections : ILinearSolver, IUnknownsSolver
{
    /// <summary>When the rest of a solve goes to the fallback (default: 20 iterations, 2x).</summary>
    public StallTest Stall { get; init; } = StallTest.Default;

    readonly ReducedSystem _system;
    readonly Func<ReducedSystem, Multigrid.AggregateMultigrid> _fallbackCycle;
    readonly SolverOptions _options;
    readonly int _k;
    readonly SolveFrame _frame;
    readonly IHostOperator _product; // the iteration's: _matrixFree, or one on the unknowns
    readonly IVectorBackend<double[]> _backend;
    readonly IHostOperator? _matrixFree; // the product on the full grid; null: the iteration runs on the unknowns
    readonly NetworkDirection _direction;
    readonly IDirection _bound; // the model bound to this system: the K-cycle's cycle also serves the fallback
    readonly DirectionVectors<double[]> _vectors;
    readonly double[] _b, _x, _r;
    MultigridFallback? _fallback; // made at the first stall, kept for the next solves

    public string Method => "dcdm";
    public int Size => _system.FullSize;
    public TimeSpan SetupTime { get; }
    public string ModelDescription { get; }
    public ReducedSystem System => _system;

    /// <param name="matrix">
    /// The grid's operator when the caller has it: in the full-grid layout (one row per cell) or the compact one
    /// (one row per fluid cell, used as is). Null: the grid's unknowns are found without assembling a full-grid matrix.
    /// </param>
    /// <param name="previousDirections">k, the directions each new one is A-orthogonalised against (paper: 2).</param>
    public DeepConjugateDirections(PoissonGrid grid, IDirectionModel model, SolverOptions? options = null, int previousDirections = 2, CsrMatrix? matrix = null)
        : this(grid, model, options, previousDirections, matrix, matrixIsGridOperator: false) { }

    /// <param name="matrixIsGridOperator">The caller (the catalog) matched a compact matrix against the grid's 7-point
    /// operator entry for entry, so it is symmetric: its symmetry check (about 15 ms at 64^3) is not repeated, and the
    /// iteration runs on its pattern only (<see cref="CompactStencil"/>).</param>
    internal DeepConjugateDirections(PoissonGrid grid, IDirectionModel model, SolverOptions? options, int previousDirections, CsrMatrix? matrix,
                                     bool matrixIsGridOperator)
        : this(Stopwatch.StartNew(), GridSystem(grid, matrix, matrixIsGridOperator), system => Bind(model, grid), model.Description, options, previousDirections,
            system => new Multigrid.AggregateMultigrid(grid, system),
            matrixFree: _ => null,
            onUnknowns: system => matrix is null ? new CompactStencil(grid) // nothing assembled
                : matrixIsGridOperator ? CompactStencil.For(system, grid) : new CsrOperator(system.Matrix)) { }

    /// <summary>
    /// DCDM on a voxel operator with per-face coefficients (two-phase, cut-cell, ghost-fluid), vectors one entry per
    /// cell. Its directions come from the K-cycle on that operator (<see cref="KCycleDirectionModel"/>): the learned
    /// models read cell flags, not coefficients, and are refused here. Every solve reads the operator's face arrays
    /// (they are not copied): leave them unchanged while the solver is in use.
    /// </summary>
    /// <exception cref="InvalidSystemException">The model is not the K-cycle.</exception>
    public DeepConjugateDirections(VoxelOperator op, IDirectionModel model, SolverOptions? options = null, int previousDirections = 2)
        : this(op, model, options, previousDirections, matrix: null) { }

    /// <param name="matrix">The operator's matrix when the caller has it, full-grid or compact (null: built from the
    /// coefficients; <see cref="ReducedSystem.FromOperator(VoxelOperator, OperatorMatrix?)"/>).</param>
    internal DeepConjugateDirections(VoxelOperator op, IDirectionModel model, SolverOptions? options, int previousDirections, OperatorMatrix? matrix)
        : this(Stopwatch.StartNew(), ReducedSystem.FromOperator(op, matrix),
            model is KCycleDirectionModel kcycle ? system => kcycle.Bind(op, system)
                : throw new InvalidSystemException(KCycleDirectionModel.RefusalOnFaces(model)),
            model is KCycleDirectionModel onFaces ? onFaces.DescriptionOnFaces : model.Description, options, previousDirections, system => new Multigrid.AggregateMultigrid(op, system),
            system => FaceStencil.Pays(system) ? new FaceStencil(op, system.DiagonalOf(op)) : null) { }

    // arguments run left to right: the clock starts before the system is built
    /// <param name="matrixFree">The product the iteration runs on the full grid without assembling a matrix (an operator's
    /// <see cref="FaceStencil"/>), given the system; null: on the unknowns.</param>
    /// <param name="onUnknowns">The product on the unknowns where none runs on the full grid (a grid's own operator needs
    /// only the matrix's pattern, <see cref="CompactStencil"/>); null: the system's CSR matrix.</param>
    DeepConjugateDirections(Stopwatch clock, ReducedSystem system, Func<ReducedSystem, IDirection> bind, string description, SolverOptions? options,
        int previousDirections, Func<ReducedSystem, Multigrid.AggregateMultigrid> fallbackCycle, Func<ReducedSystem, IHostOperator?> matrixFree,
        Func<ReducedSystem, IHostOperator>? onUnknowns = null)
    {
        if (previousDirections < 0) throw new ArgumentOutOfRangeException(nameof(previousDirections), "k must be >= 0");
        _options = options ?? SolverOptions.Default;
        _k = previousDirections;
        _system = system;
        _fallbackCycle = fallbackCycle;
        _matrixFree = matrixFree(system);
        int n = _matrixFree is null ? _system.Unknowns : _system.FullSize;
        _product = _matrixFree ?? onUnknowns?.Invoke(system) ?? new CsrOperator(_system.Matrix);
        _backend = new HostBackend(_product);
        _bound = bind(system);
        _direction = new NetworkDirection(_matrixFree is null ? _system.Active : null, _bound, _system.FullSize);
        // every entry written before any is read: b and x by the frame, r by the first residual, each slot's q by the
        // direction and Aq by the product (the fallback's CG writes the three it borrows first too)
        _vectors = new DirectionVectors<double[]>(_k, () => RebindCache.Array<double>(n, zeroed: false));
        _b = RebindCache.Array<double>(n, zeroed: false); _x = RebindCache.Array<double>(n, zeroed: false); _r = RebindCache.Array<double>(n, zeroed: false);
        _frame = new SolveFrame(Method, _system, _matrixFree is null ? SolveFrame.Layout.Unknowns : SolveFrame.Layout.AllRows, "one per grid cell");
        ModelDescription = description;
        SetupTime = clock.Elapsed;
    }

    /// <summary>The model bound to the grid; a caller's model binds outside a re-bind's cache (it may keep what it binds).</summary>
    static IDirection Bind(IDirectionModel model, PoissonGrid grid)
    {
        using (RebindCache.SuspendFor(model)) return model.Bind(grid);
    }

    static ReducedSystem GridSystem(PoissonGrid grid, CsrMatrix? matrix, bool matrixIsGridOperator)
    {
        if (matrix is null) return ReducedSystem.FromGrid(grid);
        if (matrix.Rows == grid.CellCount) return ConjugateGradient.CheckedSystem(matrix, "DCDM");
        if (matrix.Rows == grid.FluidCount && matrix.IsSquare)
        {
            if (!matrixIsGridOperator && matrix.CheckSymmetry() is { IsSymmetric: false } symmetry)
                throw new InvalidSystemException($"DCDM needs a symmetric positive-definite matrix; this one is {symmetry}");
            return ReducedSystem.FromGrid(grid, matrix);
        }
        throw new InvalidSystemException(
            $"the matrix has {matrix.Rows} rows but the grid {grid.Nx}x{grid.Ny}x{grid.Nz} has {grid.CellCount} cells "
            + $"and {grid.FluidCount} fluid cells; DCDM needs one of those layouts");
    }

    /// <summary>The cycle the stall fallback ran (null before a stall): the K-cycle direction's own, or one made for it.</summary>
    internal Multigrid.AggregateMultigrid? FallbackCycle => _fallback?.Cycle;
    /// <summary>The product the iteration runs on (the full grid's, or one on the unknowns).</summary>
    internal IHostOperator Product => _product;
    /// <summary>The model bound to this system.</summary>
    internal IDirection BoundDirection => _bound;

    /// <summary>Nothing to release: the CPU solvers hold managed arrays only.</summary>
    public void Dispose() { }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default) =>
        ((IUnknownsSolver)this).Run(_frame, b, x, settings, cancellation);

    SolveFrame IUnknownsSolver.Frame => _frame;

    SolveResult IUnknownsSolver.Run(SolveFrame frame, ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation)
    {
        var options = settings.Over(_options);
        var details = new Dictionary<string, string> { ["model"] = ModelDescription, ["k"] = _k.ToString(CultureInfo.InvariantCulture) };
        if (_bound is KCycleDirection kcycle) details["levels"] = kcycle.Cycle.Describe();
        int replaced = 0;
        _direction.Time = TimeSpan.Zero;
        var result = frame.Run(b, x, _b, _x, options, SetupTime, details, (bNorm, history, ct) =>
        {
            var (end, replacedDirections) = DeepConjugateDirectionsIteration.Run(_backend, _direction, _vectors, _b, _x, _r, bNorm, Stall, options, history, ct,
                fromZero: !options.UseInitialGuess);
            replaced = replacedDirections;
            return end;
        }, _fallback ??= new MultigridFallback(this), cancellation);
        details["replaced directions"] = replaced.ToString(CultureInfo.InvariantCulture);
        details["direction time"] = string.Create(CultureInfo.InvariantCulture, $"{_direction.Time.TotalMilliseconds:F1} ms");
        return result;
    }

    /// <summary>
    /// The network fed and read on the iteration's vectors: q = f(r / ||r||). A direction that works on them directly
    /// (the K-cycle, the vcycle model) gets r and q as they are; any other gets them copied into and out of a full grid
    /// of floats. <paramref name="active"/>: the cell of each vector entry; null when the vectors are the full grid (an
    /// operator's faces, whose direction is the K-cycle's on them).
    /// </summary>
    sealed class NetworkDirection(int[]? active, IDirection direction, int cells) : IDirectionSource<double[]>
    {
        readonly IDirectionOnUnknowns? _onUnknowns = direction as IDirectionOnUnknowns;
        readonly float[] _field = direction is IDirectionOnUnknowns ? [] : RebindCache.Array<float>(cells); // r / ||r|| in, q out: one buffer
        public TimeSpan Time { get; set; }

        public void Direction(double[] r, double rNorm, double[] q)
        {
            long start = Stopwatch.GetTimestamp();
            if (_onUnknowns is not null) _onUnknowns.Apply(r, 1 / rNorm, active, q);
            else
            {
                float scale = (float)(1 / rNorm);
                // r is written on the unknowns only: elsewhere the buffer holds the last q, which the network must not see
                if (active is not null) Array.Clear(_field);
                if (active is null) for (int i = 0; i < r.Length; i++) _field[i] = (float)r[i] * scale;
                else for (int i = 0; i < r.Length; i++) _field[active[i]] = (float)r[i] * scale;
                direction.Apply(_field, _field);
                if (active is null) for (int i = 0; i < q.Length; i++) q[i] = _field[i];
                else for (int i = 0; i < q.Length; i++) q[i] = _field[active[i]];
            }
            Time += Stopwatch.GetElapsedTime(start);
        }
    }

    /// <summary>
    /// Multigrid-preconditioned CG from DCDM's x. Its work vectors are DCDM's r and direction slots, free once DCDM
    /// stopped, and its cycle the K-cycle direction's own, so a stall costs no set-up; another direction's stall costs a
    /// multigrid hierarchy, made at the first stall and kept for the next solves.
    /// </summary>
    sealed class MultigridFallback(DeepConjugateDirections dcdm) : ISolveFallback
    {
        IVectorBackend<double[]>? _backend;
        Multigrid.AggregateMultigrid? _multigrid;
        /// <summary>The cycle the fallback's CG runs (null before the first stall).</summary>
        public Multigrid.AggregateMultigrid? Cycle => _multigrid;
        double[][]? _work;
        readonly List<double> _history = [];
        public string Name => "pcg-mg";

        public KrylovOutcome Continue(double bNorm, SolverOptions options, List<double> history, CancellationToken cancellation)
        {
            // the K-cycle direction's own cycle where it has one (no second hierarchy), else a new one
            _multigrid ??= dcdm._bound is KCycleDirection kcycle ? kcycle.Cycle : dcdm._fallbackCycle(dcdm._system);
            _backend ??= new HostBackend(dcdm._product, _multigrid);
            _work ??= dcdm._vectors.All.Concat(Enumerable.Range(0, 3).Select(_ => new double[dcdm._b.Length])).Take(3).ToArray(); // k = 0 has two slots
            _history.Clear();
            var outcome = ConjugateGradientIteration.Run(_backend, dcdm._b, dcdm._x, dcdm._r, _work[0], _work[1], _work[2], bNorm, options, _history, cancellation,
                flexible: true);
            for (int i = 1; i < _history.Count; i++) history.Add(_history[i]); // entry 0 is the current residual, already recorded
            return outcome;
        }
    }
}
