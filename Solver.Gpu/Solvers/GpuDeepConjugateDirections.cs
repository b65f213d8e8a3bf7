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
/// DCDM on a voxel grid with every vector on the accelerator: the same iteration, safeguards and
/// statuses as Core's <see cref="DeepConjugateDirections"/>, the model evaluated on the device (the vcycle model by
/// <see cref="DeviceCycleDirection.VCycle"/>, the stencil network by <see cref="DeviceStencilNetwork"/>), the operator by the stencil kernel. x, r and the directions are
/// double; the network runs in float32. A stalled solve is finished by the device's multigrid-preconditioned CG
/// (<see cref="GpuMultigridConjugateGradient"/>) from the current x, as the CPU DCDM's by pcg-mg.
/// The host sees scalars only (a few reductions per iteration).
/// </summary>
public sealed class GpuDeepConjugateDirections : ILinearSolver
{
    /// <summary>When the rest of a solve goes to the fallback (default: 20 iterations, 2x).</summary>
    public StallTest Stall { get; init; } = StallTest.Default;

    readonly GpuDevice _device;
    readonly PoissonGrid _grid;
    readonly ReducedSystem _unknowns;
    readonly SolveFrame _frame;
    readonly SolverOptions _options;
    readonly IDeviceDirection _network;
    readonly DeviceVector<byte> _flags, _diagonal;
    readonly DeviceVector<double> _b, _x, _r, _work;
    readonly DeviceVector<float> _rf, _qf;
    readonly DirectionVectors<DeviceVector<double>> _vectors;
    readonly DeviceBackend _backend;
    readonly double[] _hostB, _hostX;
    readonly int _k;
    DeviceMultigridFallback? _fallback; // made at the first stall, kept for the next solves

    public string Method => "dcdm";
    public int Size => _grid.CellCount;
    public TimeSpan SetupTime { get; }
    public string ModelDescription { get; }

    /// <param name="model">The vcycle or the stencil model: the two with device kernels.</param>
    /// <exception cref="ArgumentException">Another model.</exception>
    public GpuDeepConjugateDirections(GpuDevice device, PoissonGrid grid, IDirectionModel model, SolverOptions? options = null, int previousDirections = 2)
    {
        var clock = Stopwatch.StartNew();
        if (previousDirections < 0) throw new ArgumentOutOfRangeException(nameof(previousDirections), "k must be >= 0");
        _device = device;
        _grid = grid;
        _options = options ?? SolverOptions.Default;
        _k = previousDirections;
        _unknowns = ReducedSystem.FromGrid(grid);
        _frame = new SolveFrame(Method, _unknowns, SolveFrame.Layout.AllRows, "one per grid cell");
        var acc = device.Accelerator;
        int n = grid.CellCount;
        _network = DeviceDirections.Bind(device, grid, model);
        _flags = new DeviceVector<byte>(acc, grid.Cells.ToArray().Select(c => (byte)c).ToArray());
        _diagonal = new DeviceVector<byte>(acc, grid.Diagonal);
        _b = new DeviceVector<double>(acc, n); _x = new DeviceVector<double>(acc, n); _r = new DeviceVector<double>(acc, n);
        _work = new DeviceVector<double>(acc, n);
        _rf = new DeviceVector<float>(acc, n); _qf = new DeviceVector<float>(acc, n);
        _vectors = new DirectionVectors<DeviceVector<double>>(_k, () => new DeviceVector<double>(acc, n));
        _backend = new DeviceBackend(this);
        _hostB = new double[n];
        _hostX = new double[n];
        ModelDescription = model.Description + " (on " + device.Name + ")";
        acc.Synchronize();
        SetupTime = clock.Elapsed;
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        var options = settings.Over(_options);
        var details = new Dictionary<string, string> { ["model"] = ModelDescription, ["k"] = _k.ToString(CultureInfo.InvariantCulture), ["device"] = _device.Name };
        int replaced = 0;
        var result = _frame.Run(b, x, _hostB, _hostX, options, SetupTime, details, (bNorm, history, ct) =>
        {
            _b.Upload(_hostB);
            _x.Upload(_hostX);
            var (end, replacedDirections) = DeepConjugateDirectionsIteration.Run(_backend, _backend, _vectors, _b, _x, _r, bNorm, Stall, options, history, ct,
                fromZero: !options.UseInitialGuess);
            replaced = replacedDirections;
            _x.Download(_hostX);
            return end;
        }, _fallback ??= new DeviceMultigridFallback(this), cancellation);
        details["replaced directions"] = replaced.ToString(CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>The device's vectors for the DCDM loop: the stencil kernel as A, the stencil network's kernels as f.</summary>
    sealed class DeviceBackend(GpuDeepConjugateDirections s) : IVectorBackend<DeviceVector<double>>, IDirectionSource<DeviceVector<double>>
    {
        readonly KrylovKernels _k = s._device.Kernels;

        public double Residual(DeviceVector<double> b, DeviceVector<double> x, DeviceVector<double> r)
        {
            _k.Stencil(s._flags.View, s._grid.Nx, s._grid.Ny, s._grid.Nz, x.View, s._work.View);
            _k.Subtract(b.View, s._work.View, r.View);
            return Math.Sqrt(_k.Dot(r.View, r.View));
        }

        public void Direction(DeviceVector<double> r, double rNorm, DeviceVector<double> q)
        {
            var net = s._device.NetworkKernels;
            net.ToFloat(1 / rNorm, r.View, s._rf.View);
            s._network.Apply(s._rf.View, s._qf.View);
            net.ToDoubleOnUnknowns(s._qf.View, s._diagonal.View, q.View);
        }

        public double ApplyAndDot(DeviceVector<double> q, DeviceVector<double> aq)
        {
            _k.Stencil(s._flags.View, s._grid.Nx, s._grid.Ny, s._grid.Nz, q.View, aq.View);
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
            _cg ??= new GpuMultigridConjugateGradient(dcdm._device, dcdm._grid, dcdm._options with { Monitor = null }, dcdm._unknowns);
            _history.Clear();
            var outcome = _cg.Continue(dcdm._hostB, dcdm._hostX, bNorm, options, _history, cancellation);
            for (int i = 1; i < _history.Count; i++) history.Add(_history[i]); // entry 0 is the current residual, already recorded
            return outcome;
        }
    }

    public void Dispose()
    {
        _network.Dispose();
        _flags.Dispose(); _diagonal.Dispose();
        foreach (var v in new[] { _b, _x, _r, _work }) v.Dispose();
        _rf.Dispose(); _qf.Dispose();
        foreach (var v in _vectors.All) v.Dispose();
        _fallback?.Dispose();
    }
}
