using System.Diagnostics;
using Dcdm.Poisson;
using Dcdm.Preconditioners;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// (Preconditioned) conjugate gradients in double precision on the CPU, on the unknowns of an SPD matrix.
/// Setup checks the matrix (square, symmetric), drops zero rows, finds singular components, builds
/// the preconditioner and allocates every work vector; each solve then allocates only its history.
/// </summary>
public sealed class ConjugateGradient : ILinearSolver, IUnknownsSolver
{
    readonly ReducedSystem _system;
    readonly IPreconditioner? _m;
    readonly string? _breakdown; // the set-up found the matrix not positive definite (IC(0)'s pivots): each solve reports it
    readonly SolverOptions _options;
    readonly double[] _b, _x, _r, _z, _p, _q;
    readonly IVectorBackend<double[]> _backend;
    readonly SolveFrame _frame;
    readonly string _unknownsOf;

    public string Method { get; }
    public int Size => _system.FullSize;
    public TimeSpan SetupTime { get; }
    public ReducedSystem System => _system;
    public IPreconditioner? Preconditioner => _m;

    /// <exception cref="InvalidSystemException">The matrix is not square or not symmetric.</exception>
    public ConjugateGradient(CsrMatrix matrix, PreconditionerKind preconditioner = PreconditionerKind.None, SolverOptions? options = null)
        : this(Stopwatch.StartNew(), CheckedSystem(matrix, "CG"), NameOf(preconditioner), options, Factory(preconditioner)) { }

    /// <summary>CG on a view of the unknowns already made (e.g. <see cref="ReducedSystem.FromGrid"/>): vectors in its full layout.</summary>
    public ConjugateGradient(ReducedSystem system, PreconditionerKind preconditioner = PreconditionerKind.None, SolverOptions? options = null)
        : this(Stopwatch.StartNew(), system, NameOf(preconditioner), options, Factory(preconditioner)) { }

    /// <summary>
    /// PCG with a preconditioner the caller makes for these unknowns (e.g. a multigrid cycle). Both the view of the
    /// unknowns and the preconditioner are made inside the set-up clock; the preconditioner is not made when a
    /// diagonal is not positive (the solve then reports NotPositiveDefinite). <paramref name="method"/> names it in results.
    /// </summary>
    public ConjugateGradient(Func<ReducedSystem> system, string method, SolverOptions? options, Func<ReducedSystem, IPreconditioner?> preconditioner)
        : this(Stopwatch.StartNew(), system(), method, options, preconditioner) { }

    /// <summary>
    /// PCG on a grid's unit operator on its unknowns, in the pattern of <paramref name="compact"/> (the grid's compact
    /// operator, checked against it by the caller; null: the pattern made from the grid, nothing assembled): its product
    /// reads the pattern only (<see cref="CompactStencil"/>).
    /// </summary>
    internal ConjugateGradient(PoissonGrid grid, CsrMatrix? compact, string method, SolverOptions? options, Func<ReducedSystem, IPreconditioner?> preconditioner)
        : this(Stopwatch.StartNew(), ReducedSystem.FromGrid(grid, compact), method, options, preconditioner,
            onUnknowns: system => compact is null ? new CompactStencil(grid) : CompactStencil.For(system, grid),
            unknownsOf: "cells (solid and air cells hold none)") { }

    /// <summary>
    /// PCG on a voxel operator with per-face coefficients: on its faces over the full grid where at least 60% of the
    /// cells are unknowns (<see cref="FaceStencil"/>, nothing assembled), else on its CSR matrix on the unknowns
    /// (<paramref name="matrix"/>, the caller's, full-grid or compact, when it has one, or assembled from the faces).
    /// </summary>
    internal ConjugateGradient(VoxelOperator op, OperatorMatrix? matrix, string method, SolverOptions? options, Func<ReducedSystem, IPreconditioner?> preconditioner)
        : this(Stopwatch.StartNew(), ReducedSystem.FromOperator(op, matrix), method, options, preconditioner,
            system => FaceStencil.Pays(system) ? new FaceStencil(op, system.DiagonalOf(op)) : null, unknownsOf: "cells (cells without an equation hold none)") { }

    // arguments run left to right: the clock starts before the system is checked or built
    /// <param name="matrixFree">The product on the full grid, given the system; null, or a null product: one on the unknowns.</param>
    /// <param name="onUnknowns">The product on the unknowns where none runs on the full grid; null: the system's CSR matrix.</param>
    /// <param name="unknownsOf">What the unknowns are counted among, for the result's note: a matrix's rows, or a grid's cells.</param>
    ConjugateGradient(Stopwatch clock, ReducedSystem system, string method, SolverOptions? options, Func<ReducedSystem, IPreconditioner?> preconditioner,
        Func<ReducedSystem, IHostOperator?>? matrixFree = null, Func<ReducedSystem, IHostOperator>? onUnknowns = null,
        string unknownsOf = "rows (zero rows are not unknowns)")
    {
        _unknownsOf = unknownsOf;
        _options = options ?? SolverOptions.Default;
        _system = system;
        Method = method;
        var product = matrixFree?.Invoke(system);
        if (_system.NonPositiveDiagonalRow < 0)
        {
            try { _m = preconditioner(system); }
            catch (NotPositiveDefiniteException e) { _breakdown = e.MessageFor(system.Active?[e.Row] ?? e.Row); } // the caller's row, not the unknown's
        }
        int n = product is null ? _system.Unknowns : _system.FullSize; // not the matrix: a grid's is never assembled
        (_b, _x, _r, _p, _q) = (Vector(n), Vector(n), Vector(n), Vector(n), Vector(n));
        _z = _m is null ? _r : Vector(n); // unpreconditioned: z is r
        _backend = new HostBackend(product ?? onUnknowns?.Invoke(system) ?? new CsrOperator(_system.Matrix), _m);
        _frame = product is null ? new SolveFrame(Method, _system, SolveFrame.Layout.Unknowns, "one per matrix row")
            : new SolveFrame(Method, _system, SolveFrame.Layout.AllRows, "one per grid cell");
        SetupTime = clock.Elapsed;
    }

    /// <summary>A work vector, from the last binding's where a re-bind is in progress (<see cref="RebindCache"/>), not cleared:
    /// the frame writes b and x, the iteration r, z, p and q before it reads them.</summary>
    static double[] Vector(int n) => RebindCache.Array<double>(n, zeroed: false);

    static string NameOf(PreconditionerKind kind) => kind switch
    {
        PreconditionerKind.None => "cg",
        PreconditionerKind.Jacobi => "pcg-jacobi",
        _ => "pcg-ic0",
    };

    static Func<ReducedSystem, IPreconditioner?> Factory(PreconditionerKind kind) => system => kind switch
    {
        PreconditionerKind.None => null,
        PreconditionerKind.Jacobi => new JacobiPreconditioner(system.Matrix),
        _ => new IncompleteCholesky(system.Matrix),
    };

    /// <summary>Refuses non-square and non-symmetric matrices with a message saying so.</summary>
    public static ReducedSystem CheckedSystem(CsrMatrix matrix, string method)
    {
        if (!matrix.IsSquare) throw new InvalidSystemException($"the matrix is {matrix.Rows} x {matrix.Columns}; {method} needs a square matrix");
        var symmetry = matrix.CheckSymmetry();
        if (!symmetry.IsSymmetric) throw new InvalidSystemException($"{method} needs a symmetric positive-definite matrix; this one is {symmetry}");
        return new ReducedSystem(matrix);
    }

    /// <summary>Nothing to release: the CPU solvers hold managed arrays only.</summary>
    public void Dispose() { }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default) =>
        ((IUnknownsSolver)this).Run(_frame, b, x, settings, cancellation);

    SolveFrame IUnknownsSolver.Frame => _frame;

    SolveResult IUnknownsSolver.Run(SolveFrame frame, ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation)
    {
        var options = settings.Over(_options);
        var details = new Dictionary<string, string>();
        if (_system.Active is not null && frame == _frame) details["unknowns"] = $"{_system.Unknowns} of {Size} {_unknownsOf}";
        if (_breakdown is not null) return frame.NotPositiveDefinite(b, x, _breakdown, SetupTime, details);
        if (_m is IncompleteCholesky { Shift: > 0 } ic) details["ic0 diagonal shift"] = ic.Shift.ToString("g3");
        if (_m is Multigrid.AggregateMultigrid multigrid) details["levels"] = multigrid.Describe();
        return frame.Run(b, x, _b, _x, options, SetupTime, details,
            (bNorm, history, ct) => LoopEnd.Finished(ConjugateGradientIteration.Run(_backend, _b, _x, _r, _z, _p, _q, bNorm, options, history, ct,
                flexible: _m?.Varies == true, fromZero: !options.UseInitialGuess)), fallback: null, cancellation);
    }
}
