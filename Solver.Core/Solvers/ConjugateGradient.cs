using System.Diagnostics;
using Dcdm.Preconditioners;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// (Preconditioned) conjugate gradients in double precision on the unknowns of an SPD matrix.
/// Setup checks the matrix (square, symmetric), drops zero rows, finds singular components, builds
/// the preconditioner and allocates every work vector; each solve then allocates only its history.
/// Convergence is declared on the true residual b - A x, recomputed when the recurrence says so.
/// </summary>
public sealed class ConjugateGradient : ILinearSolver
{
    readonly ReducedSystem _system;
    readonly CsrMatrix _a;
    readonly IPreconditioner? _m;
    readonly SolverOptions _options;
    readonly double[] _b, _x, _r, _z, _p, _q;

    public string Method { get; }
    public int Size => _system.FullSize;
    public TimeSpan SetupTime { get; }
    public ReducedSystem System => _system;
    public IPreconditioner? Preconditioner => _m;

    /// <exception cref="InvalidSystemException">The matrix is not square or not symmetric.</exception>
    public ConjugateGradient(CsrMatrix matrix, PreconditionerKind preconditioner = PreconditionerKind.None, SolverOptions? options = null)
    {
        var clock = Stopwatch.StartNew();
        _options = options ?? SolverOptions.Default;
        var symmetry = matrix.CheckSymmetry();
        if (!symmetry.IsSymmetric)
            throw new InvalidSystemException($"CG needs a symmetric positive-definite matrix; this one is {symmetry}");
        _system = new ReducedSystem(matrix);
        _a = _system.Matrix;
        Method = preconditioner switch
        {
            PreconditionerKind.None => "cg",
            PreconditionerKind.Jacobi => "pcg-jacobi",
            _ => "pcg-ic0",
        };
        if (_system.NonPositiveDiagonalRow < 0)
            _m = preconditioner switch
            {
                PreconditionerKind.None => null,
                PreconditionerKind.Jacobi => new JacobiPreconditioner(_a),
                _ => new IncompleteCholesky(_a),
            };
        int n = _a.Rows;
        _b = new double[n]; _x = new double[n]; _r = new double[n]; _p = new double[n]; _q = new double[n];
        _z = _m is null ? _r : new double[n]; // unpreconditioned: z is r
        SetupTime = clock.Elapsed;
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, CancellationToken cancellation = default)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries (one per matrix row), got {b.Length} and {x.Length}");
        var clock = Stopwatch.StartNew();
        var history = new List<double>();
        var run = new Run(this, history, clock);

        if (_system.NonPositiveDiagonalRow >= 0)
            return run.End(SolveStatus.NotPositiveDefinite, 0, double.NaN,
                $"row {_system.NonPositiveDiagonalRow + 1} has a diagonal <= 0: the matrix is not positive definite");

        // b on the unknowns, projected onto the range of A
        double originalNormSq = VectorOps.Dot(b, b);
        _system.Restrict(b, _b);
        double removedSq = _system.InactiveNormSquared(b) + _system.RemoveNullSpace(_b);
        if (removedSq > 0 || _system.SingularComponents.Count > 0)
            run.Projection = new RangeProjection(_system.SingularComponents.Count, Math.Sqrt(removedSq), Math.Sqrt(originalNormSq));
        double bNorm = VectorOps.Norm2(_b);

        if (_options.UseInitialGuess) _system.Restrict(x, _x); else Array.Clear(_x);
        if (bNorm == 0)
        {
            Array.Clear(_x);
            x.Clear();
            history.Add(0);
            return run.End(SolveStatus.Converged, 0, 0, "b is zero on the range of A, so x = 0");
        }

        var result = Iterate(bNorm, run, cancellation);
        _system.RemoveNullSpace(_x); // the answer on a closed pocket is defined up to a constant: return zero mean
        _system.Prolong(_x, x);
        return result;
    }

    SolveResult Iterate(double bNorm, Run run, CancellationToken cancellation)
    {
        double tol = _options.Tolerance * bNorm;
        // r = b - A x
        double rNorm = TrueResidual();
        run.History.Add(rNorm / bNorm);
        if (rNorm <= tol) return run.End(SolveStatus.Converged, 0, rNorm / bNorm, "the initial guess already meets the tolerance");
        // z = M^-1 r ; rho = r.z ; p = z
        double rho = Precondition();
        if (Bad(rho, out var why)) return run.End(SolveStatus.Breakdown, 0, rNorm / bNorm, why);
        _z.AsSpan().CopyTo(_p);

        for (int k = 1; k <= _options.MaxIterations; k++)
        {
            if (cancellation.IsCancellationRequested)
                return run.End(SolveStatus.Cancelled, k - 1, TrueResidual() / bNorm, "cancelled by the caller");
            // q = A p ; alpha = rho / (p.q)
            _a.Multiply(_p, _q);
            double pq = VectorOps.Dot(_p, _q);
            if (double.IsNaN(pq) || double.IsInfinity(pq))
                return run.End(SolveStatus.Breakdown, k, TrueResidual() / bNorm, $"NaN or infinity in p.Ap at iteration {k}");
            if (pq <= 0)
                return run.End(SolveStatus.NotPositiveDefinite, k, TrueResidual() / bNorm, $"p.Ap = {pq:g3} <= 0 at iteration {k}: the matrix is not positive definite");
            double alpha = rho / pq;
            // x += alpha p ; r -= alpha q  (fused, returns r.r)
            rNorm = Math.Sqrt(VectorOps.UpdateSolutionAndResidual(alpha, _p, _q, _x, _r));
            double relative = rNorm / bNorm;
            run.History.Add(relative);
            _options.Monitor?.Invoke(new IterationInfo(k, relative));

            if (double.IsNaN(rNorm))
                return run.End(SolveStatus.Breakdown, k, TrueResidual() / bNorm, $"NaN in the residual at iteration {k}");
            if (relative > _options.DivergenceLimit)
                return run.End(SolveStatus.Diverged, k, TrueResidual() / bNorm, $"the residual grew to {relative:g3} times ||b||");
            bool restart = false;
            if (rNorm <= tol)
            {
                // the recurrence says done: check b - A x, and continue from it if it disagrees
                double trueNorm = TrueResidual();
                if (trueNorm <= tol)
                    return run.End(SolveStatus.Converged, k, trueNorm / bNorm, $"true relative residual {trueNorm / bNorm:g3} <= tolerance {_options.Tolerance:g3}");
                run.Replacements++;
                restart = true;
            }
            // z = M^-1 r ; beta = rho_new / rho ; p = z + beta p
            double rhoNew = Precondition();
            if (Bad(rhoNew, out why)) return run.End(SolveStatus.Breakdown, k, TrueResidual() / bNorm, why);
            if (restart) _z.AsSpan().CopyTo(_p);
            else VectorOps.Xpay(_z, rhoNew / rho, _p);
            rho = rhoNew;
        }
        double final = TrueResidual() / bNorm;
        return final <= _options.Tolerance
            ? run.End(SolveStatus.Converged, _options.MaxIterations, final, $"true relative residual {final:g3} <= tolerance at the iteration limit")
            : run.End(SolveStatus.MaxIterations, _options.MaxIterations, final, $"{_options.MaxIterations} iterations reached with relative residual {final:g3} > tolerance {_options.Tolerance:g3}");
    }

    /// <summary>r = b - A x; returns ||r||.</summary>
    double TrueResidual()
    {
        _a.Multiply(_x, _r);
        for (int i = 0; i < _r.Length; i++) _r[i] = _b[i] - _r[i];
        return VectorOps.Norm2(_r);
    }

    /// <summary>z = M^-1 r; returns r.z.</summary>
    double Precondition()
    {
        if (_m is null) return VectorOps.Dot(_r, _r);
        _m.Apply(_r, _z);
        return VectorOps.Dot(_r, _z);
    }

    bool Bad(double rz, out string why)
    {
        if (double.IsNaN(rz) || double.IsInfinity(rz)) { why = "NaN or infinity in r.z"; return true; }
        if (rz <= 0) { why = $"r.z = {rz:g3} <= 0 for a nonzero r: the preconditioner {_m?.Name} is not positive definite"; return true; }
        why = "";
        return false;
    }

    /// <summary>The bookkeeping of one solve.</summary>
    sealed class Run(ConjugateGradient solver, List<double> history, Stopwatch clock)
    {
        public List<double> History => history;
        public RangeProjection? Projection;
        public int Replacements;

        public SolveResult End(SolveStatus status, int iterations, double relativeResidual, string message)
        {
            var details = new Dictionary<string, string>();
            if (solver._m is IncompleteCholesky { Shift: > 0 } ic) details["ic0 diagonal shift"] = ic.Shift.ToString("g3");
            if (solver._system.Active is not null) details["unknowns"] = $"{solver._system.Unknowns} of {solver.Size} rows (zero rows are not unknowns)";
            return new SolveResult
            {
                Method = solver.Method,
                Status = status,
                Iterations = iterations,
                RelativeResidual = relativeResidual,
                ResidualHistory = history,
                SetupTime = solver.SetupTime,
                SolveTime = clock.Elapsed,
                Message = message,
                Projection = Projection,
                ResidualReplacements = Replacements,
                Details = details,
            };
        }
    }
}
