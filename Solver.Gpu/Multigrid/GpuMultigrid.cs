using System.Runtime.InteropServices;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Models;
using Dcdm.Poisson;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Multigrid;

/// <summary>
/// The geometric multigrid V-cycle of the vcycle model (the tests' double reference: MultigridPreconditioner; 2x2x2 coarsening, air
/// over fluid over solid, rediscretised 7-point operators times 4^-l, red-black Gauss-Seidel red then black before
/// the coarse correction and black then red after it, trilinear P, R = P^T / 8, symmetric sweeps on the coarsest
/// level) on an accelerator in float32, on the full grid of each level (no padding, so the levels are the CPU's).
/// Set-up runs on the device: only the fine cell flags (one byte per cell) are uploaded; each level's flags, its
/// operator bytes and whether it still has unknowns (one int read back per level) are computed there, and every
/// work vector is allocated then. A cycle launches about 4 (sweeps + 1) kernels per level and allocates nothing.
/// Memory per cell of the finest level: 1 byte of operator and one float32 work vector (the cycle's input and
/// output are the caller's); the coarser levels add about a seventh of that.
/// </summary>
public sealed class GpuMultigrid : IDeviceDirection
{
    readonly MultigridKernels _k;
    readonly DeviceLevel[] _levels;
    readonly int _sweeps, _coarsestColourSweeps;
    readonly DeviceVector<float>[][]? _weights; // per level but the coarsest, per sweep: SOR weights instead of Gauss-Seidel

    /// <summary>Levels made (finest first), by Core's rule: coarsening stops at a largest size of 4 or before a level with no unknowns.</summary>
    public int LevelCount => _levels.Length;
    /// <summary>The finest level's size: the grid's.</summary>
    public LevelShape Shape => _levels[0].Shape;
    /// <summary>The finest level's operator, one byte per cell (Core's CellDiagonal, made on the device): the preconditioned CG's operator too.</summary>
    public ArrayView<byte> Diagonal => _levels[0].Diagonal.View;

    /// <param name="device">The accelerator; borrowed (its owner disposes it after this).</param>
    /// <param name="sweeps">Red-black sweeps before and after each coarse correction (Core's default 3).</param>
    /// <param name="coarsestSweeps">Symmetric sweep pairs from zero on the coarsest level (Core's default 20).</param>
    public GpuMultigrid(GpuDevice device, PoissonGrid grid, int sweeps = 3, int coarsestSweeps = 20)
    {
        if (sweeps < 1) throw new ArgumentOutOfRangeException(nameof(sweeps), $"at least one smoothing sweep, got {sweeps}");
        if (coarsestSweeps < 0) throw new ArgumentOutOfRangeException(nameof(coarsestSweeps), $"coarsest sweeps must be >= 0, got {coarsestSweeps}");
        _k = device.MultigridKernels;
        _sweeps = sweeps;
        // the CPU's red, black then black, red per pair: a colour swept twice in a row changes nothing, so 2c + 1 alternating sweeps
        _coarsestColourSweeps = coarsestSweeps == 0 ? 0 : 2 * coarsestSweeps + 1;
        var acc = device.Accelerator;
        var shape = new LevelShape(grid.Nx, grid.Ny, grid.Nz);
        var flags = new DeviceVector<byte>(acc, MemoryMarshal.Cast<CellType, byte>(grid.Cells).ToArray());
        var diagonal = new DeviceVector<byte>(acc, shape.Cells);
        _k.Diagonal(shape, flags.View, diagonal.View);
        var made = new List<(LevelShape Shape, float Scale, DeviceVector<byte> Diagonal)> { (shape, 1f, diagonal) };
        using (var any = new DeviceVector<int>(acc, 1))
        {
            while (Math.Max(shape.Nx, Math.Max(shape.Ny, shape.Nz)) > 4)
            {
                var coarse = shape.Coarser;
                var coarseFlags = new DeviceVector<byte>(acc, coarse.Cells);
                _k.Coarsen(shape, flags.View, coarseFlags.View);
                flags.Dispose();
                flags = coarseFlags;
                var coarseDiagonal = new DeviceVector<byte>(acc, coarse.Cells);
                _k.Diagonal(coarse, flags.View, coarseDiagonal.View);
                any.Clear();
                _k.AnyUnknown(coarseDiagonal.View, any.View);
                if (any.ToArray()[0] == 0) // no unknowns left to correct
                {
                    coarseDiagonal.Dispose();
                    break;
                }
                made.Add((coarse, made[^1].Scale / 4, coarseDiagonal));
                shape = coarse;
            }
        }
        flags.Dispose();
        _levels = new DeviceLevel[made.Count];
        for (int l = 0; l < made.Count; l++)
        {
            var (s, scale, d) = made[l];
            bool finest = l == 0, coarsest = l == made.Count - 1;
            _levels[l] = new DeviceLevel(s, scale, d,
                finest ? null : new DeviceVector<float>(acc, s.Cells),
                finest ? null : new DeviceVector<float>(acc, s.Cells),
                coarsest ? null : new DeviceVector<float>(acc, s.Cells));
        }
    }

    /// <summary>
    /// The vcycle model's cycle (<see cref="Dcdm.Models.VCycleDirectionModel"/>): on every level but the coarsest,
    /// SOR sweeps with the given weights (per level, per sweep, per cell: <see cref="Dcdm.Models.VCycleDirectionModel.LevelWeights"/>),
    /// red then black before the correction and, mirrored, black then red from the last sweep after it.
    /// </summary>
    /// <exception cref="ArgumentException">The weights are not one set per level but the coarsest, or not one per cell.</exception>
    public GpuMultigrid(GpuDevice device, PoissonGrid grid, IReadOnlyList<float[][]> weights, int coarsestSweeps)
        : this(device, grid, weights.Count == 0 ? 1 : weights[0].Length, coarsestSweeps) // one level: no sweeps run
    {
        bool fits = weights.Count == _levels.Length - 1
            && weights.Select((w, l) => w.Length == _sweeps && w.All(cells => cells.Length == _levels[l].Shape.Cells)).All(f => f);
        if (!fits)
        {
            Dispose(); // the levels made so far
            throw new ArgumentException($"the weights must be one set per level but the coarsest ({_levels.Length - 1}), each {_sweeps} sweeps of "
                + $"one weight per cell of its level; got {weights.Count} sets", nameof(weights));
        }
        _weights = [.. weights.Select(w => w.Select(cells => new DeviceVector<float>(device.Accelerator, cells)).ToArray())];
    }

    /// <summary>z = M^-1 r: one V-cycle from zero on r. Both on the full fine grid, r 0 off the unknowns (z is made so).</summary>
    public void Apply(ArrayView<float> r, ArrayView<float> z) => Cycle(0, r, z);

    /// <summary>x = the V-cycle's approximation of A^-1 b on level l, from x = 0.</summary>
    void Cycle(int l, ArrayView<float> b, ArrayView<float> x)
    {
        var level = _levels[l];
        var s = level.Shape;
        var d = level.Diagonal.View;
        if (l == _levels.Length - 1)
        {
            _k.CoarsestSweeps(s, d, b, x, level.Scale, _coarsestColourSweeps);
            return;
        }
        x.MemSetToZero();
        Smooth(l, b, x, first: 0); // red then black
        var work = level.Work!.View;
        _k.Residual(s, d, b, x, work, level.Scale); // work = b - A x
        var coarse = _levels[l + 1];
        _k.Restrict(s, d, work, coarse.Diagonal.View, coarse.B!.View); // coarse b = P^T work / 8
        Cycle(l + 1, coarse.B.View, coarse.X!.View);
        _k.ProlongAdd(s, d, coarse.X.View, x); // x += P coarse x
        Smooth(l, b, x, first: 1); // black then red: the cycle is symmetric
    }

    void Smooth(int l, ArrayView<float> b, ArrayView<float> x, int first)
    {
        var level = _levels[l];
        for (int sweep = 0; sweep < _sweeps; sweep++)
        {
            if (_weights is null)
            {
                _k.GaussSeidelColour(level.Shape, level.Diagonal.View, b, x, first, level.Scale);
                _k.GaussSeidelColour(level.Shape, level.Diagonal.View, b, x, 1 - first, level.Scale);
                continue;
            }
            var w = _weights[l][first == 0 ? sweep : _sweeps - 1 - sweep].View; // after the correction: the last sweep first
            _k.SorColour(level.Shape, level.Diagonal.View, b, x, w, first, level.Scale);
            _k.SorColour(level.Shape, level.Diagonal.View, b, x, w, 1 - first, level.Scale);
        }
    }

    public void Dispose()
    {
        foreach (var level in _levels) level.Dispose();
        foreach (var w in _weights?.SelectMany(v => v) ?? []) w.Dispose();
    }
}
