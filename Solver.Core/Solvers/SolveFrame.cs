using System.Diagnostics;
using System.Globalization;
using Dcdm.Multigrid;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// Everything every solver does around its loop, written once: check b and x, prepare b (restricted to the
/// unknowns and projected onto the range per singular component), the early exits (a non-positive diagonal,
/// NaN in b, b = 0), the initial guess, the method's loop, the fallback when the loop stalls (history merged),
/// then null-space removal, x written back and the result. A solver is its set-up plus its loop.
/// The frame works on host vectors the solver allocated at set-up: on the unknowns (compact) or on every row
/// (the full grid of matrix-free solvers); device solvers move them inside their loop.
/// </summary>
public sealed class SolveFrame(string method, ReducedSystem unknowns, SolveFrame.Layout layout, string rowsAre)
{
    public enum Layout { Unknowns, AllRows }

    /// <summary>The method's loop on the prepared b and the initial x (the frame's vectors); returns how it ended.</summary>
    public delegate LoopEnd Loop(double bNorm, List<double> history, CancellationToken cancellation);

    /// <summary>Length of b and x a caller passes.</summary>
    public int Size => unknowns.FullSize;

    /// <summary>Length of the frame's own b and x (what a solver allocates for them): the unknowns, or every row.</summary>
    public int VectorLength => layout == Layout.Unknowns ? unknowns.Unknowns : unknowns.FullSize;

    /// <summary>Whether the loop runs on the unknowns (b restricted to them), not on every row.</summary>
    internal bool RunsOnUnknowns => layout == Layout.Unknowns;

    /// <summary>Each unknown's row in the caller's layout (a grid's cell), ascending; null: every row is one.</summary>
    internal int[]? UnknownRows => unknowns.Active;

    SolveFrame? _onItsUnknowns;

    void CheckLengths(ReadOnlySpan<double> b, Span<double> x)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries ({rowsAre}), got {b.Length} and {x.Length}");
    }

    /// <summary>
    /// The result of a solve that could not start because the set-up found the matrix not positive definite (a
    /// diagonal entry, or a factorization's pivot): x = 0, so the residual is b itself; nothing is thrown.
    /// </summary>
    public SolveResult NotPositiveDefinite(ReadOnlySpan<double> b, Span<double> x, string why, TimeSpan setupTime, Dictionary<string, string>? details = null)
    {
        CheckLengths(b, x);
        x.Clear();
        // any nonzero entry, not the norm: b's squares underflow for a b far below 1
        return SolveResult.From(method, new(SolveStatus.NotPositiveDefinite, 0, b.IndexOfAnyExcept(0.0) >= 0 ? 1 : 0, why, 0), [], setupTime, TimeSpan.Zero,
            null, details ?? [], null);
    }

    /// <summary>
    /// The frame for a caller whose b and x are already on the unknowns, one entry each (<see cref="IUnknownsSolver"/>):
    /// the same loop vectors, the system's rows its unknowns (<see cref="ReducedSystem.OnItsUnknowns"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop runs on every row (the full grid).</exception>
    internal SolveFrame OnItsUnknowns() => _onItsUnknowns ??= RunsOnUnknowns
        ? new SolveFrame(method, unknowns.OnItsUnknowns(), Layout.Unknowns, "one per unknown")
        : throw new InvalidOperationException($"{method} iterates on every row, not on its unknowns: give b and x {rowsAre}");

    /// <param name="b">The caller's b (full length).</param>
    /// <param name="x">The caller's x: the initial guess when <paramref name="options"/> says so, the solution on return.</param>
    /// <param name="rb">The frame's b (a set-up vector in the frame's layout: one entry per unknown, or per row), prepared here.</param>
    /// <param name="rx">The frame's x, set here to the initial guess; the loop and fallback update it.</param>
    public SolveResult Run(ReadOnlySpan<double> b, Span<double> x, double[] rb, double[] rx, SolverOptions options, TimeSpan setupTime,
                           Dictionary<string, string> details, Loop loop, ISolveFallback? fallback, CancellationToken cancellation)
    {
        CheckLengths(b, x);
        var clock = Stopwatch.StartNew();
        var history = new List<double>();
        FallbackReport? report = null;
        SolveResult Result(KrylovOutcome outcome, RangeProjection? projection) =>
            SolveResult.From(method, outcome, history, setupTime, clock.Elapsed, projection, details, report);

        if (unknowns.NonPositiveDiagonalRow >= 0)
            return NotPositiveDefinite(b, x, $"row {unknowns.NonPositiveDiagonalRow + 1} has a diagonal <= 0: the matrix is not positive definite", setupTime, details);
        var (projection, bNorm) = Prepare(b, rb);
        // b far from 1 (in other units): its squares would under- or overflow, so it is solved as b / 2^e, x scaled back
        // (the scale is the prepared b's, on the unknowns: b on other rows is no part of the system solved)
        int scale = RightHandSideScale.Of(rb, bNorm);
        if (scale != 0)
        {
            var unscaled = projection;
            (projection, bNorm) = Prepare(RightHandSideScale.Scaled(b, scale), rb);
            projection = projection is { } p ? p with { RemovedNorm = Math.ScaleB(p.RemovedNorm, scale), OriginalNorm = Math.ScaleB(p.OriginalNorm, scale) } : null;
            // b far from 1 on other rows too (its squares past double's range there once scaled): the unscaled norms hold
            if (projection is { } q && !(double.IsFinite(q.RemovedNorm) && double.IsFinite(q.OriginalNorm)) && unscaled is not null) projection = unscaled;
            details[RightHandSideScale.Detail] = $"solved for b times 2^{-scale} (its norm lies outside 2^+-{RightHandSideScale.Reach}), x scaled back";
        }
        if (!double.IsFinite(bNorm))
        {
            x.Clear();
            return Result(new(SolveStatus.NotANumber, 0, double.NaN, "b holds NaN or infinity", 0), projection);
        }
        if (bNorm == 0)
        {
            x.Clear();
            history.Add(0);
            return Result(new(SolveStatus.Converged, 0, 0, "b is zero on the range of A, so x = 0", 0), projection);
        }
        if (!options.UseInitialGuess) Array.Clear(rx);
        else if (layout == Layout.Unknowns) unknowns.Restrict(x, rx);
        else { x.CopyTo(rx); unknowns.MaskToUnknowns(rx); }
        if (options.UseInitialGuess)
        {
            double largest = FineLevelCopies.LargestMagnitude(rx);
            if (!double.IsFinite(largest))
            {
                x.Clear();
                return Result(new(SolveStatus.NotANumber, 0, double.NaN, "the initial guess holds NaN or infinity", 0), projection);
            }
            if (scale != 0) RightHandSideScale.Apply(rx, -scale);
            // finite, but its squares past double's range (scaled with b, or as given): no residual could be taken from it
            if (!double.IsFinite(VectorOps.Dot(rx, rx)))
            {
                Array.Clear(rx);
                details["initial guess"] = $"dropped: its largest entry {largest:g3} lies too far from b's scale"
                    + (scale != 0 ? $" (b solved times 2^{-scale})" : "") + " for its squares to fit a double; started from x = 0";
            }
        }

        var end = loop(bNorm, history, cancellation);
        // a guess whose residual b - A x left double's range or lies past the divergence limit (x's squares fit, A x's do
        // not): the loop could not start from it (NaN in r.z, a breakdown, a divergence); it starts again from x = 0
        if (options.UseInitialGuess && !details.ContainsKey("initial guess") && history.Count > 0 && !(history[0] <= options.DivergenceLimit)
            && end.Outcome?.Status is not (SolveStatus.Converged or SolveStatus.Cancelled))
        {
            details["initial guess"] = $"dropped: its residual is {history[0]:g3} times ||b|| (past the divergence limit "
                + $"{options.DivergenceLimit:g3}), where the loop ended {(end.Outcome is { } o ? $"{o.Status}: {o.Message}" : $"stalled: {end.StallReason}")}; "
                + "started again from x = 0";
            history.Clear();
            Array.Clear(rx);
            end = loop(bNorm, history, cancellation);
        }
        KrylovOutcome outcome;
        if (!end.Stalled) outcome = end.Outcome!.Value;
        else if (fallback is null) outcome = new(SolveStatus.Breakdown, end.Iterations, history[^1], $"the loop stalled ({end.StallReason}) and {method} has no fallback", end.ResidualReplacements);
        else
        {
            int k = end.Iterations;
            details["fallback"] = $"{end.StallReason}: {fallback.Name} from the current x";
            var monitor = options.Monitor;
            var rest = fallback.Continue(bNorm, options with
            {
                MaxIterations = Math.Max(0, options.MaxIterations - k),
                Monitor = monitor is null ? null : info => monitor(info with { Iteration = k + info.Iteration }), // numbered on from the loop's
            }, history, cancellation);
            details["fallback iterations"] = rest.Iterations.ToString(CultureInfo.InvariantCulture);
            report = new FallbackReport(fallback.Name, end.StallReason!, k, rest.Iterations);
            outcome = rest with
            {
                Iterations = k + rest.Iterations,
                Message = $"{rest.Message} ({fallback.Name} after {k} {method.ToUpperInvariant()} iterations)",
                ResidualReplacements = end.ResidualReplacements + rest.ResidualReplacements,
            };
        }

        // on a closed pocket x is defined up to a constant: return zero mean
        if (layout == Layout.Unknowns) unknowns.RemoveNullSpace(rx);
        else unknowns.RemoveNullSpaceOnRows(rx);
        if (scale != 0) outcome = ScaledBack(rx, scale, outcome);
        if (layout == Layout.Unknowns) unknowns.Prolong(rx, x);
        else rx.CopyTo(x);
        return Result(outcome, projection);
    }

    (RangeProjection? projection, double norm) Prepare(ReadOnlySpan<double> b, double[] rb) =>
        layout == Layout.Unknowns ? unknowns.PrepareRightHandSide(b, rb) : unknowns.PrepareRightHandSideOnRows(b, rb);

    /// <summary>x = the scaled solve's x times 2^<paramref name="scale"/>, in place, and the outcome as
    /// <see cref="RightHandSideScale.ScaledBack"/> says.</summary>
    static KrylovOutcome ScaledBack(double[] x, int scale, KrylovOutcome outcome)
    {
        double solved = FineLevelCopies.LargestMagnitude(x);
        RightHandSideScale.Apply(x, scale);
        var (status, message) = RightHandSideScale.ScaledBack(outcome.Status, outcome.Message, solved, FineLevelCopies.LargestMagnitude(x), $"b near 2^{scale}");
        return outcome with { Status = status, Message = message };
    }
}
