using System.Diagnostics;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Poisson;
using Dcdm.Solvers;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// Matrix-free CG for a voxel Poisson grid on an ILGPU accelerator, vectors on the full grid.
///
/// Precision: the Krylov vectors (r, p, q and the correction d) are float32 and the operator is one
/// byte per cell; x and b stay double. The loop is Core's CG with reliable updates (<see cref="ReliableUpdateIteration"/>,
/// the one every device CG runs): refreshed in double whenever the recurrence residual has fallen by
/// <see cref="ReliableUpdateReduction"/> or meets the tolerance, converged on the double-precision true residual.
///
/// Memory per CG step: 37 bytes per cell in two fused kernels on quads of four x-neighbours
/// (<see cref="GridKernels"/>), against 57 for the same step with double x and r, and 45 for unfused
/// float32 kernels. The quads need nx % 4 == 0: other grids run padded in x with solid cells
/// (<see cref="PaddedGrid"/>), and b and x pass through host arrays in that layout.
/// The host reads the step scalars once per batch of steps; kernels stop themselves at the tolerance,
/// so the few steps queued past it cost a launch each and change nothing.
/// </summary>
public sealed class GpuGridConjugateGradient : ILinearSolver, IReliableUpdateBackend
{
    /// <summary>Steps queued between two reads of the scalars by the host.</summary>
    public const int Batch = 16;
    /// <summary>Recurrence residual reduction after which x and r are refreshed in double.</summary>
    public double ReliableUpdateReduction { get; init; } = 0.01;

    readonly GpuDevice _device;
    readonly ReducedSystem _unknowns;
    readonly SolveFrame _frame;
    readonly SolverOptions _options;
    readonly PaddedGrid _layout;
    readonly GridShape _shape;
    readonly DeviceVector<byte> _diagonal;
    readonly DeviceVector<double> _b, _x, _scratch, _rr, _pq;
    readonly DeviceVector<float> _r, _q, _d;
    readonly DeviceVector<float>[] _p; // by step parity: step j reads p[(j+1)&1] and writes p[j&1]
    readonly double[] _hostB, _hostX;
    readonly double[]? _paddedB, _paddedX; // b and x in the padded layout, only when nx % 4 != 0
    readonly double[] _rrBatch = new double[Batch + 1], _pqBatch = new double[Batch]; // a batch's scalars read by the host
    int _first; // the step the current run of CG steps started from (0: p_0 = r_0)

    public string Method => "cg (grid, float32 steps, double reliable updates)";
    public int Size { get; }
    public TimeSpan SetupTime { get; }
    public ReducedSystem Unknowns => _unknowns;
    /// <summary>Device time of the last solve's iterations alone (no host preparation or transfers of b and x).</summary>
    public TimeSpan LastIterationTime { get; private set; }

    /// <param name="device">The accelerator; the solver borrows it (the caller disposes it).</param>
    /// <param name="chunk">z planes per work item of the column kernels.</param>
    public GpuGridConjugateGradient(GpuDevice device, PoissonGrid grid, SolverOptions? options = null, int chunk = GridKernels.DefaultChunk)
    {
        var clock = Stopwatch.StartNew();
        _device = device;
        _options = options ?? SolverOptions.Default;
        _unknowns = ReducedSystem.FromGrid(grid);
        _frame = new SolveFrame(Method, _unknowns, SolveFrame.Layout.AllRows, "one per grid cell, x fastest");
        _layout = new PaddedGrid(grid.Nx, grid.Ny, grid.Nz);
        _shape = _layout.Shape(chunk);
        Size = grid.CellCount;
        int cells = _layout.Cells;
        var acc = device.Accelerator;
        var diagonal = grid.Diagonal; // the grid's own, made for the unknowns above; padding copies it, an upload reads it
        if (_layout.IsPadded)
        {
            diagonal = _layout.Pad<byte>(diagonal);
            _paddedB = new double[cells];
            _paddedX = new double[cells];
        }
        _diagonal = new DeviceVector<byte>(acc, diagonal);
        _b = new DeviceVector<double>(acc, cells); _x = new DeviceVector<double>(acc, cells);
        _r = new DeviceVector<float>(acc, cells); _q = new DeviceVector<float>(acc, cells); _d = new DeviceVector<float>(acc, cells);
        _p = [new DeviceVector<float>(acc, cells), new DeviceVector<float>(acc, cells)];
        _scratch = new DeviceVector<double>(acc, 1);
        _rr = new DeviceVector<double>(acc, _options.MaxIterations + 2);
        _pq = new DeviceVector<double>(acc, _options.MaxIterations + 2);
        _hostB = new double[Size];
        _hostX = new double[Size];
        acc.Synchronize();
        SetupTime = clock.Elapsed;
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        var options = settings.Over(_options); // Continue refuses a limit above the one that sized the device scalars
        var details = new Dictionary<string, string>
        {
            ["device"] = _device.Name,
            ["unknowns"] = $"{_unknowns.Unknowns} of {Size} cells",
            ["precision"] = "float32 CG steps, double x, b and true residual",
        };
        return _frame.Run(b, x, _hostB, _hostX, options, SetupTime, details,
            (bNorm, history, ct) => LoopEnd.Finished(Continue(_hostB, _hostX, bNorm, options, history, ct)), fallback: null, cancellation);
    }

    /// <summary>
    /// The loop alone from a prepared b and a start x on the host (full grid in the caller's layout, 0 off the
    /// unknowns, b projected); x is updated in place. The frame's loop, and the GPU DCDM's fallback with the
    /// iterations it has left (at most the options' MaxIterations, which sized the scalar arrays).
    /// </summary>
    internal KrylovOutcome Continue(double[] b, double[] x, double bNorm, SolverOptions options, List<double> history, CancellationToken cancellation)
    {
        if (options.MaxIterations > _options.MaxIterations)
            throw new ArgumentOutOfRangeException(nameof(options), $"at most {_options.MaxIterations} iterations (the options' MaxIterations sized the scalars), got {options.MaxIterations}");
        ToDevice(b, _paddedB, _b);
        ToDevice(x, _paddedX, _x);
        var loop = Stopwatch.StartNew();
        var outcome = Iterate(bNorm, options, history, cancellation);
        _device.Accelerator.Synchronize();
        LastIterationTime = loop.Elapsed;
        if (_paddedX is null) _x.Download(x);
        else
        {
            _x.Download(_paddedX);
            _layout.Unpad<double>(_paddedX, x);
        }
        return outcome;
    }

    /// <summary>A host vector into the device's layout, through the padded host array when there is one.</summary>
    void ToDevice(double[] host, double[]? padded, DeviceVector<double> device)
    {
        if (padded is null)
        {
            device.Upload(host);
            return;
        }
        _layout.Pad<double>(host, padded);
        device.Upload(padded);
    }

    KrylovOutcome Iterate(double bNorm, SolverOptions options, List<double> history, CancellationToken cancellation)
    {
        _rr.Clear(); _pq.Clear();
        _p[1].Clear(); // the "previous step" of step 0 (times 0, but must not be NaN)
        _first = 0;
        return ReliableUpdateIteration.Run(this, bNorm, ReliableUpdateReduction, options, history, cancellation);
    }

    /// <summary>
    /// Batches of <see cref="Batch"/> steps, the host reading their r.r and p.q once a batch; a step past the tolerance
    /// stops itself on the device, so the few queued past it change nothing.
    /// </summary>
    SegmentOutcome IReliableUpdateBackend.Run(int step, int max, double stop, double refresh, Func<int, double, bool> report, CancellationToken cancellation)
    {
        var rr = _rrBatch;
        var pq = _pqBatch;
        double rrStart = ReadRr(step);
        refresh *= rrStart;
        while (true)
        {
            int start = step, last = Math.Min(start + Batch, max) - 1, count = last - start + 1;
            if (count <= 0) return new(SegmentEnd.MaxIterations, step, rrStart); // at a segment start: nothing owed
            for (int j = start; j <= last; j++) LaunchStep(j, _first, stop);
            _rr.View.SubView(start, count + 1).CopyToCPU(rr.AsSpan(0, count + 1)); // rr[i] = r_{start+i}.r_{start+i}
            _pq.View.SubView(start, count).CopyToCPU(pq.AsSpan(0, count));         // pq[i] = p_{start+i}.A p_{start+i}
            for (int i = 0; i < count; i++)
            {
                // step start+i made no update when its p.q is bad; it settled the step before it
                if (!(pq[i] > 0) || double.IsInfinity(pq[i])) return ReliableUpdateIteration.BadDirection(pq[i], start + i + 1, rr[i]);
                if (!report(start + i + 1, rr[i + 1]))
                {
                    Settle(last, rr[count - 1], pq[count - 1]); // the batch's steps all ran: d holds them
                    return new(SegmentEnd.Reported, start + i + 1, rr[i + 1]);
                }
                if (rr[i + 1] <= stop)
                {
                    step = start + i + 1;
                    if (step > last) Settle(step - 1, rr[i], pq[i]); // no queued step settles it
                    return new(SegmentEnd.RecurrenceConverged, step, rr[i + 1]);
                }
            }
            step = last + 1;
            var end = cancellation.IsCancellationRequested ? SegmentEnd.Cancelled : step >= max ? SegmentEnd.MaxIterations : SegmentEnd.Refresh;
            if (end != SegmentEnd.Refresh || rr[count] <= refresh)
            {
                Settle(last, rr[count - 1], pq[count - 1]);
                return new(end, step, rr[count]);
            }
        }
    }

    void IReliableUpdateBackend.Correct(double rNorm) => _device.GridKernels.AddScaled(rNorm, _d.View, _x.View);

    /// <summary>p and r.r of the last step in the new residual's units; CG goes on from step with no restart.</summary>
    void IReliableUpdateBackend.Rescale(double c, int step)
    {
        double rrBefore = 0; // what beta divides by
        _rr.View.SubView(step - 1, 1).CopyToCPU(ref rrBefore, 1);
        rrBefore *= c * c;
        _device.GridKernels.Scale((float)c, _p[(step - 1) & 1].View);
        _rr.View.SubView(step - 1, 1).CopyFromCPU(ref rrBefore, 1);
        _first = step;
    }

    void LaunchStep(int j, int first, double stop)
    {
        var k = _device.GridKernels;
        var vectors = new CgVectors(_diagonal.View, _r.View, _p[(j + 1) & 1].View, _p[j & 1].View, _d.View, _q.View);
        // p_j = r_j + beta p_{j-1}, q = A p_j, p_j.q (and d += alpha_{j-1} p_{j-1}); then r -= alpha_j q, r.r
        k.DirectionAndProduct(_shape, vectors, _rr.View, _pq.View, new CgStep(j, first, restart: first == 0, stop));
        k.UpdateResidual(_r.View, _q.View, _rr.View, _pq.View, j, stop);
    }

    /// <summary>r = (b - A x) / rNorm in float32, d = 0, rr[step] = r.r.</summary>
    void IReliableUpdateBackend.StartSegment(double rNorm, int step)
    {
        _device.GridKernels.Residual(_shape, _diagonal.View, _b.View, _x.View, _r.View, 1 / rNorm, true, _scratch.View);
        _d.Clear();
        _rr.View.SubView(step, 1).MemSetToZero();
        _device.GridKernels.Dot(_r.View, _r.View, _rr.View.SubView(step, 1));
    }

    /// <summary>d += alpha_j p_j (alpha_j = rr_j / pq_j) for a step whose update no queued kernel makes.</summary>
    void Settle(int j, double rrj, double pqj) => _device.GridKernels.Axpy((float)(rrj / pqj), _p[j & 1].View, _d.View);

    double ReadRr(int step)
    {
        double value = 0;
        _rr.View.SubView(step, 1).CopyToCPU(ref value, 1);
        return value;
    }

    /// <summary>||b - A x|| in double (nothing written).</summary>
    double IReliableUpdateBackend.TrueResidual() =>
        _device.GridKernels.Residual(_shape, _diagonal.View, _b.View, _x.View, _r.View, 0, false, _scratch.View);

    public void Dispose()
    {
        _diagonal.Dispose();
        foreach (var v in new[] { _b, _x, _scratch, _rr, _pq }) v.Dispose();
        foreach (var v in new[] { _r, _q, _d, _p[0], _p[1] }) v.Dispose();
    }
}
