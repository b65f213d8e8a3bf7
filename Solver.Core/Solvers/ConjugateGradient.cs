using System.Diagnostics;
using Dcdm.Preconditioners;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// (Preconditioned) conjugate gradients in double precision on the CPU, on the unknowns of an SPD matrix.
/// Setup checks the matrix (square, symmetric), drops zero rows, finds singular components, builds
/// the preconditioner and allocates every work vector; each solve then allocates only its history.
/// </summary>
public sealed class ConjugateGradient : ILinearSolver
{
    readonly ReducedSystem _system;
    readonly CsrMatrix _a;
    readonly IPreconditioner? _m;
    readonly SolverOptions _options;
    readonly double[] _b, _x, _r, _z, _p, _q;
    readonly HostBackend _backend;

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
        _system = CheckedSystem(matrix, "CG");
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
        _backend = new HostBackend(_a, _m);
        SetupTime = clock.Elapsed;
    }

    /// <summary>Refuses non-square and non-symmetric matrices with a message saying so.</summary>
    public static ReducedSystem CheckedSystem(CsrMatrix matrix, string method)
    {
        if (!matrix.IsSquare) throw new InvalidSystemException($"the matrix is {matrix.Rows} x {matrix.Columns}; {method} needs a square matrix");
        var symmetry = matrix.CheckSymmetry();
        if (!symmetry.IsSymmetric) throw new InvalidSystemException($"{method} needs a symmetric positive-definite matrix; this one is {symmetry}");
        return new ReducedSystem(matrix);
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, CancellationToken cancellation = default)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries (one per matrix row), got {b.Length} and {x.Length}");
        var clock = Stopwatch.StartNew();
        var history = new List<double>();
        if (_system.NonPositiveDiagonalRow >= 0)
            return Result(new(SolveStatus.NotPositiveDefinite, 0, double.NaN,
                $"row {_system.NonPositiveDiagonalRow + 1} has a diagonal <= 0: the matrix is not positive definite", 0), history, null, clock);

        var (projection, bNorm) = _system.PrepareRightHandSide(b, _b);
        if (_options.UseInitialGuess) _system.Restrict(x, _x); else Array.Clear(_x);
        if (bNorm == 0)
        {
            x.Clear();
            history.Add(0);
            return Result(new(SolveStatus.Converged, 0, 0, "b is zero on the range of A, so x = 0", 0), history, projection, clock);
        }
        var outcome = ConjugateGradientIteration.Run(_backend, _b, _x, _r, _z, _p, _q, bNorm, _options, history, cancellation);
        _system.RemoveNullSpace(_x); // on a closed pocket x is defined up to a constant: return zero mean
        _system.Prolong(_x, x);
        return Result(outcome, history, projection, clock);
    }

    SolveResult Result(KrylovOutcome o, List<double> history, RangeProjection? projection, Stopwatch clock)
    {
        var details = new Dictionary<string, string>();
        if (_m is IncompleteCholesky { Shift: > 0 } ic) details["ic0 diagonal shift"] = ic.Shift.ToString("g3");
        if (_system.Active is not null) details["unknowns"] = $"{_system.Unknowns} of {Size} rows (zero rows are not unknowns)";
        return SolveResult.From(Method, o, history, SetupTime, clock.Elapsed, projection, details);
    }

    /// <summary>The CPU kernels: parallel SpMV over row blocks, SIMD vector updates.</summary>
    sealed class HostBackend(CsrMatrix a, IPreconditioner? m) : IKrylovBackend<double[]>
    {
        public double ApplyAndDot(double[] p, double[] q) => a.MultiplyAndDot(p, q);
        public double UpdateSolutionAndResidual(double alpha, double[] p, double[] q, double[] x, double[] r) =>
            VectorOps.UpdateSolutionAndResidual(alpha, p, q, x, r);
        public void Xpay(double[] z, double beta, double[] p) => VectorOps.Xpay(z, beta, p);
        public void Copy(double[] from, double[] to) { if (!ReferenceEquals(from, to)) from.AsSpan().CopyTo(to); }

        public double Residual(double[] b, double[] x, double[] r)
        {
            a.Multiply(x, r);
            for (int i = 0; i < r.Length; i++) r[i] = b[i] - r[i];
            return VectorOps.Norm2(r);
        }

        public double Precondition(double[] r, double[] z)
        {
            if (m is null) return VectorOps.Dot(r, r);
            m.Apply(r, z);
            return VectorOps.Dot(r, z);
        }
    }
}
