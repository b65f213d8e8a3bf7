using System.Diagnostics;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Gpu.Multigrid;
using Dcdm.Models;
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
/// one byte per cell, x and b double. Whenever the recurrence residual has fallen by <see cref="ReliableUpdateReduction"/>
/// (or meets the tolerance), x += d in double, the true residual b - A x is recomputed in double and rescaled to unit
/// norm, and CG continues with p and r.z rescaled, not restarted. Convergence is declared on that true residual.
///
/// The host reads three scalars per iteration (p.q, r.r, r.z): a V-cycle is tens of launches, so the syncs are a small
/// part of it. Memory per iteration besides the V-cycle: q = A p with p.q 9 bytes per cell, the update of d and r 20,
/// r.z 8, p = z + beta p 12: 49 bytes per cell.
/// </summary>
public sealed class GpuMultigridConjugateGradient : ILinearSolver
{
    /// <summary>Recurrence residual reduction after which x and r are refreshed in double.</summary>
    public double ReliableUpdateReduction { get; init; } = 0.01;

    readonly GpuDevice _device;
    readonly ReducedSystem _unknowns;
    readonly SolveFrame _frame;
    readonly SolverOptions _options;
    readonly GpuAggregateMultigrid _multigrid;
    readonly LevelShape _shape;
    readonly GridShape _columns;
    readonly DeviceVector<double> _b, _x, _scalars;
    readonly DeviceVector<float> _r, _z, _p, _q, _d;
    readonly double[] _hostB, _hostX, _read = new double[1];

    public string Method => "pcg-mg (grid, float32 K-cycle and steps, double reliable updates)";
    public int Size { get; }
    public TimeSpan SetupTime { get; }
    /// <summary>Levels of the K-cycle, the fine grid included.</summary>
    public int LevelCount => _multigrid.LevelCount;
    /// <summary>Device time of the last solve's iterations alone (no host preparation or transfers of b and x).</summary>
    public TimeSpan LastIterationTime { get; private set; }

    /// <param name="device">The accelerator; the solver borrows it (the caller disposes it).</param>
    public GpuMultigridConjugateGradient(GpuDevice device, PoissonGrid grid, SolverOptions? options = null) : this(device, grid, options, null) { }

    /// <param name="unknowns">The grid's unknowns when the caller has them (the GPU DCDM's fallback): on a large grid the
    /// host's longest part of the set-up.</param>
    internal GpuMultigridConjugateGradient(GpuDevice device, PoissonGrid grid, SolverOptions? options, ReducedSystem? unknowns)
    {
        var clock = Stopwatch.StartNew();
        _device = device;
        _options = options ?? SolverOptions.Default;
        _unknowns = unknowns ?? ReducedSystem.FromGrid(grid);
        _frame = new SolveFrame(Method, _unknowns, SolveFrame.Layout.AllRows, "one per grid cell, x fastest");
        Size = grid.CellCount;
        var acc = device.Accelerator;
        _multigrid = new GpuAggregateMultigrid(device, grid, new KCycleDirectionModel().FineWeights(grid));
        _shape = _multigrid.Shape;
        _columns = new GridShape(grid.Nx, grid.Ny, grid.Nz, Math.Min(GridKernels.DefaultChunk, grid.Nz));
        _b = new DeviceVector<double>(acc, Size); _x = new DeviceVector<double>(acc, Size);
        _scalars = new DeviceVector<double>(acc, 1);
        _r = new DeviceVector<float>(acc, Size); _z = new DeviceVector<float>(acc, Size); _p = new DeviceVector<float>(acc, Size);
        _q = new DeviceVector<float>(acc, Size); _d = new DeviceVector<float>(acc, Size);
        _hostB = new double[Size];
        _hostX = new double[Size];
        acc.Synchronize();
        SetupTime = clock.Elapsed;
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, CancellationToken cancellation = default) => Solve(b, x, SolveSettings.None, cancellation);

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        var options = settings.Over(_options);
        var details = new Dictionary<string, string>
        {
            ["device"] = _device.Name,
            ["unknowns"] = $"{_unknowns.Unknowns} of {Size} cells",
            ["precision"] = "float32 K-cycle and CG steps, double x, b and true residual",
            ["levels"] = LevelCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
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
        _b.Upload(b);
        _x.Upload(x);
        var loop = Stopwatch.StartNew();
        var outcome = Iterate(bNorm, options, history, cancellation);
        _device.Accelerator.Synchronize();
        LastIterationTime = loop.Elapsed;
        _x.Download(x);
        return outcome;
    }

    KrylovOutcome Iterate(double bNorm, SolverOptions options, List<double> history, CancellationToken cancellation)
    {
        var k = _device.MultigridKernels;
        var grid = _device.GridKernels;
        double tol = options.Tolerance * bNorm;
        int updates = 0;
        // r = b - A x (double)
        double rNorm = TrueResidual();
        history.Add(rNorm / bNorm);
        if (rNorm <= tol) return new(SolveStatus.Converged, 0, rNorm / bNorm, "the initial guess already meets the tolerance", 0);
        if (!double.IsFinite(rNorm)) return new(SolveStatus.NotANumber, 0, rNorm / bNorm, "NaN or infinity in the initial residual (the initial guess?)", 0);

        // the float32 steps run on r / rNorm; d gathers their change of x in those units
        StartSegment(rNorm);
        double stop = Math.Pow(tol / rNorm, 2), refresh = Math.Pow(ReliableUpdateReduction, 2);
        // z = M^-1 r ; rho = r.z ; p = z
        double rho = Precondition();
        if (BadRz(rho, 0, out var bad)) return Finish(bad, 0);
        _z.View.CopyTo(_p.View);

        for (int step = 1; step <= options.MaxIterations; step++)
        {
            double pScale = 1; // p's rescaling by a reliable update in this step (q and p.q are of the p before it)
            if (cancellation.IsCancellationRequested) return Finish(new(SolveStatus.Cancelled, step - 1, 0, "cancelled by the caller", 0), step - 1);
            // q = A p ; alpha = rho / p.q
            ZeroScalar();
            k.StencilAndDot(_shape, _multigrid.Diagonal, _p.View, _q.View, _scalars.View);
            double pq = ReadScalar();
            if (!double.IsFinite(pq)) return Finish(new(SolveStatus.NotANumber, step, 0, $"NaN or infinity in p.Ap at iteration {step}", 0), step);
            if (pq <= 0) return Finish(new(SolveStatus.NotPositiveDefinite, step, 0, $"p.Ap = {pq:g3} <= 0 at iteration {step}: the operator is not positive definite", 0), step);
            // d += alpha p ; r -= alpha q (fused, r.r)
            ZeroScalar();
            k.UpdateCorrectionAndResidual((float)(rho / pq), _p.View, _q.View, _d.View, _r.View, _scalars.View);
            double rr = ReadScalar();
            double relative = rNorm * Math.Sqrt(rr) / bNorm;
            history.Add(relative);
            options.Monitor?.Invoke(new IterationInfo(step, relative));
            if (!double.IsFinite(rr)) return Finish(new(SolveStatus.NotANumber, step, 0, $"NaN or infinity in the residual at iteration {step}", 0), step);
            if (relative > options.DivergenceLimit) return Finish(new(SolveStatus.Diverged, step, 0, $"the residual grew to {relative:g3} times ||b||", 0), step);

            if (rr <= stop || rr <= refresh)
            {
                // reliable update: x += rNorm d in double, and the true residual replaces r
                grid.AddScaled(rNorm, _d.View, _x.View);
                double trueNorm = TrueResidual();
                history[^1] = trueNorm / bNorm;
                if (trueNorm <= tol)
                    return new(SolveStatus.Converged, step, trueNorm / bNorm, $"true relative residual {trueNorm / bNorm:g3} <= tolerance {options.Tolerance:g3}", updates);
                if (!double.IsFinite(trueNorm))
                    return new(SolveStatus.NotANumber, step, trueNorm / bNorm, $"NaN or infinity in the true residual at iteration {step}", updates);
                // stalled: the true residual neither fell by half nor follows the recurrence (a small step that agrees is progress)
                if (trueNorm > 0.5 * rNorm && trueNorm > 2 * rNorm * Math.Sqrt(rr))
                    return new(SolveStatus.Breakdown, step, trueNorm / bNorm,
                        $"the float32 steps stopped reducing the true residual ({trueNorm / bNorm:g3} at iteration {step}): the operator is too ill-conditioned for them", updates);
                // continue CG in the new residual's units: p and r.z scale by c
                updates++;
                double c = rNorm / trueNorm;
                grid.Scale((float)c, _p.View);
                pScale = c;
                rho *= c * c;
                rNorm = trueNorm;
                StartSegment(rNorm);
                stop = Math.Pow(tol / rNorm, 2);
            }
            // z = M^-1 r ; beta = -(z.q) / (p.q) (flexible: q = A p of this step, before any rescaling of p) ; p = z + beta p
            double rhoNew = Precondition();
            if (BadRz(rhoNew, step, out bad)) return Finish(bad, step);
            ZeroScalar();
            _device.GridKernels.Dot(_z.View, _q.View, _scalars.View);
            double beta = -ReadScalar() / (pq * pScale);
            k.Xpay(_z.View, (float)beta, _p.View);
            rho = rhoNew;
        }
        return Finish(new(SolveStatus.MaxIterations, options.MaxIterations, 0, "", 0), options.MaxIterations);

        // an end inside a segment: x += rNorm d, then the outcome with the true residual
        KrylovOutcome Finish(KrylovOutcome end, int step)
        {
            grid.AddScaled(rNorm, _d.View, _x.View);
            _d.Clear();
            double final = TrueResidual() / bNorm;
            if (end.Status == SolveStatus.MaxIterations)
                end = final <= options.Tolerance
                    ? end with { Status = SolveStatus.Converged, Message = $"true relative residual {final:g3} <= tolerance at the iteration limit" }
                    : end with { Message = $"{options.MaxIterations} iterations reached with relative residual {final:g3} > tolerance {options.Tolerance:g3}" };
            if (history.Count == step + 1) history[^1] = final;
            return end with { RelativeResidual = final, ResidualReplacements = updates };
        }
    }

    static bool BadRz(double rz, int step, out KrylovOutcome outcome)
    {
        outcome = rz switch
        {
            _ when !double.IsFinite(rz) => new(SolveStatus.NotANumber, step, 0, "NaN or infinity in r.z", 0),
            <= 0 => new(SolveStatus.IndefinitePreconditioner, step, 0, $"r.z = {rz:g3} <= 0 for a nonzero r: the preconditioner is not positive definite", 0),
            _ => default,
        };
        return outcome.Message is not null;
    }

    /// <summary>z = M^-1 r (one K-cycle); returns r.z.</summary>
    double Precondition()
    {
        _multigrid.Apply(_r.View, _z.View);
        ZeroScalar();
        _device.GridKernels.Dot(_r.View, _z.View, _scalars.View);
        return ReadScalar();
    }

    /// <summary>r = (b - A x) / rNorm in float32, d = 0.</summary>
    void StartSegment(double rNorm)
    {
        _device.GridKernels.Residual(_columns, _multigrid.Diagonal, _b.View, _x.View, _r.View, 1 / rNorm, true, _scalars.View);
        _d.Clear();
    }

    /// <summary>||b - A x|| in double (nothing written).</summary>
    double TrueResidual() => _device.GridKernels.Residual(_columns, _multigrid.Diagonal, _b.View, _x.View, _r.View, 0, false, _scalars.View);

    void ZeroScalar() => _scalars.View.MemSetToZero();

    double ReadScalar()
    {
        _scalars.View.CopyToCPU(_read.AsSpan());
        return _read[0];
    }

    public void Dispose()
    {
        _multigrid.Dispose();
        foreach (var v in new[] { _b, _x, _scalars }) v.Dispose();
        foreach (var v in new[] { _r, _z, _p, _q, _d }) v.Dispose();
    }
}
