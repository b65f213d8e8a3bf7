using System.Diagnostics;
using System.Globalization;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Models;
using Dcdm.Gpu.Kernels;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// DCDM with every vector on the accelerator: the same iteration, safeguards and statuses as Core's
/// <see cref="DeepConjugateDirections"/>. On a voxel grid the model is evaluated on the device (the vcycle model by
/// <see cref="DeviceCycleDirection.VCycle"/>, the stencil network by <see cref="DeviceStencilNetwork"/>, the K-cycle by
/// <see cref="DeviceCycleDirection.KCycle"/>), the operator by the stencil kernel; on a voxel operator with per-face
/// coefficients the direction is its K-cycle and the product its cells' CSR (<see cref="DeviceVoxelDirections"/>).
/// x, r and the directions are double; the direction runs in float32. A stalled solve is finished by the device's
/// multigrid-preconditioned CG (<see cref="GpuMultigridConjugateGradient"/>) from the current x, as the CPU DCDM's by
/// pcg-mg. The host sees scalars only (a few reductions per iteration).
/// </summary>
public sealed class GpuDeepConjugateDirections : ILinearSolver
{
    /// <summary>When the rest of a solve goes to the fallback (default: 20 iterations, 2x).</summary>
    public StallTest Stall { get; init; } = StallTest.Default;

    readonly GpuDevice _device;
    readonly IDeviceDirectionSystem _system;
    readonly SolveFrame _frame;
    readonly SolverOptions _options;
    readonly DeviceVector<double> _b, _x, _r, _work;
    readonly DeviceVector<float> _rf, _qf;
    readonly DirectionVectors<DeviceVector<double>> _vectors;
    readonly DeviceBackend _backend;
    readonly double[] _hostB, _hostX;
    readonly int _k;
    DeviceMultigridFallback? _fallback; // made at the first stall, kept for the next solves

    public string Method => "dcdm";
    public int Size { get; }
    public TimeSpan SetupTime { get; }
    public string ModelDescription { get; }

    /// <param name="model">The vcycle, stencil or kcycle model: those with device kernels.</param>
    /// <exception cref="ArgumentException">Another model.</exception>
    public GpuDeepConjugateDirections(GpuDevice device, PoissonGrid grid, IDirectionModel model, SolverOptions? options = null, int previousDirections = 2)
        : this(Stopwatch.StartNew(), device, () => new DeviceGridDirections(device, grid, model), model.Description, options, previousDirections) { }

    /// <summary>
    /// DCDM on a voxel operator with per-face coefficients (two-phase, cut-cell, ghost-fluid), vectors one entry per
    /// cell: its directions from the operator's K-cycle on the device, as the CPU's DCDM takes them there.
    /// </summary>
    /// <param name="model">The K-cycle: the learned models read cell flags, not coefficients.</param>
    public GpuDeepConjugateDirections(GpuDevice device, VoxelOperator op, KCycleDirectionModel model, SolverOptions? options = null, int previousDirections = 2)
        : this(Stopwatch.StartNew(), device, () => new DeviceVoxelDirections(device, op, model.OperatorSweeps), model.DescriptionOnFaces, options, previousDirections) { }

    // arguments run left to right: the clock starts before the system is bound
    GpuDeepConjugateDirections(Stopwatch clock, GpuDevice device, Func<IDeviceDirectionSystem> bind, string description, SolverOptions? options,
        int previousDirections)
    {
        if (previousDirections < 0) throw new ArgumentOutOfRangeException(nameof(previousDirections), "k must be >= 0");
        _device = device;
        _options = options ?? SolverOptions.Default;
        _k = previousDirections;
        _system = bind();
        Size = _system.Unknowns.FullSize;
        _frame = new SolveFrame(Method, _system.Unknowns, _system.FrameLayout, "one per grid cell");
        var acc = device.Accelerator;
        int n = _system.Length;
        _b = new DeviceVector<double>(acc, n); _x = new DeviceVector<double>(acc, n); _r = new DeviceVector<double>(acc, n);
        _work = new DeviceVector<double>(acc, n);
        _rf = new DeviceVector<float>(acc, n); _qf = new DeviceVector<float>(acc, n);
        _vectors = new DirectionVectors<DeviceVector<double>>(_k, () => new DeviceVector<double>(acc, n));
        _backend = new DeviceBackend(this);
        _hostB = new double[_frame.VectorLength];
        _hostX = new double[_frame.VectorLength];
        ModelDescription = description + " (on " + device.Name + ")";
        acc.Synchronize();
        SetupTime = clock.Elapsed;
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        var options = settings.Over(_options);
        var details = new Dictionary<string, string> { ["model"] = ModelDescription, ["k"] = _k.ToString(CultureInfo.InvariantCulture), ["device"] = _device.Name };
        if (_system.NoFallback is { } none) details["fallback"] = $"none: {none}";
        if (_system.LineAxis >= 0) details["lines"] = $"flat cells: lines along {"xyz"[_system.LineAxis]} relaxed whole";
        int replaced = 0;
        var result = _frame.Run(b, x, _hostB, _hostX, options, SetupTime, details, (bNorm, history, ct) =>
        {
            _system.Upload(_hostB, _b);
            _system.Upload(_hostX, _x);
            var (end, replacedDirections) = DeepConjugateDirectionsIteration.Run(_backend, _backend, _vectors, _b, _x, _r, bNorm, Stall, options, history, ct,
                fromZero: !options.UseInitialGuess);
            replaced = replacedDirections;
            _system.Download(_x, _hostX);
            return end;
        }, _system.NoFallback is null ? _fallback ??= new DeviceMultigridFallback(this) : null, cancellation);
        details["replaced directions"] = replaced.ToString(CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>The device's vectors for the DCDM loop: the system's product as A, its direction as f.</summary>
    sealed class DeviceBackend(GpuDeepConjugateDirections s) : IVectorBackend<DeviceVector<double>>, IDirectionSource<DeviceVector<double>>
    {
        readonly KrylovKernels _k = s._device.Kernels;

        public double Residual(DeviceVector<double> b, DeviceVector<double> x, DeviceVector<double> r)
        {
            s._system.Multiply(x.View, s._work.View);
            _k.Subtract(b.View, s._work.View, r.View);
            return Math.Sqrt(_k.Dot(r.View, r.View));
        }

        public void Direction(DeviceVector<double> r, double rNorm, DeviceVector<double> q)
        {
            s._device.NetworkKernels.ToFloat(1 / rNorm, r.View, s._rf.View);
            s._system.Direction(s._rf.View, s._qf.View, q.View);
        }

        public double ApplyAndDot(DeviceVector<double> q, DeviceVector<double> aq)
        {
            s._system.Multiply(q.View, aq.View);
            return _k.Dot(q.View, aq.View);
        }

        public double Precondition(DeviceVector<double> r, DeviceVector<double> z)
        {
            Copy(r, z);
            return _k.Dot(r.View, r.View);
        }

        public double Dot(DeviceVector<double> a, DeviceVector<double> b) => _k.Dot(a.View, b.View);

        public void Dots(DeviceVector<double> x, ReadOnlySpan<DeviceVector<double>> ys, Span<double> dots)
        {
            for (int j = 0; j < ys.Length; j++) dots[j] = _k.Dot(x.View, ys[j].View);
        }

        public void SubtractCombination(ReadOnlySpan<double> c, ReadOnlySpan<DeviceVector<double>> ps, DeviceVector<double> q)
        {
            for (int j = 0; j < ps.Length; j++) _k.Axpy(-c[j], ps[j].View, q.View);
        }

        public void Xpay(DeviceVector<double> z, double beta, DeviceVector<double> p) => _k.Xpay(z.View, beta, p.View);
        public double UpdateSolutionAndResidual(double alpha, DeviceVector<double> q, DeviceVector<double> aq, DeviceVector<double> x, DeviceVector<double> r) =>
            _k.UpdateSolutionAndResidual(alpha, q.View, aq.View, x.View, r.View);
        public void Copy(DeviceVector<double> from, DeviceVector<double> to) { if (!ReferenceEquals(from, to)) from.View.CopyTo(to.View); }
    }

    /// <summary>The device's multigrid-preconditioned CG from DCDM's x; set up at the first stall and kept.</summary>
    sealed class DeviceMultigridFallback(GpuDeepConjugateDirections dcdm) : ISolveFallback, IDisposable
    {
        public void Dispose() => _cg?.Dispose();

        GpuMultigridConjugateGradient? _cg;
        readonly List<double> _history = [];
        public string Name => "device pcg-mg";

        public KrylovOutcome Continue(double bNorm, SolverOptions options, List<double> history, CancellationToken cancellation)
        {
            _cg ??= dcdm._system.Fallback(dcdm._options with { Monitor = null });
            _history.Clear();
            var outcome = _cg.Continue(dcdm._hostB, dcdm._hostX, bNorm, options, _history, cancellation);
            for (int i = 1; i < _history.Count; i++) history.Add(_history[i]); // entry 0 is the current residual, already recorded
            return outcome;
        }
    }

    public void Dispose()
    {
        _fallback?.Dispose(); // before the system: on a voxel operator it borrows the system's device operator
        _system.Dispose();
        foreach (var v in new[] { _b, _x, _r, _work }) v.Dispose();
        _rf.Dispose(); _qf.Dispose();
        foreach (var v in _vectors.All) v.Dispose();
    }
}
