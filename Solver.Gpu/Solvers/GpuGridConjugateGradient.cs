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
/// byte per cell; x and b stay double. A float32 recurrence cannot be trusted much below eps32 times
/// the condition number, so this is CG with reliable updates: whenever the recurrence residual has
/// fallen by <see cref="ReliableUpdateReduction"/> (or meets the tolerance), x += d in double, the
/// true residual b - A x is recomputed in double and rescaled to unit norm, and CG continues with its
/// direction p rescaled, not restarted. Convergence is declared on that double-precision true residual.
///
/// Memory per CG step: 37 bytes per cell in two fused kernels on quads of four x-neighbours
/// (<see cref="GridKernels"/>), against 57 for the same step with double x and r, and 45 for unfused
/// float32 kernels. The quads need nx % 4 == 0: other grids run padded in x with solid cells
/// (<see cref="PaddedGrid"/>), and b and x pass through host arrays in that layout.
/// The host reads the step scalars once per batch of steps; kernels stop themselves at the tolerance,
/// so the few steps queued past it cost a launch each and change nothing.
/// </summary>
public sealed class GpuGridConjugateGradient : ILinearSolver
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
        var diagonal = CellDiagonal.Of(grid);
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

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, CancellationToken cancellation = default) => Solve(b, x, SolveSettings.None, cancellation);

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

    enum SegmentEnd { RecurrenceConverged, Refresh, MaxIterations, Cancelled, Breakdown }

    KrylovOutcome Iterate(double bNorm, SolverOptions options, List<double> history, CancellationToken cancellation)
    {
        int max = options.MaxIterations;
        var k = _device.GridKernels;
        double tol = options.Tolerance * bNorm;
        double rNorm = TrueResidual();
        history.Add(rNorm / bNorm);
        if (rNorm <= tol) return new(SolveStatus.Converged, 0, rNorm / bNorm, "the initial guess already meets the tolerance", 0);
        if (!double.IsFinite(rNorm)) return new(SolveStatus.NotANumber, 0, rNorm / bNorm, "NaN or infinity in the initial residual (the initial guess?)", 0);
        if (max == 0) return new(SolveStatus.MaxIterations, 0, rNorm / bNorm, "MaxIterations is 0", 0);

        _rr.Clear(); _pq.Clear();
        _p[1].Clear(); // the "previous step" of step 0 (times 0, but must not be NaN)
        int updates = 0, step = 0, first = 0;
        var rr = new double[Batch + 1];
        var pq = new double[Batch];
        StartSegment(rNorm, step);
        while (true)
        {
            // One segment: float32 CG on r / rNorm until the recurrence meets the tolerance or falls by the refresh factor.
            double stop = Math.Pow(tol / rNorm, 2);
            double rrStart = ReadRr(step);
            double refresh = Math.Pow(ReliableUpdateReduction, 2) * rrStart;
            SegmentEnd end;
            string breakdown = "";
            var breakdownStatus = SolveStatus.Breakdown;
            while (true)
            {
                int start = step, last = Math.Min(start + Batch, max) - 1, count = last - start + 1;
                if (count <= 0) { end = SegmentEnd.MaxIterations; break; } // at a segment start: nothing owed
                for (int j = start; j <= last; j++) LaunchStep(j, first, stop);
                _rr.View.SubView(start, count + 1).CopyToCPU(rr.AsSpan(0, count + 1)); // rr[i] = r_{start+i}.r_{start+i}
                _pq.View.SubView(start, count).CopyToCPU(pq.AsSpan(0, count));         // pq[i] = p_{start+i}.A p_{start+i}
                int stopped = -1;
                end = SegmentEnd.Refresh;
                for (int i = 0; i < count; i++)
                {
                    if (!(pq[i] > 0) || double.IsInfinity(pq[i]))
                    {
                        // step start+i made no update; it settled the step before it
                        end = SegmentEnd.Breakdown;
                        breakdownStatus = pq[i] <= 0 ? SolveStatus.NotPositiveDefinite : SolveStatus.NotANumber;
                        breakdown = $"p.Ap = {pq[i]:g3} at iteration {start + i + 1}" + (pq[i] <= 0 ? ": the operator is not positive definite" : "");
                        step = start + i;
                        stopped = i;
                        break;
                    }
                    double relative = rNorm * Math.Sqrt(Math.Max(0, rr[i + 1])) / bNorm;
                    history.Add(relative);
                    options.Monitor?.Invoke(new IterationInfo(start + i + 1, relative));
                    if (rr[i + 1] <= stop)
                    {
                        end = SegmentEnd.RecurrenceConverged;
                        step = start + i + 1;
                        if (step > last) Settle(step - 1, rr[i], pq[i]); // no queued step settles it
                        stopped = i;
                        break;
                    }
                }
                if (stopped >= 0) break;
                step = last + 1;
                bool refreshNow = rr[count] <= refresh;
                end = cancellation.IsCancellationRequested ? SegmentEnd.Cancelled : step >= max ? SegmentEnd.MaxIterations : SegmentEnd.Refresh;
                if (end != SegmentEnd.Refresh || refreshNow)
                {
                    Settle(last, rr[count - 1], pq[count - 1]);
                    break;
                }
            }

            // Reliable update: x += rNorm d in double, and the true residual replaces r.
            k.AddScaled(rNorm, _d.View, _x.View);
            double trueNorm = TrueResidual();
            double trueRelative = trueNorm / bNorm;
            history[^1] = trueRelative;
            if (trueNorm <= tol)
                return new(SolveStatus.Converged, step, trueRelative, $"true relative residual {trueRelative:g3} <= tolerance {options.Tolerance:g3}", updates);
            if (!double.IsFinite(trueNorm))
                return new(SolveStatus.NotANumber, step, trueRelative, $"NaN or infinity in the true residual at iteration {step}", updates);
            switch (end)
            {
                case SegmentEnd.Breakdown:
                    return new(breakdownStatus, step, trueRelative, breakdown, updates);
                case SegmentEnd.Cancelled:
                    return new(SolveStatus.Cancelled, step, trueRelative, "cancelled by the caller", updates);
                case SegmentEnd.MaxIterations:
                    return new(SolveStatus.MaxIterations, step, trueRelative, $"{max} iterations reached with relative residual {trueRelative:g3} > tolerance {options.Tolerance:g3}", updates);
            }
            if (trueNorm > 0.5 * rNorm)
                return new(SolveStatus.Breakdown, step, trueRelative,
                    $"the float32 steps stopped reducing the true residual ({trueRelative:g3} at iteration {step}): the operator is too ill-conditioned for them", updates);

            // Continue CG from the true residual: p and r.r of the last step in the new residual's units.
            updates++;
            double c = rNorm / trueNorm;
            double rrBefore = 0; // what beta divides by
            _rr.View.SubView(step - 1, 1).CopyToCPU(ref rrBefore, 1);
            rrBefore *= c * c;
            k.Scale((float)c, _p[(step - 1) & 1].View);
            rNorm = trueNorm;
            StartSegment(rNorm, step);
            _rr.View.SubView(step - 1, 1).CopyFromCPU(ref rrBefore, 1);
            first = step;
        }
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
    void StartSegment(double rNorm, int step)
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
    double TrueResidual() =>
        _device.GridKernels.Residual(_shape, _diagonal.View, _b.View, _x.View, _r.View, 0, false, _scratch.View);

    public void Dispose()
    {
        _diagonal.Dispose();
        foreach (var v in new[] { _b, _x, _scratch, _rr, _pq }) v.Dispose();
        foreach (var v in new[] { _r, _q, _d, _p[0], _p[1] }) v.Dispose();
    }
}
