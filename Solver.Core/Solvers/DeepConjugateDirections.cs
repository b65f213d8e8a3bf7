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
/// converges) the rest of the solve goes to IC(0)-PCG from the current x. The result reports both.
/// Vectors are full-grid (one entry per cell); the operator is the grid's 7-point matrix.
/// </summary>
public sealed class DeepConjugateDirections : ILinearSolver
{
    /// <summary>Iterations over which the residual must fall by <see cref="StallFactor"/>, else IC(0)-PCG takes over.</summary>
    public int StallWindow { get; init; } = DeepConjugateDirectionsIteration.DefaultStallWindow;
    public double StallFactor { get; init; } = DeepConjugateDirectionsIteration.DefaultStallFactor;

    readonly PoissonGrid _grid;
    readonly ReducedSystem _system;
    readonly SolverOptions _options;
    readonly IDirection _direction;
    readonly int _k;
    readonly CsrMatrix _fullMatrix;

    public string Method => "dcdm";
    public int Size => _grid.CellCount;
    public TimeSpan SetupTime { get; }
    public string ModelDescription { get; }
    public ReducedSystem System => _system;

    /// <param name="matrix">The grid's operator in the full-grid layout; built from the grid when null.</param>
    /// <param name="previousDirections">k, the directions each new one is A-orthogonalised against (paper: 2).</param>
    public DeepConjugateDirections(PoissonGrid grid, IDirectionModel model, SolverOptions? options = null, int previousDirections = 2, CsrMatrix? matrix = null)
    {
        var clock = Stopwatch.StartNew();
        if (previousDirections < 0) throw new ArgumentOutOfRangeException(nameof(previousDirections), "k must be >= 0");
        _grid = grid;
        _options = options ?? SolverOptions.Default;
        _k = previousDirections;
        _fullMatrix = matrix ?? grid.ToCsr(GridMatrixLayout.FullGrid);
        if (_fullMatrix.Rows != grid.CellCount)
            throw new InvalidSystemException($"the matrix has {_fullMatrix.Rows} rows but the grid {grid.Nx}x{grid.Ny}x{grid.Nz} has {grid.CellCount} cells; DCDM needs the full-grid layout");
        _system = ConjugateGradient.CheckedSystem(_fullMatrix, "DCDM");
        _direction = model.Bind(grid);
        ModelDescription = model.Description;
        SetupTime = clock.Elapsed;
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, CancellationToken cancellation = default)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries (one per grid cell), got {b.Length} and {x.Length}");
        var clock = Stopwatch.StartNew();
        var a = _system.Matrix;
        int n = a.Rows;
        var history = new List<double>();
        var details = new Dictionary<string, string> { ["model"] = ModelDescription, ["k"] = _k.ToString(CultureInfo.InvariantCulture) };
        if (_system.NonPositiveDiagonalRow >= 0)
            return Finish(new(SolveStatus.NotPositiveDefinite, 0, double.NaN, $"row {_system.NonPositiveDiagonalRow + 1} has a diagonal <= 0", 0), history, null, clock, details, x, null);

        var rb = new double[n];
        var (projection, bNorm) = _system.PrepareRightHandSide(b, rb);
        var rx = new double[n];
        if (bNorm == 0)
        {
            history.Add(0);
            return Finish(new(SolveStatus.Converged, 0, 0, "b is zero on the range of A, so x = 0", 0), history, projection, clock, details, x, rx);
        }
        if (_options.UseInitialGuess) _system.Restrict(x, rx);
        var backend = new HostBackend(_system, _direction, Size);
        var loop = DeepConjugateDirectionsIteration.Run(backend, rb, rx, new double[n], new double[n], new double[n], bNorm, _k, StallWindow, StallFactor, _options, history, cancellation);
        int replaced = loop.ReplacedDirections;
        var networkTime = backend.NetworkTime;
        KrylovOutcome outcome;
        if (loop.Stalled)
        {
            details["fallback"] = DeepConjugateDirectionsIteration.StallDescription(StallWindow, StallFactor, loop.Iterations, "IC(0)-PCG");
            outcome = Fallback(rb, rx, bNorm, loop.Iterations, history, details, cancellation, loop.ResidualReplacements);
        }
        else outcome = loop.Outcome!.Value;
        details["replaced directions"] = replaced.ToString(CultureInfo.InvariantCulture);
        details["network time"] = string.Create(CultureInfo.InvariantCulture, $"{networkTime.TotalMilliseconds:F1} ms");
        return Finish(outcome, history, projection, clock, details, x, rx);
    }

    /// <summary>
    /// DCDM's residual is not monotone (each step minimises the error's A-norm along q), so progress is
    /// judged by best residuals: stalled when the best of the last window is not StallFactor below the best before it.
    /// </summary>
    /// <summary>The host's vectors for the DCDM loop: the reduced system's matrix, the network on the full grid.</summary>
    sealed class HostBackend(ReducedSystem system, IDirection direction, int cells) : IDirectionBackend<double[]>
    {
        readonly float[] _rFull = new float[cells], _qFull = new float[cells];
        public TimeSpan NetworkTime { get; private set; }

        public double Residual(double[] b, double[] x, double[] r)
        {
            system.Matrix.Multiply(x, r);
            for (int i = 0; i < r.Length; i++) r[i] = b[i] - r[i];
            return VectorOps.Norm2(r);
        }

        public void Direction(double[] r, double rNorm, double[] q)
        {
            var clock = Stopwatch.StartNew();
            var active = system.Active;
            Array.Clear(_rFull);
            float scale = (float)(1 / rNorm);
            for (int i = 0; i < r.Length; i++) _rFull[active?[i] ?? i] = (float)r[i] * scale;
            direction.Apply(_rFull, _qFull);
            for (int i = 0; i < q.Length; i++) q[i] = _qFull[active?[i] ?? i];
            NetworkTime += clock.Elapsed;
        }

        public double ApplyAndDot(double[] q, double[] aq) => system.Matrix.MultiplyAndDot(q, aq);
        public double Dot(double[] a, double[] b) => VectorOps.Dot(a, b);
        public void Axpy(double alpha, double[] x, double[] y) => VectorOps.Axpy(alpha, x, y);
        public double Update(double alpha, double[] q, double[] aq, double[] x, double[] r) => VectorOps.UpdateSolutionAndResidual(alpha, q, aq, x, r);
        public void Copy(double[] from, double[] to) => from.AsSpan().CopyTo(to);
        public double[] NewVector() => new double[system.Unknowns];
    }

    KrylovOutcome Fallback(double[] rb, double[] rx, double bNorm, int k, List<double> history, Dictionary<string, string> details, CancellationToken cancellation, int replacements)
    {
        var options = _options with { UseInitialGuess = true, MaxIterations = Math.Max(0, _options.MaxIterations - k), Monitor = null };
        var result = new ConjugateGradient(_system.Matrix, PreconditionerKind.IncompleteCholesky, options).Solve(rb, rx, cancellation);
        // the fallback's history starts from the current residual (already recorded)
        for (int i = 1; i < result.ResidualHistory.Count; i++)
        {
            history.Add(result.ResidualHistory[i]); // relative to ||rb|| = bNorm
            _options.Monitor?.Invoke(new IterationInfo(k + i, history[^1]));
        }
        details["fallback iterations"] = result.Iterations.ToString(CultureInfo.InvariantCulture);
        return new(result.Status, k + result.Iterations, result.RelativeResidual, $"{result.Message} (IC(0)-PCG after {k} DCDM iterations)", replacements + result.ResidualReplacements);
    }

    SolveResult Finish(KrylovOutcome o, List<double> history, RangeProjection? projection, Stopwatch clock, Dictionary<string, string> details, Span<double> x, double[]? rx)
    {
        if (rx is null) x.Clear();
        else
        {
            _system.RemoveNullSpace(rx);
            _system.Prolong(rx, x);
        }
        return SolveResult.From(Method, o, history, SetupTime, clock.Elapsed, projection, details);
    }
}
