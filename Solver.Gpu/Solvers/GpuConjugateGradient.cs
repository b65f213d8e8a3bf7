using System.Diagnostics;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Solvers;
using Dcdm.Sparse;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// CG and Jacobi-PCG on an ILGPU accelerator, behind the same interface, statuses and true-residual
/// stopping as the CPU solvers (the loop is Core's <see cref="ConjugateGradientIteration"/>).
/// Every vector stays on the device for the whole solve; the host sees only scalars (one per
/// reduction). Precision: double throughout (x, r, p, q and the matrix), so the results agree with
/// the CPU solvers; mixed precision is a measured choice still to make on a real GPU.
/// Setup (symmetry check, zero rows, singular components, uploads) runs once; solves reuse the buffers.
/// </summary>
public sealed class GpuConjugateGradient : ILinearSolver
{
    readonly GpuDevice _device;
    readonly ReducedSystem _system;
    readonly SolverOptions _options;
    readonly DeviceCsr _a;
    readonly DeviceVector<double> _b, _x, _r, _z, _p, _q;
    readonly DeviceVector<double>? _inverseDiagonal;
    readonly DeviceBackend _backend;
    readonly double[] _hostB, _hostX;
    readonly bool _nonPositiveDiagonal;
    readonly SolveFrame _frame;

    public string Method { get; }
    public int Size => _system.FullSize;
    public TimeSpan SetupTime { get; }
    public ReducedSystem System => _system;

    /// <param name="device">The accelerator; the solver borrows it (the caller disposes it).</param>
    /// <exception cref="InvalidSystemException">The matrix is not square or not symmetric.</exception>
    public GpuConjugateGradient(GpuDevice device, CsrMatrix matrix, PreconditionerKind preconditioner = PreconditionerKind.None, SolverOptions? options = null)
    {
        var clock = Stopwatch.StartNew();
        if (preconditioner == PreconditionerKind.IncompleteCholesky)
            throw new ArgumentException("IC(0) has no GPU implementation (its triangular solves are sequential); use cg or pcg-jacobi on the GPU, or pcg-ic0 on the CPU");
        _device = device;
        _options = options ?? SolverOptions.Default;
        _system = ConjugateGradient.CheckedSystem(matrix, "CG");
        Method = preconditioner == PreconditionerKind.Jacobi ? "pcg-jacobi" : "cg";
        var acc = device.Accelerator;
        int n = _system.Unknowns;
        _a = new DeviceCsr(acc, _system.Matrix);
        _b = new DeviceVector<double>(acc, n); _x = new DeviceVector<double>(acc, n); _r = new DeviceVector<double>(acc, n);
        _p = new DeviceVector<double>(acc, n); _q = new DeviceVector<double>(acc, n);
        _nonPositiveDiagonal = _system.NonPositiveDiagonalRow >= 0;
        if (preconditioner == PreconditionerKind.Jacobi && !_nonPositiveDiagonal)
        {
            var inverse = _system.Matrix.Diagonal();
            for (int i = 0; i < inverse.Length; i++) inverse[i] = 1.0 / inverse[i];
            _inverseDiagonal = new DeviceVector<double>(acc, inverse);
            _z = new DeviceVector<double>(acc, n);
        }
        else _z = _r; // unpreconditioned: z is r
        _hostB = new double[n];
        _hostX = new double[n];
        _backend = new DeviceBackend(device.Kernels, _a, _inverseDiagonal);
        _frame = new SolveFrame(Method, _system, SolveFrame.Layout.Unknowns, "one per matrix row");
        acc.Synchronize();
        SetupTime = clock.Elapsed;
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        var options = settings.Over(_options);
        var details = new Dictionary<string, string> { ["device"] = _device.Name };
        if (_system.Active is not null) details["unknowns"] = $"{_system.Unknowns} of {Size} rows (zero rows are not unknowns)";
        return _frame.Run(b, x, _hostB, _hostX, options, SetupTime, details, (bNorm, history, ct) =>
        {
            _b.Upload(_hostB);
            _x.Upload(_hostX);
            var outcome = ConjugateGradientIteration.Run(_backend, _b, _x, _r, _z, _p, _q, bNorm, options, history, ct,
                fromZero: !options.UseInitialGuess);
            _x.Download(_hostX);
            return LoopEnd.Finished(outcome);
        }, fallback: null, cancellation);
    }

    public void Dispose()
    {
        _a.Dispose();
        foreach (var v in new[] { _b, _x, _r, _p, _q }) v.Dispose();
        if (!ReferenceEquals(_z, _r)) _z.Dispose();
        _inverseDiagonal?.Dispose();
    }

    /// <summary>The ILGPU kernels behind Core's Krylov loop.</summary>
    sealed class DeviceBackend(KrylovKernels k, DeviceCsr a, DeviceVector<double>? inverseDiagonal) : IVectorBackend<DeviceVector<double>>
    {
        public double Dot(DeviceVector<double> x, DeviceVector<double> y) => k.Dot(x.View, y.View);

        public void Dots(DeviceVector<double> x, ReadOnlySpan<DeviceVector<double>> ys, Span<double> dots)
        {
            for (int j = 0; j < ys.Length; j++) dots[j] = k.Dot(x.View, ys[j].View);
        }

        public void SubtractCombination(ReadOnlySpan<double> c, ReadOnlySpan<DeviceVector<double>> ps, DeviceVector<double> q)
        {
            for (int j = 0; j < ps.Length; j++) k.Axpy(-c[j], ps[j].View, q.View);
        }

        public double ApplyAndDot(DeviceVector<double> p, DeviceVector<double> q)
        {
            k.CsrSpmv(a, p.View, q.View);
            return k.Dot(p.View, q.View);
        }

        public double UpdateSolutionAndResidual(double alpha, DeviceVector<double> p, DeviceVector<double> q, DeviceVector<double> x, DeviceVector<double> r) =>
            k.UpdateSolutionAndResidual(alpha, p.View, q.View, x.View, r.View);

        public void Xpay(DeviceVector<double> z, double beta, DeviceVector<double> p) => k.Xpay(z.View, beta, p.View);

        public double Residual(DeviceVector<double> b, DeviceVector<double> x, DeviceVector<double> r)
        {
            k.CsrSpmv(a, x.View, r.View);
            k.Subtract(b.View, r.View, r.View);
            return Math.Sqrt(k.Dot(r.View, r.View));
        }

        public double Precondition(DeviceVector<double> r, DeviceVector<double> z)
        {
            if (inverseDiagonal is null) return k.Dot(r.View, r.View);
            k.MultiplyElementwise(inverseDiagonal.View, r.View, z.View);
            return k.Dot(r.View, z.View);
        }

        public void Copy(DeviceVector<double> from, DeviceVector<double> to)
        {
            if (!ReferenceEquals(from, to)) from.View.CopyTo(to.View);
        }
    }
}
