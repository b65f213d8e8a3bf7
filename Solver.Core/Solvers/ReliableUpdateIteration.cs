namespace Dcdm.Solvers;

/// <summary>
/// CG with reliable updates, written once for every low-precision backend (a device's float32 steps): a float32
/// recurrence cannot be trusted much below eps32 times the condition number, so whenever the recurrence residual has
/// fallen by the refresh factor (or meets the tolerance) x += d in double, the true residual b - A x is recomputed in
/// double and rescaled to unit norm, and CG continues with its direction rescaled, not restarted. Convergence is
/// declared on that true residual; statuses and messages are the same whatever the backend.
/// </summary>
internal static class ReliableUpdateIteration
{
    /// <param name="reduction">The recurrence residual's fall after which x and r are refreshed in double (e.g. 0.01).</param>
    public static KrylovOutcome Run(IReliableUpdateBackend backend, double bNorm, double reduction, SolverOptions options, List<double> history,
        CancellationToken cancellation)
    {
        int max = options.MaxIterations;
        double tol = options.Tolerance * bNorm;
        double rNorm = backend.TrueResidual();
        history.Add(rNorm / bNorm);
        if (rNorm <= tol) return new(SolveStatus.Converged, 0, rNorm / bNorm, "the initial guess already meets the tolerance", 0);
        if (!double.IsFinite(rNorm)) return new(SolveStatus.NotANumber, 0, rNorm / bNorm, "NaN or infinity in the initial residual (the initial guess?)", 0);
        if (max == 0) return new(SolveStatus.MaxIterations, 0, rNorm / bNorm, "MaxIterations is 0", 0);

        int step = 0, updates = 0;
        (SolveStatus Status, string Message) reported = (SolveStatus.Breakdown, "");
        bool Report(int k, double rr)
        {
            double relative = rNorm * Math.Sqrt(Math.Max(0, rr)) / bNorm;
            history.Add(relative);
            options.Monitor?.Invoke(new IterationInfo(k, relative));
            if (!double.IsFinite(rr)) reported = (SolveStatus.NotANumber, $"NaN or infinity in the residual at iteration {k}");
            else if (relative > options.DivergenceLimit) reported = (SolveStatus.Diverged, $"the residual grew to {relative:g3} times ||b||");
            else return true;
            return false;
        }

        backend.StartSegment(rNorm, step);
        while (true)
        {
            var segment = backend.Run(step, max, Math.Pow(tol / rNorm, 2), reduction * reduction, Report, cancellation);
            step = segment.Step;
            // reliable update: x += rNorm d in double, and the true residual replaces the recurrence's
            backend.Correct(rNorm);
            double trueNorm = backend.TrueResidual(), trueRelative = trueNorm / bNorm;
            history[^1] = trueRelative;
            if (trueNorm <= tol)
                return new(SolveStatus.Converged, step, trueRelative, $"true relative residual {trueRelative:g3} <= tolerance {options.Tolerance:g3}", updates);
            if (!double.IsFinite(trueNorm))
                return new(SolveStatus.NotANumber, step, trueRelative, $"NaN or infinity in the true residual at iteration {step}", updates);
            switch (segment.End)
            {
                case SegmentEnd.Breakdown:
                    return new(segment.Status, step, trueRelative, segment.Message, updates);
                case SegmentEnd.Reported:
                    return new(reported.Status, step, trueRelative, reported.Message, updates);
                case SegmentEnd.Cancelled:
                    return new(SolveStatus.Cancelled, step, trueRelative, "cancelled by the caller", updates);
                case SegmentEnd.MaxIterations:
                    return new(SolveStatus.MaxIterations, step, trueRelative, $"{max} iterations reached with relative residual {trueRelative:g3} > tolerance {options.Tolerance:g3}", updates);
            }
            // stalled: the true residual neither fell by half nor follows the recurrence (a small step that agrees is progress)
            if (trueNorm > 0.5 * rNorm && trueNorm > 2 * rNorm * Math.Sqrt(Math.Max(0, segment.LastRr)))
                return new(SolveStatus.Breakdown, step, trueRelative,
                    $"the float32 steps stopped reducing the true residual ({trueRelative:g3} at iteration {step}): the operator is too ill-conditioned for them", updates);
            updates++;
            backend.Rescale(rNorm / trueNorm, step);
            rNorm = trueNorm;
            backend.StartSegment(rNorm, step);
        }
    }

    /// <summary>A direction whose p.Ap ends the iteration: NaN or infinity, or not positive (an operator that is not positive definite).</summary>
    public static SegmentOutcome BadDirection(double pq, int iteration, double rr) => double.IsFinite(pq)
        ? new(SegmentEnd.Breakdown, iteration, rr, SolveStatus.NotPositiveDefinite, $"p.Ap = {pq:g3} <= 0 at iteration {iteration}: the operator is not positive definite")
        : new(SegmentEnd.Breakdown, iteration, rr, SolveStatus.NotANumber, $"NaN or infinity in p.Ap at iteration {iteration}");

    /// <summary>An r.z that ends the iteration: NaN or infinity, or not positive (a preconditioner that is not positive definite).</summary>
    public static SegmentOutcome BadRz(double rz, int iteration, double rr) => double.IsFinite(rz)
        ? new(SegmentEnd.Breakdown, iteration, rr, SolveStatus.IndefinitePreconditioner, $"r.z = {rz:g3} <= 0 for a nonzero r: the preconditioner is not positive definite")
        : new(SegmentEnd.Breakdown, iteration, rr, SolveStatus.NotANumber, "NaN or infinity in r.z");
}
