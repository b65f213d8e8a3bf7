using System.Diagnostics;
using System.Globalization;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Gpu.Multigrid;
using Dcdm.Models;
using Dcdm.Multigrid;
using Dcdm.Poisson;
using Dcdm.Solvers;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// Flexible CG preconditioned by one float32 multigrid K-cycle on aggregates (<see cref="GpuAggregateMultigrid"/>, the
/// CPU's pcg-mg cycle) per iteration, for a voxel Poisson grid on an accelerator, vectors on the full grid (no padding).
/// The K-cycle varies from call to call, so beta = -(z.q)/(p.q) keeps each direction A-orthogonal to the last (one more
/// dot, 8 bytes per cell).
///
/// Precision, as in <see cref="GpuGridConjugateGradient"/>: r, z, p, q and the correction d are float32, the operator
/// one byte per cell, x and b double, and the loop is the same (<see cref="ReliableUpdateIteration"/>): refreshed in
/// double whenever the recurrence residual has fallen by <see cref="ReliableUpdateReduction"/> or meets the tolerance.
///
/// The host reads three scalars per iteration (p.q, r.r, r.z): a V-cycle is tens of launches, so the syncs are a small
/// part of it. Memory per iteration besides the V-cycle: q = A p with p.q 9 bytes per cell, the update of d and r 20,
/// r.z 8, p = z + beta p 12: 49 bytes per cell.
/// </summary>
public sealed class GpuMultigridConjugateGradient : ILinearSolver, IReliableUpdateBackend
{
    /// <summary>Recurrence residual reduction after which x and r are refreshed in double.</summary>
    public double ReliableUpdateReduction { get; init; } = 0.01;

    readonly GpuDevice _device;
    readonly ReducedSystem _unknowns;
    readonly SolveFrame _frame;
    readonly SolverOptions _options;
    readonly IDeviceOperator _operator;
    readonly bool _ownsOperator = true;
    readonly DeviceVector<double> _b, _x, _scalars;
    readonly DeviceVector<float> _r, _z, _p, _q, _d;
    readonly double[] _hostB, _hostX, _read = new double[1];
    double? _pending; // p.q of the last step, whose direction update the next run of steps owes (null: a solve's start)

    public string Method { get; }
    public int Size { get; }
    public TimeSpan SetupTime { get; }
    /// <summary>Levels of the K-cycle, the fine grid included.</summary>
    public int LevelCount => _operator.LevelCount;
    /// <summary>Device time of the last solve's iterations alone (no host preparation or transfers of b and x).</summary>
    public TimeSpan LastIterationTime { get; private set; }

    /// <param name="device">The accelerator; the solver borrows it (the caller disposes it).</param>
    public GpuMultigridConjugateGradient(GpuDevice device, PoissonGrid grid, SolverOptions? options = null) : this(device, grid, options, null) { }

    /// <param name="unknowns">The grid's unknowns when the caller has them (the GPU DCDM's fallback): on a large grid the
    /// host's longest part of the set-up.</param>
    internal GpuMultigridConjugateGradient(GpuDevice device, PoissonGrid grid, SolverOptions? options, ReducedSystem? unknowns)
        : this(Stopwatch.StartNew(), device, "pcg-mg (grid, float32 K-cycle and steps, double reliable updates)", unknowns ?? ReducedSystem.FromGrid(grid),
            grid.CellCount, options, _ => new DeviceGridOperator(device, grid)) { }

    /// <summary>
    /// pcg-mg on a voxel operator with per-face coefficients (<see cref="VoxelOperator"/>): the same loop and K-cycle on
    /// the operator's cells as a CSR level, vectors one entry per cell.
    /// </summary>
    /// <exception cref="InvalidSystemException">The faces' coefficients span more than <see cref="CellLevel.SingleContrast"/>
    /// (a density ratio above 10^6): its float32 steps lose the small ones (at 10^8 a step's p.Ap came out negative); or
    /// the diagonals lie outside <see cref="CellLevel.SingleRange"/> (float would hold them or their inverses as 0 or
    /// infinity).</exception>
    public GpuMultigridConjugateGradient(GpuDevice device, VoxelOperator op, SolverOptions? options = null)
        : this(Stopwatch.StartNew(), device, VoxelOperatorMethod, DeviceVoxelOperator.UnknownsOf(FloatStepsBear(op)),
            op.CellCount, options, unknowns => new DeviceVoxelOperator(device, op, unknowns)) { }

    /// <summary>The operator, where float32 steps can take its faces' contrast (the CPU's cells switch to double past
    /// it); else the refusal, which sends the caller to the device's DCDM (its iteration in double). Diagonals float
    /// cannot hold are refused where the cycle is made (<see cref="DeviceVoxelOperator"/>), for that DCDM too.</summary>
    static VoxelOperator FloatStepsBear(VoxelOperator op) => FloatStepsRefusal(CellLevel.Faces(op)) is { } contrast
        ? throw new InvalidSystemException(contrast + "; use dcdm on the device (its iteration in double) or pcg-mg on the CPU")
        : op;

    /// <summary>Why the device pcg-mg's float32 steps cannot take faces spanning more than
    /// <see cref="CellLevel.SingleContrast"/>; null where they can.</summary>
    internal static string? FloatStepsRefusal(PositiveRange faces) => faces.Contrast <= CellLevel.SingleContrast ? null
        : $"the faces' coefficients span {G3(faces.Contrast)}, past the {G3(CellLevel.SingleContrast)} that the device pcg-mg's float32 steps bear";

    /// <summary>Why the device's float32 K-cycle (pcg-mg's and DCDM's) cannot hold an operator at all: its diagonals
    /// (<paramref name="diagonal"/>, per cell) lie outside <see cref="CellLevel.SingleRange"/>, where float holds them or
    /// their inverses as 0 or infinity; null where it can.</summary>
    internal static string? FloatCycleRefusal(double[] diagonal)
    {
        var diagonals = CellLevel.Positive(diagonal);
        return CellLevel.InSingleRange(diagonals) ? null
            : $"the operator's diagonals lie from {G3(diagonals.Smallest)} to {G3(diagonals.Largest)}, outside the {G3(1 / CellLevel.SingleRange)} to "
              + $"{G3(CellLevel.SingleRange)} that the device's float32 K-cycle holds; multiply A and b by one factor that brings them near 1, or solve on the CPU";
    }

    static string G3(double value) => value.ToString("g3", CultureInfo.InvariantCulture);

    const string VoxelOperatorMethod = "pcg-mg (voxel operator, float32 K-cycle and steps, double reliable updates)";

    /// <summary>pcg-mg on a voxel operator already on the device (the GPU DCDM's fallback): its rows, K-cycle and products
    /// as set up there, borrowed (the caller disposes it, after this solver).</summary>
    internal GpuMultigridConjugateGradient(GpuDevice device, DeviceVoxelOperator borrowed, ReducedSystem unknowns, SolverOptions? options)
        : this(Stopwatch.StartNew(), device, VoxelOperatorMethod, unknowns, unknowns.FullSize,
            options, _ => borrowed) => _ownsOperator = false;

    // arguments run left to right: the clock starts before the unknowns are found
    GpuMultigridConjugateGradient(Stopwatch clock, GpuDevice device, string method, ReducedSystem unknowns, int size, SolverOptions? options,
        Func<ReducedSystem, IDeviceOperator> makeOperator)
    {
        _device = device;
        Method = method;
        _options = options ?? SolverOptions.Default;
        _unknowns = unknowns;
        Size = size;
        _operator = makeOperator(unknowns);
        _frame = new SolveFrame(Method, _unknowns, _operator.FrameLayout, "one per grid cell, x fastest");
        var acc = device.Accelerator;
        int n = _operator.Length;
        _b = new DeviceVector<double>(acc, n); _x = new DeviceVector<double>(acc, n);
        _scalars = new DeviceVector<double>(acc, 1);
        _r = new DeviceVector<float>(acc, n); _z = new DeviceVector<float>(acc, n); _p = new DeviceVector<float>(acc, n);
        _q = new DeviceVector<float>(acc, n); _d = new DeviceVector<float>(acc, n);
        _hostB = new double[_frame.VectorLength];
        _hostX = new double[_frame.VectorLength];
        acc.Synchronize();
        SetupTime = clock.Elapsed;
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        var options = settings.Over(_options);
        var details = new Dictionary<string, string>
        {
            ["device"] = _device.Name,
            ["unknowns"] = $"{_unknowns.Unknowns} of {Size} cells",
            ["precision"] = "float32 K-cycle and CG steps, double x, b and true residual",
            ["levels"] = LevelCount.ToString(System.Globalization.CultureInfo.InvariantCulture)
                + (_operator.LineAxis >= 0 ? $"; flat cells: lines along {"xyz"[_operator.LineAxis]} relaxed whole" : ""),
        };
        return _frame.Run(b, x, _hostB, _hostX, options, SetupTime, details,
            (bNorm, history, ct) => LoopEnd.Finished(Continue(_hostB, _hostX, bNorm, options, history, ct)), fallback: null, cancellation);
    }

    /// <summary>
    /// The loop alone from a prepared b and a start x on the host (full grid, 0 off the unknowns, b projected); x is
    /// updated in place. The frame's loop, and the GPU DCDM's fallback with the iterations it has left.
    /// </summary>
    internal KrylovOutcome Continue(double[] b, double[] x, double bNorm, SolverOptions options, List<double> history, CancellationToken cancellation)
    {
        _operator.Upload(b, _b);
        _operator.Upload(x, _x);
        var loop = Stopwatch.StartNew();
        var outcome = Iterate(bNorm, options, history, cancellation);
        _device.Accelerator.Synchronize();
        LastIterationTime = loop.Elapsed;
        _operator.Download(_x, x);
        return outcome;
    }

    KrylovOutcome Iterate(double bNorm, SolverOptions options, List<double> history, CancellationToken cancellation)
    {
        _pending = null;
        return ReliableUpdateIteration.Run(this, bNorm, ReliableUpdateReduction, options, history, cancellation);
    }

    /// <summary>
    /// Flexible CG steps, the host reading p.q, r.r and r.z each. A run starts with the direction its last step owes
    /// (z = M^-1 r of the refreshed r, beta from that step's q and p.q), or p = z at the start of a solve.
    /// </summary>
    SegmentOutcome IReliableUpdateBackend.Run(int step, int max, double stop, double refresh, Func<int, double, bool> report, CancellationToken cancellation)
    {
        var k = _device.MultigridKernels;
        double rr = 1; // r is at unit norm at a segment's start
        // z = M^-1 r ; rho = r.z ; p = z, or p = z + beta p with beta = -(z.q) / (p.q) (flexible: the q of the step before)
        double rho = Precondition();
        if (!(rho > 0) || double.IsInfinity(rho)) return ReliableUpdateIteration.BadRz(rho, step, rr);
        if (_pending is { } owed) _device.MultigridKernels.Xpay(_z.View, (float)(-DotZq() / owed), _p.View);
        else _z.View.CopyTo(_p.View);
        for (int j = step + 1; j <= max; j++)
        {
            if (cancellation.IsCancellationRequested) return new(SegmentEnd.Cancelled, j - 1, rr);
            // q = A p ; alpha = rho / p.q
            ZeroScalar();
            _operator.MultiplyAndDot(_p.View, _q.View, _scalars.View);
            double pq = ReadScalar();
            if (!(pq > 0) || double.IsInfinity(pq)) return ReliableUpdateIteration.BadDirection(pq, j, rr);
            // d += alpha p ; r -= alpha q (fused, r.r)
            ZeroScalar();
            k.UpdateCorrectionAndResidual((float)(rho / pq), _p.View, _q.View, _d.View, _r.View, _scalars.View);
            rr = ReadScalar();
            _pending = pq; // what the next direction's beta divides by
            if (!report(j, rr)) return new(SegmentEnd.Reported, j, rr);
            if (rr <= stop) return new(SegmentEnd.RecurrenceConverged, j, rr);
            if (rr <= refresh) return new(SegmentEnd.Refresh, j, rr);
            double rhoNew = Precondition();
            if (!(rhoNew > 0) || double.IsInfinity(rhoNew)) return ReliableUpdateIteration.BadRz(rhoNew, j, rr);
            k.Xpay(_z.View, (float)(-DotZq() / pq), _p.View);
            rho = rhoNew;
        }
        return new(SegmentEnd.MaxIterations, max, rr);
    }

    void IReliableUpdateBackend.Correct(double rNorm)
    {
        _device.GridKernels.AddScaled(rNorm, _d.View, _x.View);
        _d.Clear();
    }

    /// <summary>p in the new residual's units; the p.q the next beta divides by scales with it (q is of the p before).</summary>
    void IReliableUpdateBackend.Rescale(double c, int step)
    {
        _device.GridKernels.Scale((float)c, _p.View);
        _pending *= c;
    }

    double DotZq()
    {
        ZeroScalar();
        _device.GridKernels.Dot(_z.View, _q.View, _scalars.View);
        return ReadScalar();
    }

    /// <summary>z = M^-1 r (one K-cycle); returns r.z.</summary>
    double Precondition()
    {
        _operator.Precondition(_r.View, _z.View);
        ZeroScalar();
        _device.GridKernels.Dot(_r.View, _z.View, _scalars.View);
        return ReadScalar();
    }

    /// <summary>r = (b - A x) / rNorm in float32, d = 0.</summary>
    void IReliableUpdateBackend.StartSegment(double rNorm, int step)
    {
        _operator.Residual(_b.View, _x.View, _r.View, 1 / rNorm, true, _scalars.View);
        _d.Clear();
    }

    /// <summary>||b - A x|| in double (nothing written).</summary>
    double IReliableUpdateBackend.TrueResidual() => _operator.Residual(_b.View, _x.View, _r.View, 0, false, _scalars.View);

    void ZeroScalar() => _scalars.View.MemSetToZero();

    double ReadScalar()
    {
        _scalars.View.CopyToCPU(_read.AsSpan());
        return _read[0];
    }

    public void Dispose()
    {
        if (_ownsOperator) _operator.Dispose();
        foreach (var v in new[] { _b, _x, _scalars }) v.Dispose();
        foreach (var v in new[] { _r, _z, _p, _q, _d }) v.Dispose();
    }
}
