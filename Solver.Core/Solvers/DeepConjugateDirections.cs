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
    public int StallWindow { get; init; } = 20;
    public double StallFactor { get; init; } = 2;

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
        var r = new double[n];
        double tol = _options.Tolerance * bNorm;
        double rNorm = TrueResidual(rb, rx, r);
        history.Add(rNorm / bNorm);

        var rFull = new float[Size];
        var qFull = new float[Size];
        var q = new double[n];
        var aq = new double[n];
        var directions = new List<(double[] p, double[] ap, double pap)>();
        int replaced = 0, replacements = 0, k = 0;
        var networkTime = TimeSpan.Zero;
        var active = _system.Active;
        KrylovOutcome? outcome = null;
        while (outcome is null)
        {
            if (rNorm <= tol)
            {
                double trueNorm = TrueResidual(rb, rx, r);
                if (trueNorm <= tol) { outcome = new(SolveStatus.Converged, k, trueNorm / bNorm, $"true relative residual {trueNorm / bNorm:g3} <= tolerance {_options.Tolerance:g3}", replacements); break; }
                replacements++;
                rNorm = trueNorm;
            }
            if (k >= _options.MaxIterations) { outcome = new(SolveStatus.MaxIterations, k, TrueResidual(rb, rx, r) / bNorm, $"{k} iterations reached", replacements); break; }
            if (cancellation.IsCancellationRequested) { outcome = new(SolveStatus.Cancelled, k, TrueResidual(rb, rx, r) / bNorm, "cancelled by the caller", replacements); break; }
            if (Stalled(history))
            {
                details["fallback"] = $"the best residual of the last {StallWindow} iterations was not {StallFactor:g}x below the best before them, at iteration {k}: IC(0)-PCG from the current x";
                outcome = Fallback(rb, rx, bNorm, k, history, details, cancellation, replacements);
                break;
            }
            k++;

            // q = f(r / ||r||) on the grid, restricted to the unknowns
            var net = Stopwatch.StartNew();
            Array.Clear(rFull);
            float scale = (float)(1 / rNorm);
            for (int i = 0; i < n; i++) rFull[active?[i] ?? i] = (float)r[i] * scale;
            _direction.Apply(rFull, qFull);
            for (int i = 0; i < n; i++) q[i] = qFull[active?[i] ?? i];
            networkTime += net.Elapsed;

            if (!UsableDirection(q, r, directions, a, aq, out double qAq, out double qr))
            {
                replaced++;
                r.CopyTo(q, 0);
                UsableDirection(q, r, directions, a, aq, out qAq, out qr);
                if (!(qAq > 0))
                {
                    outcome = new(SolveStatus.Breakdown, k, TrueResidual(rb, rx, r) / bNorm, $"r.Ar = {qAq:g3} at iteration {k}: the operator is not positive definite on r", replacements);
                    break;
                }
            }
            double alpha = qr / qAq;
            VectorOps.Axpy(alpha, q, rx);
            VectorOps.Axpy(-alpha, aq, r);
            rNorm = VectorOps.Norm2(r);
            history.Add(rNorm / bNorm);
            _options.Monitor?.Invoke(new IterationInfo(k, rNorm / bNorm));
            if (!double.IsFinite(rNorm)) { outcome = new(SolveStatus.Breakdown, k, double.NaN, $"NaN or infinity in the residual at iteration {k}", replacements); break; }

            if (_k > 0)
            {
                if (directions.Count == _k) { var old = directions[0]; directions.RemoveAt(0); q.CopyTo(old.p, 0); aq.CopyTo(old.ap, 0); directions.Add((old.p, old.ap, qAq)); }
                else directions.Add(((double[])q.Clone(), (double[])aq.Clone(), qAq));
            }
        }
        details["replaced directions"] = replaced.ToString(CultureInfo.InvariantCulture);
        details["network time"] = string.Create(CultureInfo.InvariantCulture, $"{networkTime.TotalMilliseconds:F1} ms");
        return Finish(outcome.Value, history, projection, clock, details, x, rx);
    }

    /// <summary>
    /// DCDM's residual is not monotone (each step minimises the error's A-norm along q), so progress is
    /// judged by best residuals: stalled when the best of the last window is not StallFactor below the best before it.
    /// </summary>
    bool Stalled(List<double> history) => Stalled(history, StallWindow, StallFactor);

    /// <summary>Whether the best residual of the last <paramref name="window"/> entries is not <paramref name="factor"/> below the best before them.</summary>
    public static bool Stalled(IReadOnlyList<double> history, int window, double factor)
    {
        int k = history.Count - 1;
        if (k < window) return false;
        double bestBefore = double.MaxValue, bestRecent = double.MaxValue;
        for (int i = 0; i <= k - window; i++) bestBefore = Math.Min(bestBefore, history[i]);
        for (int i = k - window + 1; i <= k; i++) bestRecent = Math.Min(bestRecent, history[i]);
        return bestRecent * factor > bestBefore;
    }

    /// <summary>
    /// A-orthogonalises q against the kept directions (classical Gram-Schmidt), computes A q, q.Aq and q.r,
    /// and says whether q may be used: finite, nonzero, q.Aq &gt; 0 and not orthogonal to r (|cos| &gt;= 1e-6).
    /// </summary>
    static bool UsableDirection(double[] q, double[] r, List<(double[] p, double[] ap, double pap)> directions, CsrMatrix a, double[] aq, out double qAq, out double qr)
    {
        qAq = qr = 0;
        if (!VectorOps.AllFinite(q)) return false;
        var coefficients = directions.Select(d => VectorOps.Dot(q, d.ap) / d.pap).ToArray();
        for (int j = 0; j < directions.Count; j++) VectorOps.Axpy(-coefficients[j], directions[j].p, q);
        double qNorm = VectorOps.Norm2(q);
        if (!(qNorm > 0)) return false;
        qAq = a.MultiplyAndDot(q, aq);
        qr = VectorOps.Dot(q, r);
        return qAq > 0 && double.IsFinite(qAq) && Math.Abs(qr) >= 1e-6 * qNorm * VectorOps.Norm2(r);
    }

    double TrueResidual(double[] b, double[] x, double[] r)
    {
        _system.Matrix.Multiply(x, r);
        for (int i = 0; i < r.Length; i++) r[i] = b[i] - r[i];
        return VectorOps.Norm2(r);
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
