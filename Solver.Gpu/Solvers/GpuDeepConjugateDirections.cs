using System.Diagnostics;
using System.Globalization;
using Dcdm.Gpu.Devices;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// DCDM on a voxel grid with every vector on the accelerator: the same iteration, safeguards and
/// statuses as Core's <see cref="DeepConjugateDirections"/>, the lean network evaluated by
/// <see cref="DeviceLeanNetwork"/>, the operator by the stencil kernel. x, r and the directions are
/// double; the network runs in float32. A stalled solve is finished by the device's matrix-free CG
/// (<see cref="GpuGridConjugateGradient"/>) from the current x: IC(0) has no GPU form here.
/// The host sees scalars only (a few reductions per iteration).
/// </summary>
public sealed class GpuDeepConjugateDirections : ILinearSolver, IDisposable
{
    public int StallWindow { get; init; } = DeepConjugateDirectionsIteration.DefaultStallWindow;
    public double StallFactor { get; init; } = DeepConjugateDirectionsIteration.DefaultStallFactor;

    readonly GpuDevice _device;
    readonly PoissonGrid _grid;
    readonly FluidComponents _components;
    readonly SolverOptions _options;
    readonly DeviceLeanNetwork _network;
    readonly DeviceVector<byte> _flags, _diagonal;
    readonly DeviceVector<double> _b, _x, _r, _q, _aq, _work;
    readonly DeviceVector<float> _rf, _qf;
    readonly List<DeviceVector<double>> _kept = [];
    GpuGridConjugateGradient? _fallback; // made at the first stall, kept for the next solves
    int _keptInUse;
    readonly double[] _hostB, _hostX;
    readonly int _k;

    public string Method => "dcdm";
    public int Size => _grid.CellCount;
    public TimeSpan SetupTime { get; }
    public string ModelDescription { get; }

    public GpuDeepConjugateDirections(GpuDevice device, PoissonGrid grid, LeanDirectionModel model, SolverOptions? options = null, int previousDirections = 2)
    {
        var clock = Stopwatch.StartNew();
        if (previousDirections < 0) throw new ArgumentOutOfRangeException(nameof(previousDirections), "k must be >= 0");
        _device = device;
        _grid = grid;
        _options = options ?? SolverOptions.Default;
        _k = previousDirections;
        _components = new FluidComponents(grid);
        var acc = device.Accelerator;
        int n = grid.CellCount;
        _network = new DeviceLeanNetwork(device, model.Stencils(grid));
        _flags = new DeviceVector<byte>(acc, grid.Cells.ToArray().Select(c => (byte)c).ToArray());
        _diagonal = new DeviceVector<byte>(acc, _components.Diagonal);
        _b = new DeviceVector<double>(acc, n); _x = new DeviceVector<double>(acc, n); _r = new DeviceVector<double>(acc, n);
        _q = new DeviceVector<double>(acc, n); _aq = new DeviceVector<double>(acc, n); _work = new DeviceVector<double>(acc, n);
        _rf = new DeviceVector<float>(acc, n); _qf = new DeviceVector<float>(acc, n);
        _hostB = new double[n];
        _hostX = new double[n];
        ModelDescription = model.Description + " (on " + device.Name + ")";
        acc.Synchronize();
        SetupTime = clock.Elapsed;
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, CancellationToken cancellation = default)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries (one per grid cell), got {b.Length} and {x.Length}");
        var clock = Stopwatch.StartNew();
        var history = new List<double>();
        var details = new Dictionary<string, string> { ["model"] = ModelDescription, ["k"] = _k.ToString(CultureInfo.InvariantCulture), ["device"] = _device.Name };
        var (projection, bNorm) = _components.PrepareRightHandSide(b, _hostB);
        if (!double.IsFinite(bNorm))
        {
            x.Clear();
            return SolveResult.From(Method, new(SolveStatus.NotANumber, 0, double.NaN, "b holds NaN or infinity", 0), history, SetupTime, clock.Elapsed, projection, details);
        }
        if (bNorm == 0)
        {
            history.Add(0);
            x.Clear();
            return SolveResult.From(Method, new(SolveStatus.Converged, 0, 0, "b is zero on the range of A, so x = 0", 0), history, SetupTime, clock.Elapsed, projection, details);
        }
        _b.Upload(_hostB);
        if (_options.UseInitialGuess) { x.CopyTo(_hostX); _components.MaskToUnknowns(_hostX); _x.Upload(_hostX); }
        else _x.Clear();

        _keptInUse = 0;
        var loop = DeepConjugateDirectionsIteration.Run(new DeviceBackend(this), _b, _x, _r, _q, _aq, bNorm, _k, StallWindow, StallFactor, _options, history, cancellation);
        KrylovOutcome outcome;
        bool fellBack = loop.Stalled;
        if (fellBack)
        {
            details["fallback"] = DeepConjugateDirectionsIteration.StallDescription(StallWindow, StallFactor, loop.Iterations, "CG on the device");
            outcome = Fallback(b, loop.Iterations, history, details, cancellation, loop.ResidualReplacements);
        }
        else outcome = loop.Outcome!.Value;
        details["replaced directions"] = loop.ReplacedDirections.ToString(CultureInfo.InvariantCulture);
        return Finish(outcome, history, projection, clock, details, x, download: !fellBack);
    }

    /// <summary>The device's vectors for the DCDM loop: the stencil kernel as A, the lean network's kernels as f.</summary>
    sealed class DeviceBackend(GpuDeepConjugateDirections s) : IDirectionBackend<DeviceVector<double>>
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

        public double Dot(DeviceVector<double> a, DeviceVector<double> b) => _k.Dot(a.View, b.View);
        public void Axpy(double alpha, DeviceVector<double> x, DeviceVector<double> y) => _k.Axpy(alpha, x.View, y.View);
        public double Update(double alpha, DeviceVector<double> q, DeviceVector<double> aq, DeviceVector<double> x, DeviceVector<double> r) =>
            _k.UpdateSolutionAndResidual(alpha, q.View, aq.View, x.View, r.View);
        public void Copy(DeviceVector<double> from, DeviceVector<double> to) => from.View.CopyTo(to.View);
        public DeviceVector<double> NewVector() => s.NextKept();
    }

    /// <summary>The kept directions' vectors, allocated on the first solve and reused by the next ones.</summary>
    DeviceVector<double> NextKept()
    {
        if (_keptInUse == _kept.Count) _kept.Add(new DeviceVector<double>(_device.Accelerator, _grid.CellCount));
        return _kept[_keptInUse++];
    }

    KrylovOutcome Fallback(ReadOnlySpan<double> b, int k, List<double> history, Dictionary<string, string> details, CancellationToken cancellation, int replacements)
    {
        _x.Download(_hostX);
        _fallback ??= new GpuGridConjugateGradient(_device, _grid, _options with { Monitor = null });
        var result = _fallback.Solve(b, _hostX, useInitialGuess: true, Math.Max(0, _options.MaxIterations - k), cancellation);
        for (int i = 1; i < result.ResidualHistory.Count; i++) history.Add(result.ResidualHistory[i]);
        details["fallback iterations"] = result.Iterations.ToString(CultureInfo.InvariantCulture);
        return new(result.Status, k + result.Iterations, result.RelativeResidual, $"{result.Message} (device CG after {k} DCDM iterations)", replacements + result.ResidualReplacements);
    }

    SolveResult Finish(KrylovOutcome o, List<double> history, RangeProjection? projection, Stopwatch clock, Dictionary<string, string> details, Span<double> x, bool download)
    {
        if (download) _x.Download(_hostX);
        _components.RemoveNullSpace(_hostX);
        _hostX.CopyTo(x);
        return SolveResult.From(Method, o, history, SetupTime, clock.Elapsed, projection, details);
    }

    public void Dispose()
    {
        _network.Dispose();
        _flags.Dispose(); _diagonal.Dispose();
        foreach (var v in new[] { _b, _x, _r, _q, _aq, _work }) v.Dispose();
        _rf.Dispose(); _qf.Dispose();
        foreach (var v in _kept) v.Dispose();
        _fallback?.Dispose();
    }
}
