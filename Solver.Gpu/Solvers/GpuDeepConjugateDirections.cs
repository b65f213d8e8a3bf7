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
    public int StallWindow { get; init; } = 20;
    public double StallFactor { get; init; } = 2;

    readonly GpuDevice _device;
    readonly PoissonGrid _grid;
    readonly FluidComponents _components;
    readonly SolverOptions _options;
    readonly DeviceLeanNetwork _network;
    readonly DeviceVector<byte> _flags, _diagonal;
    readonly DeviceVector<double> _b, _x, _r, _q, _aq, _work;
    readonly DeviceVector<float> _rf, _qf;
    readonly (DeviceVector<double> p, DeviceVector<double> ap)[] _directions;
    readonly double[] _pap;
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
        _directions = Enumerable.Range(0, _k).Select(_ => (new DeviceVector<double>(acc, n), new DeviceVector<double>(acc, n))).ToArray();
        _pap = new double[_k];
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
        var kk = _device.Kernels;
        var history = new List<double>();
        var details = new Dictionary<string, string> { ["model"] = ModelDescription, ["k"] = _k.ToString(CultureInfo.InvariantCulture), ["device"] = _device.Name };
        var (projection, bNorm) = _components.PrepareRightHandSide(b, _hostB);
        if (!double.IsFinite(bNorm))
        {
            x.Clear();
            return SolveResult.From(Method, new(SolveStatus.Breakdown, 0, double.NaN, "b holds NaN or infinity", 0), history, SetupTime, clock.Elapsed, projection, details);
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

        double tol = _options.Tolerance * bNorm;
        double rNorm = Residual();
        history.Add(rNorm / bNorm);
        int used = 0, next = 0, replaced = 0, replacements = 0, k = 0;
        KrylovOutcome? outcome = null;
        while (outcome is null)
        {
            if (rNorm <= tol)
            {
                double trueNorm = Residual();
                if (trueNorm <= tol) { outcome = new(SolveStatus.Converged, k, trueNorm / bNorm, $"true relative residual {trueNorm / bNorm:g3} <= tolerance {_options.Tolerance:g3}", replacements); break; }
                replacements++;
                rNorm = trueNorm;
            }
            if (k >= _options.MaxIterations) { outcome = new(SolveStatus.MaxIterations, k, Residual() / bNorm, $"{k} iterations reached", replacements); break; }
            if (cancellation.IsCancellationRequested) { outcome = new(SolveStatus.Cancelled, k, Residual() / bNorm, "cancelled by the caller", replacements); break; }
            if (DeepConjugateDirections.Stalled(history, StallWindow, StallFactor))
            {
                details["fallback"] = $"the best residual of the last {StallWindow} iterations was not {StallFactor:g}x below the best before them, at iteration {k}: CG on the device from the current x";
                outcome = Fallback(b, k, history, details, cancellation, replacements);
                break;
            }
            k++;

            // q = f(r / ||r||), on the unknowns
            _device.NetworkKernels.ToFloat(1 / rNorm, _r.View, _rf.View);
            _network.Apply(_rf.View, _qf.View);
            _device.NetworkKernels.ToDoubleOnUnknowns(_qf.View, _diagonal.View, _q.View);
            if (!Usable(used, rNorm, out double qAq, out double qr))
            {
                replaced++;
                _r.View.CopyTo(_q.View);
                Usable(used, rNorm, out qAq, out qr);
                if (!(qAq > 0))
                {
                    outcome = new(SolveStatus.Breakdown, k, Residual() / bNorm, $"r.Ar = {qAq:g3} at iteration {k}: the operator is not positive definite on r", replacements);
                    break;
                }
            }
            double alpha = qr / qAq;
            kk.Axpy(alpha, _q.View, _x.View);
            kk.Axpy(-alpha, _aq.View, _r.View);
            rNorm = Math.Sqrt(kk.Dot(_r.View, _r.View));
            history.Add(rNorm / bNorm);
            _options.Monitor?.Invoke(new IterationInfo(k, rNorm / bNorm));
            if (!double.IsFinite(rNorm)) { outcome = new(SolveStatus.Breakdown, k, double.NaN, $"NaN or infinity in the residual at iteration {k}", replacements); break; }
            if (_k > 0)
            {
                _q.View.CopyTo(_directions[next].p.View);
                _aq.View.CopyTo(_directions[next].ap.View);
                _pap[next] = qAq;
                next = (next + 1) % _k;
                used = Math.Min(used + 1, _k);
            }
        }
        details["replaced directions"] = replaced.ToString(CultureInfo.InvariantCulture);
        bool fellBack = details.ContainsKey("fallback");
        return Finish(outcome.Value, history, projection, clock, details, x, download: !fellBack);
    }

    /// <summary>A-orthogonalises q against the kept directions, then aq = A q, q.Aq, q.r, and whether q may be used.</summary>
    bool Usable(int used, double rNorm, out double qAq, out double qr)
    {
        var kk = _device.Kernels;
        qAq = qr = 0;
        double qq = kk.Dot(_q.View, _q.View);
        if (!double.IsFinite(qq) || qq == 0) return false;
        for (int j = 0; j < used; j++)
        {
            double c = kk.Dot(_q.View, _directions[j].ap.View) / _pap[j];
            kk.Axpy(-c, _directions[j].p.View, _q.View);
        }
        qq = kk.Dot(_q.View, _q.View);
        if (!(qq > 0)) return false;
        kk.Stencil(_flags.View, _grid.Nx, _grid.Ny, _grid.Nz, _q.View, _aq.View);
        qAq = kk.Dot(_q.View, _aq.View);
        qr = kk.Dot(_q.View, _r.View);
        return qAq > 0 && double.IsFinite(qAq) && Math.Abs(qr) >= 1e-6 * Math.Sqrt(qq) * rNorm;
    }

    /// <summary>r = b - A x; returns ||r||.</summary>
    double Residual()
    {
        var kk = _device.Kernels;
        kk.Stencil(_flags.View, _grid.Nx, _grid.Ny, _grid.Nz, _x.View, _work.View);
        kk.Subtract(_b.View, _work.View, _r.View);
        return Math.Sqrt(kk.Dot(_r.View, _r.View));
    }

    KrylovOutcome Fallback(ReadOnlySpan<double> b, int k, List<double> history, Dictionary<string, string> details, CancellationToken cancellation, int replacements)
    {
        _x.Download(_hostX);
        var options = _options with { UseInitialGuess = true, MaxIterations = Math.Max(0, _options.MaxIterations - k), Monitor = null };
        using var cg = new GpuGridConjugateGradient(_device, _grid, options);
        var result = cg.Solve(b, _hostX, cancellation);
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
        foreach (var (p, ap) in _directions) { p.Dispose(); ap.Dispose(); }
    }
}
