namespace Dcdm.Solvers;

/// <summary>
/// Preconditioned CG written once over a backend. Convergence is declared on the true residual:
/// when the recurrence meets the tolerance, r = b - A x is recomputed and the loop restarts from it
/// if it does not. Breakdown is detected where it happens (p.Ap &lt;= 0, r.z &lt;= 0, NaN or infinity).
/// Memory traffic per iteration on top of SpMV and M^-1 (double, n unknowns): the fused update
/// reads x, p, r, q and writes x, r (48n bytes), r.z reads 16n, the direction update 24n.
/// With a preconditioner that varies (flexible CG, Notay 2000) beta is -(z.Ap)/(p.Ap) instead of (r.z)/(r.z)_old, which
/// keeps each direction A-orthogonal to the last whatever M^-1 did: one more dot (z.q, 16n).
/// </summary>
internal static class ConjugateGradientIteration
{
    /// <param name="fromZero">x is 0 on entry (the frame zeroed it: no initial guess), so r starts as b without a product.</param>
    public static KrylovOutcome Run<TVector>(IVectorBackend<TVector> backend, TVector b, TVector x, TVector r, TVector z, TVector p, TVector q,
                                             double bNorm, SolverOptions options, List<double> history, CancellationToken cancellation,
                                             bool flexible = false, bool fromZero = false)
    {
        double tol = options.Tolerance * bNorm;
        int replacements = 0;
        KrylovOutcome End(SolveStatus status, int k, string message) =>
            new(status, k, backend.Residual(b, x, r) / bNorm, message, replacements);

        // r = b - A x
        double rNorm = backend.StartingResidual(b, x, r, fromZero);
        history.Add(rNorm / bNorm);
        if (rNorm <= tol) return new(SolveStatus.Converged, 0, rNorm / bNorm, "the initial guess already meets the tolerance", 0);
        // z = M^-1 r ; rho = r.z ; p = z
        double rho = backend.Precondition(r, z);
        if (BadRz(rho, out var status, out var why)) return End(status, 0, why);
        backend.Copy(z, p);

        for (int k = 1; k <= options.MaxIterations; k++)
        {
            if (cancellation.IsCancellationRequested) return End(SolveStatus.Cancelled, k - 1, "cancelled by the caller");
            // q = A p ; alpha = rho / (p.q)
            double pq = backend.ApplyAndDot(p, q);
            if (!double.IsFinite(pq)) return End(SolveStatus.NotANumber, k, $"NaN or infinity in p.Ap at iteration {k}");
            if (pq <= 0) return End(SolveStatus.NotPositiveDefinite, k, $"p.Ap = {pq:g3} <= 0 at iteration {k}: the matrix is not positive definite");
            double alpha = rho / pq;
            // x += alpha p ; r -= alpha q  (fused, returns r.r)
            rNorm = Math.Sqrt(backend.UpdateSolutionAndResidual(alpha, p, q, x, r));
            double relative = rNorm / bNorm;
            history.Add(relative);
            options.Monitor?.Invoke(new IterationInfo(k, relative));
            if (double.IsNaN(rNorm)) return End(SolveStatus.NotANumber, k, $"NaN in the residual at iteration {k}");
            if (relative > options.DivergenceLimit) return End(SolveStatus.Diverged, k, $"the residual grew to {relative:g3} times ||b||");

            bool restart = false;
            if (rNorm <= tol)
            {
                // the recurrence says done: check b - A x, and continue from it if it disagrees
                double trueNorm = backend.Residual(b, x, r);
                if (trueNorm <= tol)
                    return new(SolveStatus.Converged, k, trueNorm / bNorm, $"true relative residual {trueNorm / bNorm:g3} <= tolerance {options.Tolerance:g3}", replacements);
                replacements++;
                restart = true;
            }
            // z = M^-1 r ; beta = rho_new / rho ; p = z + beta p
            double rhoNew = backend.Precondition(r, z);
            if (BadRz(rhoNew, out status, out why)) return End(status, k, why);
            if (restart) backend.Copy(z, p);
            else backend.Xpay(z, flexible ? -backend.Dot(z, q) / pq : rhoNew / rho, p); // q is still A p
            rho = rhoNew;
        }
        double final = backend.Residual(b, x, r) / bNorm;
        return final <= options.Tolerance
            ? new(SolveStatus.Converged, options.MaxIterations, final, $"true relative residual {final:g3} <= tolerance at the iteration limit", replacements)
            : new(SolveStatus.MaxIterations, options.MaxIterations, final,
                  $"{options.MaxIterations} iterations reached with relative residual {final:g3} > tolerance {options.Tolerance:g3}", replacements);
    }

    static bool BadRz(double rz, out SolveStatus status, out string why)
    {
        (status, why) = rz switch
        {
            _ when !double.IsFinite(rz) => (SolveStatus.NotANumber, "NaN or infinity in r.z"),
            <= 0 => (SolveStatus.IndefinitePreconditioner, $"r.z = {rz:g3} <= 0 for a nonzero r: the preconditioner is not positive definite"),
            _ => (SolveStatus.Converged, ""),
        };
        return why.Length > 0;
    }
}
