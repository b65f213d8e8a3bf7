using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Models;
using Dcdm.Multigrid;
using Dcdm.Poisson;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Multigrid;

/// <summary>
/// Core's aggregate K-cycle (<see cref="AggregateMultigrid"/>) on the accelerator, float32: the fine grid relaxed by
/// <see cref="MultigridKernels"/>' SOR colour sweeps with a weight per cell, the coarse levels (built on the host by
/// Core's <c>AggregateHierarchy</c> and uploaded once) by <see cref="AggregateKernels"/>, the K-cycle's step lengths
/// decided on the host from device dots (five per inner pair), the coarsest level solved on the host (at most 1,024
/// rows down and back). P from the grid to the first level is the CPU's, <see cref="AggregateMultigrid.SurfaceProlongation"/>
/// next to air. Tested against the CPU cycle on ILGPU's CPU accelerator; not yet timed on a GPU. On a voxel
/// operator with per-face coefficients the operator's cells are the first CSR level (as on the CPU) and no grid kernel runs;
/// flat cells (<see cref="LineAxis"/>) relax lines on the cells and on the coarse levels flat enough
/// (<see cref="DeviceLevelLines"/>, <see cref="AggregateMultigrid.RelaxesLines"/>), as the CPU does.
/// </summary>
public sealed class GpuAggregateMultigrid : IDeviceDirection
{
    sealed class Level(Accelerator acc, AggregateLevel level) : IDisposable
    {
        public readonly DeviceAggregateLevel Operator = new(acc, level);
        public readonly DeviceVector<float> Rhs = new(acc, level.Rows), Correction = new(acc, level.Rows), C1 = new(acc, level.Rows),
            C2 = new(acc, level.Rows), V1 = new(acc, level.Rows), V2 = new(acc, level.Rows), R2 = new(acc, level.Rows), Work = new(acc, level.Rows);
        public DeviceTransfer? Down; // to the next level
        public DeviceLevelLines? Lines; // flat cells: its line relaxation (none on the coarsest)

        public void Dispose()
        {
            Operator.Dispose(); Down?.Dispose(); Lines?.Dispose();
            foreach (var v in new[] { Rhs, Correction, C1, C2, V1, V2, R2, Work }) v.Dispose();
        }
    }

    readonly MultigridKernels _grid;
    readonly AggregateKernels _k;
    // the unit grid's fine level; null on a voxel operator, whose cells are _levels[0]
    readonly LevelShape? _shape;
    readonly DeviceVector<byte>? _diagonal;
    readonly float _relaxation; // the fine sweeps' SOR weight
    readonly DeviceVector<float>? _work;
    readonly DeviceTransfer _fineDown;
    readonly Level[] _levels;
    readonly ILevelFactor? _coarsest;
    readonly int _sweeps, _coarseSweeps; // on the fine level (a grid's, or a voxel operator's cells), and on the aggregates
    readonly double[] _hostRhs, _hostCorrection;
    readonly float[] _hostFloat;

    /// <param name="relaxation">The fine sweeps' SOR weight, one for every cell (passed to the sweep kernel as a number: no weight array to read).</param>
    /// <param name="sweeps">Red-black sweeps before and after each correction, on the fine grid and the coarse levels.</param>
    public GpuAggregateMultigrid(GpuDevice device, PoissonGrid grid, double relaxation = AggregateMultigrid.DefaultRelaxation, int sweeps = AggregateMultigrid.GridSweeps,
        double galerkinScale = AggregateMultigrid.DefaultGalerkinScale)
        : this(device, GridHierarchy(grid, relaxation, sweeps, galerkinScale, out var surface), sweeps, sweeps, surface)
    {
        _relaxation = (float)relaxation;
        _shape = new LevelShape(grid.Nx, grid.Ny, grid.Nz);
        _diagonal = new DeviceVector<byte>(device.Accelerator, grid.Diagonal);
        _work = new DeviceVector<float>(device.Accelerator, grid.CellCount);
    }

    /// <summary>The coarse levels of a grid with the CPU cycle's P, entry for entry (<see cref="AggregateMultigrid.SurfaceProlongation"/> next to air); the arguments checked first.</summary>
    static AggregateHierarchy GridHierarchy(PoissonGrid grid, double relaxation, int sweeps, double galerkinScale, out ProlongationShape? surface)
    {
        if (!(relaxation > 0 && relaxation < 2)) throw new ArgumentOutOfRangeException(nameof(relaxation), $"an SOR weight in (0, 2), got {relaxation}");
        if (sweeps < 1) throw new ArgumentOutOfRangeException(nameof(sweeps), $"at least one smoothing sweep, got {sweeps}");
        surface = ProlongationShape.AtTheSurface(grid, AggregateMultigrid.SurfaceProlongation);
        return new AggregateHierarchy(grid.Nx, grid.Ny, grid.Nz, grid.Diagonal, galerkinScale, surface);
    }

    /// <summary>
    /// The K-cycle of a voxel operator with per-face coefficients (<see cref="VoxelOperator"/>): its cells the first level
    /// in CSR, Gauss-Seidel by red-black colour, aggregates by strong couplings, as Core's <see cref="AggregateMultigrid"/>.
    /// </summary>
    /// <param name="sweeps">Sweeps on the cells; the coarse levels take <see cref="AggregateMultigrid.CoarseSweepsOnFaces"/>, as the CPU cycle.</param>
    public GpuAggregateMultigrid(GpuDevice device, VoxelOperator op, int sweeps = AggregateMultigrid.OperatorSweeps, double galerkinScale = AggregateMultigrid.DefaultGalerkinScale)
        : this(device, new AggregateHierarchy(op, galerkinScale, lineAxis: LineAxis.Of(op)), sweeps, AggregateMultigrid.CoarseSweepsOnFaces(sweeps)) { }

    /// <summary>A hierarchy uploaded: a voxel operator's (its first level the operator's cells, each cell's row a gather
    /// and a scatter), or a grid's with P's entries <paramref name="fineShape"/> on its first transfer.</summary>
    /// <param name="sweeps">Sweeps on the fine level: a grid's, or a voxel operator's cells.</param>
    /// <param name="coarseSweeps">Sweeps on the aggregate levels (a voxel operator's: <see cref="AggregateMultigrid.CoarseSweepsOnFaces"/>, as the CPU cycle).</param>
    internal GpuAggregateMultigrid(GpuDevice device, AggregateHierarchy hierarchy, int sweeps, int coarseSweeps, ProlongationShape? fineShape = null)
    {
        var acc = device.Accelerator;
        _grid = device.MultigridKernels;
        _k = device.AggregateKernels;
        (_sweeps, _coarseSweeps) = (sweeps, coarseSweeps);
        _levels = [.. hierarchy.Levels.Select(l => new Level(acc, l))];
        _fineDown = new DeviceTransfer(acc, hierarchy.FineParent, hierarchy.Levels[0].Rows, fineShape);
        for (int c = 0; c + 1 < _levels.Length; c++)
        {
            _levels[c].Down = new DeviceTransfer(acc, hierarchy.Parents[c], hierarchy.Levels[c + 1].Rows, c == 0 ? hierarchy.CellsShape : null);
            if (hierarchy.LineAxis >= 0 && AggregateMultigrid.RelaxesLines(hierarchy.Levels[c], c, _levels.Length, cellsFirst: true, hierarchy.LineAxis))
                _levels[c].Lines = new DeviceLevelLines(acc, new LevelLines(hierarchy.Levels[c], hierarchy.LineAxis));
        }
        _coarsest = hierarchy.Coarsest;
        LineAxisRelaxed = hierarchy.LineAxis;
        int last = hierarchy.Levels[^1].Rows;
        (_hostRhs, _hostCorrection, _hostFloat) = (new double[last], new double[last], new float[last]);
    }

    /// <summary>The fine grid's shape and operator bytes (the diagonal per cell, 0 off the unknowns), for a solver's own products.</summary>
    /// <exception cref="InvalidOperationException">The cycle of a voxel operator, which has no unit grid.</exception>
    public LevelShape Shape => _shape ?? throw new InvalidOperationException("the cycle of a voxel operator has no unit grid level; multiply by its CSR matrix");
    public ArrayView<byte> Diagonal => _diagonal?.View ?? throw new InvalidOperationException("the cycle of a voxel operator has no unit grid level");
    /// <summary>Levels, the fine grid included.</summary>
    public int LevelCount => (_shape is null ? 0 : 1) + _levels.Length;
    /// <summary>The axis whose lines the cells and the coarse levels flat enough relax (flat cells, <see cref="LineAxis"/>); -1: points.</summary>
    public int LineAxisRelaxed { get; }

    /// <summary>A voxel operator's cells as the first level's CSR operator (rows red cells first), for a solver's own products.</summary>
    internal DeviceAggregateLevel FirstLevel => _shape is null ? _levels[0].Operator
        : throw new InvalidOperationException("a unit grid's cycle has no CSR first level; its products are the grid's");

    /// <summary>x = K(b) with b and x on a voxel operator's first level (its rows), the cycle started there (x must not be b).</summary>
    internal void ApplyOnFirstLevel(ArrayView<float> b, ArrayView<float> x)
    {
        if (_levels.Length == 1)
        {
            _k.Combine(1, b, 0, b, _levels[0].Rhs.View);
            Coarsest(_levels[0]);
            _k.Combine(1, _levels[0].Correction.View, 0, b, x);
        }
        else Cycle(0, b, x);
    }

    /// <summary>x = K(b) on the full grid (b 0 off the unknowns; x must not be b).</summary>
    public void Apply(ArrayView<float> b, ArrayView<float> x)
    {
        x.MemSetToZero();
        if (_shape is null) // a voxel operator: the cycle starts on its cells' level
        {
            var top = _levels[0];
            _k.Restrict(_fineDown, b, top.Rhs.View);
            ApplyOnFirstLevel(top.Rhs.View, top.Correction.View);
            _k.ProlongAdd(_fineDown, top.Correction.View, x);
            return;
        }
        for (int s = 0; s < _sweeps; s++) Relax(b, x, first: 0);
        _grid.Residual(_shape.Value, _diagonal!.View, b, x, _work!.View, 1);
        _k.Restrict(_fineDown, _work.View, _levels[0].Rhs.View);
        Correct(0);
        _k.ProlongAdd(_fineDown, _levels[0].Correction.View, x);
        for (int s = 0; s < _sweeps; s++) Relax(b, x, first: 1);
    }

    void Relax(ArrayView<float> b, ArrayView<float> x, int first)
    {
        _grid.SorColour(_shape!.Value, _diagonal!.View, b, x, _relaxation, first, 1);
        _grid.SorColour(_shape!.Value, _diagonal.View, b, x, _relaxation, 1 - first, 1);
    }

    /// <summary>level.Correction from level.Rhs: the coarsest level's solve, elsewhere the CPU's two flexible-CG steps (<see cref="KCycleStep"/>).</summary>
    void Correct(int c)
    {
        var l = _levels[c];
        if (c == _levels.Length - 1) { Coarsest(l); return; }
        KCycleStep.Correct<ArrayView<float>, DeviceLevel>(new(this, c), l.Rhs.View, l.Correction.View, l.C1.View, l.C2.View, l.V1.View, l.V2.View, l.R2.View);
    }

    /// <summary>Coarse level c for <see cref="KCycleStep"/>: float vectors on the accelerator, each dot waited for (the step lengths decide on the host).</summary>
    readonly struct DeviceLevel(GpuAggregateMultigrid cycle, int c) : IKCycleLevel<ArrayView<float>>
    {
        public void Cycle(ArrayView<float> b, ArrayView<float> x) => cycle.Cycle(c, b, x);
        public void Multiply(ArrayView<float> x, ArrayView<float> y) => cycle._k.Multiply(cycle._levels[c].Operator, x, y);
        public double Dot(ArrayView<float> x, ArrayView<float> y) => cycle._k.Dot(x, y);
        public void Combine(double a, ArrayView<float> x, double b, ArrayView<float> y, ArrayView<float> into) => cycle._k.Combine((float)a, x, (float)b, y, into);
    }

    /// <summary>x = cycle(b) on coarse level c: Gauss-Seidel from zero, the correction from level c + 1, Gauss-Seidel back.</summary>
    void Cycle(int c, ArrayView<float> b, ArrayView<float> x)
    {
        var l = _levels[c];
        var next = _levels[c + 1];
        x.MemSetToZero();
        int sweeps = AggregateMultigrid.SweepsOn(cellsOrLines: (c == 0 && _shape is null) || l.Lines is not null, _sweeps, _coarseSweeps);
        for (int s = 0; s < sweeps; s++)
            if (l.Lines is { } lines) { _k.LineColour(l.Operator, lines, b, x, 0, forward: true); _k.LineColour(l.Operator, lines, b, x, 1, forward: true); }
            else { _k.GaussSeidelColour(l.Operator, b, x, 0); _k.GaussSeidelColour(l.Operator, b, x, 1); }
        _k.Residual(l.Operator, b, x, l.Work.View);
        _k.Restrict(l.Down!, l.Work.View, next.Rhs.View);
        Correct(c + 1);
        _k.ProlongAdd(l.Down!, next.Correction.View, x);
        for (int s = 0; s < sweeps; s++)
            if (l.Lines is { } lines) { _k.LineColour(l.Operator, lines, b, x, 1, forward: false); _k.LineColour(l.Operator, lines, b, x, 0, forward: false); }
            else { _k.GaussSeidelColour(l.Operator, b, x, 1); _k.GaussSeidelColour(l.Operator, b, x, 0); }
    }

    /// <summary>The coarsest level: its factor on the host, or symmetric sweeps on the device when coarsening stalled.</summary>
    void Coarsest(Level l)
    {
        if (_coarsest is null)
        {
            l.Correction.Clear();
            for (int s = 0; s < AggregateMultigrid.CoarsestSweeps; s++)
            {
                _k.GaussSeidelColour(l.Operator, l.Rhs.View, l.Correction.View, 0); _k.GaussSeidelColour(l.Operator, l.Rhs.View, l.Correction.View, 1);
                _k.GaussSeidelColour(l.Operator, l.Rhs.View, l.Correction.View, 1); _k.GaussSeidelColour(l.Operator, l.Rhs.View, l.Correction.View, 0);
            }
            return;
        }
        l.Rhs.Download(_hostFloat);
        for (int i = 0; i < _hostFloat.Length; i++) _hostRhs[i] = _hostFloat[i];
        _coarsest.Solve(_hostRhs, _hostCorrection);
        for (int i = 0; i < _hostFloat.Length; i++) _hostFloat[i] = (float)_hostCorrection[i];
        l.Correction.Upload(_hostFloat);
    }

    public void Dispose()
    {
        _diagonal?.Dispose(); _work?.Dispose(); _fineDown.Dispose();
        foreach (var l in _levels) l.Dispose();
    }
}
