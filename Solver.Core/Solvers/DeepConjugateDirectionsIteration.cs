namespace Dcdm.Solvers;

/// <summary>
/// The DCDM iteration written once over a backend (CPU arrays or device buffers):
///   q = f(r / ||r||);  q -= sum_j (q.A p_j)/(p_j.A p_j) p_j over the last k directions;
///   alpha = (q.r)/(q.A q);  x += alpha q;  r -= alpha A q,
/// stopping on the true residual. A direction that is NaN, zero, or after orthogonalisation has
/// q.Aq &lt;= 0 or is nearly orthogonal to r (|cos| &lt; 1e-6) is replaced by r for that step. When the
/// best residual of the last StallWindow iterations is not StallFactor below the best before them,
/// the loop ends stalled and the solve frame hands the rest to the solver's fallback.
/// </summary>
internal static class DeepConjugateDirectionsIteration
{
    /// <summary>
    /// Runs the loop: b, x and r are the backend's vectors (on the unknowns, or the full grid on a device); q, A q and the kept directions
    /// are <paramref name="vectors"/>' slots (k = vectors.Kept). Allocates nothing proportional to n.
    /// </summary>
    /// <param name="fromZero">x is 0 on entry (the frame zeroed it: no initial guess), so r starts as b without a product.</param>
    /// <returns>How the loop ended (stalled: the stall test said so), and the directions replaced by r.</returns>
    public static (LoopEnd End, int ReplacedDirections) Run<TVector>(IVectorBackend<TVector> backend, IDirectionSource<TVector> direction,
        DirectionVectors<TVector> vectors, TVector b, TVector x, TVector r, double bNorm, StallTest stall,
        SolverOptions options, List<double> history, CancellationToken cancellation, bool fromZero = false)
    {
        double tol = options.Tolerance * bNorm;
        double rNorm = backend.StartingResidual(b, x, r, fromZero);
        history.Add(rNorm / bNorm);
        int slots = vectors.Kept + 1, current = 0, kept = 0, replaced = 0, replacements = 0, k = 0;
        (LoopEnd, int) End(SolveStatus status, string message, double relative) => (LoopEnd.Finished(new(status, k, relative, message, replacements)), replaced);
        while (true)
        {
            if (rNorm <= tol)
            {
                double trueNorm = backend.Residual(b, x, r);
                if (trueNorm <= tol) return End(SolveStatus.Converged, $"true relative residual {trueNorm / bNorm:g3} <= tolerance {options.Tolerance:g3}", trueNorm / bNorm);
                replacements++;
                rNorm = trueNorm;
            }
            if (k >= options.MaxIterations) return End(SolveStatus.MaxIterations, $"{k} iterations reached", backend.Residual(b, x, r) / bNorm);
            if (cancellation.IsCancellationRequested) return End(SolveStatus.Cancelled, "cancelled by the caller", backend.Residual(b, x, r) / bNorm);
            if (stall.IsStalled(history)) return (LoopEnd.Stall(k, replacements, stall.Describe(k)), replaced);
            k++;

            // the kept pairs are the slots before the current one, newest first
            for (int j = 0; j < kept; j++)
            {
                int slot = (current - 1 - j + slots) % slots;
                vectors.KeptQ[j] = vectors.Q[slot];
                vectors.KeptAQ[j] = vectors.AQ[slot];
                vectors.Coefficients[j] = vectors.QAq[slot];
            }
            TVector q = vectors.Q[current], aq = vectors.AQ[current];
            direction.Direction(r, rNorm, q);
            if (!Usable(backend, vectors, kept, q, r, rNorm, aq, out double qAq, out double qr))
            {
                replaced++;
                backend.Copy(r, q);
                Usable(backend, vectors, kept, q, r, rNorm, aq, out qAq, out qr);
                if (!(qAq > 0)) return End(SolveStatus.Breakdown, $"r.Ar = {qAq:g3} at iteration {k}: the operator is not positive definite on r", backend.Residual(b, x, r) / bNorm);
            }
            double alpha = qr / qAq;
            rNorm = Math.Sqrt(backend.UpdateSolutionAndResidual(alpha, q, aq, x, r));
            history.Add(rNorm / bNorm);
            options.Monitor?.Invoke(new IterationInfo(k, rNorm / bNorm));
            if (!double.IsFinite(rNorm)) return End(SolveStatus.NotANumber, $"NaN or infinity in the residual at iteration {k}", double.NaN);

            // this slot joins the kept directions; the next step fills the oldest one
            vectors.QAq[current] = qAq;
            kept = Math.Min(kept + 1, vectors.Kept);
            current = (current + 1) % slots;
        }
    }

    /// <summary>
    /// A-orthogonalises q against the <paramref name="kept"/> directions (classical Gram-Schmidt: one fused
    /// multi-dot that also gives q.q, one fused update), computes q.q and q.r in one more pass, then A q and q.Aq, and
    /// says whether q may be used: finite, nonzero, q.Aq &gt; 0 and not orthogonal to r (|cos| &gt;= 1e-6). Four passes
    /// over the vectors besides the product. The vectors' Coefficients hold p_j.Ap_j on entry.
    /// </summary>
    static bool Usable<TVector>(IVectorBackend<TVector> backend, DirectionVectors<TVector> vectors, int kept,
                                TVector q, TVector r, double rNorm, TVector aq, out double qAq, out double qr)
    {
        qAq = qr = 0;
        var targets = vectors.DotTargets;
        Span<double> dots = stackalloc double[targets.Length];
        if (kept > 0)
        {
            for (int j = 0; j < kept; j++) targets[j] = vectors.KeptAQ[j];
            targets[kept] = q;
            backend.Dots(q, targets.AsSpan(0, kept + 1), dots);
            if (!double.IsFinite(dots[kept]) || dots[kept] == 0) return false;
            for (int j = 0; j < kept; j++) dots[j] /= vectors.Coefficients[j];
            backend.SubtractCombination(dots[..kept], vectors.KeptQ.AsSpan(0, kept), q);
        }
        (targets[0], targets[1]) = (q, r);
        backend.Dots(q, targets.AsSpan(0, 2), dots);
        double qq = dots[0];
        qr = dots[1];
        if (!double.IsFinite(qq) || !(qq > 0)) return false;
        qAq = backend.ApplyAndDot(q, aq);
        return qAq > 0 && double.IsFinite(qAq) && Math.Abs(qr) >= 1e-6 * Math.Sqrt(qq) * rNorm;
    }
}
