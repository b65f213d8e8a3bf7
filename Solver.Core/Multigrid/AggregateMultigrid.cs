using System.Globalization;
using System.Numerics;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Preconditioners;
using Dcdm.Solvers;
using Dcdm.Sparse;

namespace Dcdm.Multigrid;

/// <summary>
/// Multigrid on aggregates that keep thin walls, as a K-cycle (Notay and Vassilevski 2008): the fine level is the
/// voxel grid with red-black SOR in float32 (<see cref="VCycleKernels"/>), or a voxel operator's cells in double; each
/// coarser level's unknowns are the connected pieces of 2x2x2 blocks of the level below (<see cref="AggregateLevel"/>), so a plate or a column one cell thick never couples the fluid on its two
/// sides, and its operator is Galerkin (s P^T A P, P piecewise constant but for <see cref="SurfaceProlongation"/> on the
/// cells next to air, a grid's or a voxel operator's), so a closed face stays closed on every level
/// and per-face coefficients carry over. Each coarse correction is two steps of flexible CG preconditioned by the next
/// cycle (the second only when the first left more than <see cref="KCycleReduction"/> of the residual), which makes the
/// preconditioner vary from call to call: CG runs its flexible form (<see cref="IPreconditioner.Varies"/>), and DCDM,
/// which A-orthogonalises every direction, takes it as it is. The coarsest level (at most <see cref="CoarsestRows"/>
/// rows, where coarsening stalls and the factor fits, or before a level would collapse a long channel into a few rows)
/// is solved by its sparse factor; a stalled level too large to factor is coarsened through every coupling instead, and
/// one that even then does not coarsen is relaxed. A domain narrow from its cells up (a channel one or two cells across)
/// has no level: its unknowns are solved by their factor (<see cref="NarrowDomain"/>). Set-up runs once; a cycle
/// allocates nothing.
/// </summary>
public sealed class AggregateMultigrid : IPreconditioner
{
    /// <summary>Coarsening goes on while a level has more rows than this (a level of a few hundred rows costs its K-cycle little; its factor, less).</summary>
    public const int CoarsestRows = 256;
    /// <summary>The K-cycle's test: a second inner step when the first left more than this share of the residual.</summary>
    public const double KCycleReduction = 0.25;
    /// <summary>s in s P^T A P by default.</summary>
    public const double DefaultGalerkinScale = 0.5;
    /// <summary>The fine sweeps' SOR weight by default: chosen by a sweep over 1, 1.15 and 1.3 on ten families at 64^3
    /// (docs/benchmarks.md, the ablation), 1.15 fewest iterations in all.</summary>
    public const double DefaultRelaxation = 1.15;
    /// <summary>
    /// P's entry on a fluid cell with an air neighbour, from the grid to the first level (1 elsewhere; <see cref="ProlongationShape"/>):
    /// chosen by a sweep over 1 to 2 on nine families at 32^3 (1.4 and 1.6 alike), it takes 1-2 fewer iterations than 1
    /// on most families with a free surface at 64^3 and 128^3, and a fit on four families held the gain on five others
    /// (docs/benchmarks.md, "The prolongation next to air").
    /// </summary>
    public const double SurfaceProlongation = 1.4;
    /// <summary>
    /// Sweeps before and after each coarse correction on a grid by default: 3 took one iteration fewer than 2 on all nine
    /// families at 128^3 and solved up to 16% faster (tank within noise), the same time at 32^3 and 64^3; 4 no faster than
    /// 3 (docs/benchmarks.md, "Three sweeps on grids").
    /// </summary>
    public const int GridSweeps = 3;
    /// <summary>Sweeps on a voxel operator's cells by default, as on a grid: with P's entry next to air
    /// (<see cref="ProlongationShape.AtDirichletFaces"/>) a third sweep took one iteration off ghost-fluid, cut-cell and
    /// two-phase systems at 128^3 for DCDM, for the same or a shorter solve, but pcg-mg on two-phase keeps its 6 and is
    /// 8-17% slower (docs/benchmarks.md, "P's entry next to air on voxel operators").</summary>
    public const int OperatorSweeps = 3;
    /// <summary>
    /// Sweeps on the coarse levels above a voxel operator's cells by default (the cells take <see cref="OperatorSweeps"/>):
    /// on per-face systems the coarse levels carry most of a solve (the K-cycle takes its second inner step on nearly every
    /// call there: 8, 15, 29, 56 calls per level on the finer cut-cell rock at 128^3), and two sweeps took the same
    /// iterations as three on the cut-cell rocks at 32^3-128^3 and one fewer on two-phase at 64^3 and 128^3 for 5-13% less
    /// CPU time a solve (docs/benchmarks.md, "Two sweeps on a voxel operator's coarse levels"). A grid's coarse levels keep
    /// <see cref="GridSweeps"/>: there one cycle mostly suffices, and with two the second steps come back; so do the
    /// coarse levels relaxed by lines (flat cells), whose flat two-phase system at 32^3 took 14 iterations with two, not 12.
    /// </summary>
    public const int OperatorCoarseSweeps = 2;

    /// <summary>The coarse levels' sweeps above a voxel operator's cells swept <paramref name="sweeps"/> times (the device's cycle takes the same).</summary>
    internal static int CoarseSweepsOnFaces(int sweeps) => Math.Min(sweeps, OperatorCoarseSweeps);

    /// <summary>A CSR level's sweeps in a cycle (the CPU's and the device's): the fine count on a voxel operator's cells as
    /// the first level and on levels relaxed by lines, the coarse count on the other aggregate levels.</summary>
    internal static int SweepsOn(bool cellsOrLines, int sweeps, int coarseSweeps) => cellsOrLines ? sweeps : coarseSweeps;

    /// <summary>A level's vectors in the cycle: right-hand side, correction and residual; where the K-cycle takes its two
    /// inner steps, also their cycle outputs, products with A and second residual (none on a voxel operator's cells, the top).</summary>
    /// <remarks>Only Rhs is cleared: each of the others is written whole before it is read (the correction by the coarse
    /// solve or the K-cycle's step, Work by the residual, C1 and C2 by a cycle from zero, V1 and V2 by a product, R2 by a
    /// combination).</remarks>
    sealed class LevelVectors(int rows, bool innerSteps)
    {
        public readonly double[] Rhs = RebindCache.Array<double>(rows), Correction = Written(rows), Work = Written(rows);
        public readonly double[] C1 = Make(innerSteps, rows), C2 = Make(innerSteps, rows), V1 = Make(innerSteps, rows), V2 = Make(innerSteps, rows),
            R2 = Make(innerSteps, rows);

        static double[] Make(bool used, int rows) => used ? Written(rows) : [];
        static double[] Written(int rows) => RebindCache.Array<double>(rows, zeroed: false);
    }

    readonly LevelVectors[] _v; // per level of _levels
    readonly VCycleLevel? _fine; // the grid's float32 level; null for a voxel operator
    readonly ICellLevel? _cells; // a voxel operator's cells relaxed on its faces; null on a grid, and where the cells are _levels[0]
    readonly int[] _unknownCells;
    readonly int[] _fineParent; // a voxel operator's cells to _levels[0]'s rows; empty on a grid (its blocks map them)
    readonly FirstLevelBlocks? _fineBlocks; // a grid's cells to _levels[0]'s rows, by blocks
    readonly AggregateLevel[] _levels; // with _fine or _cells: the coarse levels; with neither: the operator's cells, then the coarse levels
    readonly int[][] _parents; // _parents[c]: level c's rows to level c + 1's
    readonly ILevelFactor? _coarsest;
    readonly WholeFactor? _whole; // a narrow domain's unknowns by their factor (NarrowDomain): then no level at all
    readonly int _cellCount;
    /// <summary>Symmetric sweeps on a coarsest level too large to factor.</summary>
    internal const int CoarsestSweeps = 20;
    readonly float[][]? _fineWeights; // per sweep, per cell; null: the constant weight below
    readonly ProlongationShape? _fineShape; // P's entries from the grid or the operator's cells to the first level that are not 1; null: none
    readonly int[] _fineShapeRows = []; // the first level's row of each of those cells
    readonly ProlongationShape? _cellsShape; // a voxel operator's cells as the first CSR level: P's entries to the next by row
    readonly int[] _cellsShapeParents = []; // the next level's row of each of those rows
    readonly float _relaxation;
    readonly int _sweeps; // on the fine level (a grid's, or a voxel operator's cells)
    readonly int _coarseSweeps; // on the aggregate levels relaxed by points
    readonly LevelLines?[]? _levelLines; // flat cells: each CSR level's line relaxation (the coarsest's null); null: red-black points
    readonly int _lineAxis = -1; // flat cells: the lines' axis (LineAxis); -1: points

    /// <summary>The levels, each with its inverse diagonal (the sweeps' factors) made now, in set-up, when every value is final.</summary>
    static AggregateLevel[] WithInverseDiagonals(AggregateLevel[] levels)
    {
        foreach (var level in levels) _ = level.InverseDiagonal;
        return levels;
    }

    /// <summary>Levels, the fine grid included.</summary>
    public int LevelCount => _whole is not null ? 1 : (_fine is null && _cells is null ? 0 : 1) + _levels.Length;
    /// <summary>The grid cell of each unknown, in the order of r and z.</summary>
    internal int[] UnknownCells => _unknownCells;
    /// <summary>The grid's cells (vectors this long are on the full grid).</summary>
    internal int CellCount => _cellCount;
    /// <summary>Rows of each coarse level, finest first.</summary>
    public IReadOnlyList<int> CoarseRows => [.. _levels.Skip(_fine is null && _cells is null ? 1 : 0).Select(l => l.Rows)];
    /// <summary>Whether the coarsest level is solved by its factor (else relaxed: <see cref="CoarsestSweeps"/>).</summary>
    internal bool CoarsestFactored => _coarsest is not null || _whole is not null;
    /// <summary>Whether the unknowns are solved by their factor, with no level (<see cref="NarrowDomain"/>).</summary>
    internal bool SolvedByFactor => _whole is not null;

    /// <summary>The hierarchy in a line, for a result's details: each coarse level's rows, finest first, and how the
    /// coarsest is solved (e.g. "261829, 33506, 4512, 675, 117 rows; the coarsest by its factor, 478 envelope entries"),
    /// or "none; the unknowns by their factor (a narrow domain), ..." with no level.</summary>
    internal string Describe() => _whole is { } whole
        ? string.Create(CultureInfo.InvariantCulture, $"none; the unknowns by their factor (a narrow domain), {whole.Factor.EnvelopeEntries} envelope entries")
        : string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", CoarseRows)} rows; the coarsest ")
        + (_coarsest is { } f ? string.Create(CultureInfo.InvariantCulture, $"by its factor, {f.Describe()}")
            : $"relaxed ({CoarsestSweeps} symmetric sweeps)")
        + (_lineAxis >= 0 ? $"; flat cells: lines along {"xyz"[_lineAxis]} relaxed whole on the cells and {CoarseLevelsByLines()} coarse levels" : "");

    /// <summary>"k of m": the coarse levels relaxing lines, of those relaxed at all (the coarsest is factored or swept by
    /// points; the cells, when they are the first CSR level, are not counted).</summary>
    string CoarseLevelsByLines()
    {
        int first = _cells is null ? 1 : 0, relaxed = Math.Max(0, _levels.Length - 1 - first);
        int byLines = _levelLines is null ? 0 : _levelLines.Skip(first).Take(relaxed).Count(l => l is not null);
        return string.Create(CultureInfo.InvariantCulture, $"{byLines} of {relaxed}");
    }
    /// <summary>The axis whose lines the cycle relaxes whole (<see cref="LineAxis"/>), or -1: points.</summary>
    internal int LineAxisRelaxed => _lineAxis;
    /// <summary>Per CSR level, whether it relaxes lines (empty: no level does).</summary>
    internal bool[] LevelsRelaxingLines => _levelLines is null ? [] : [.. _levelLines.Select(l => l is not null)];
    public bool Varies => _whole is null; // the K-cycle's inner steps vary; a factor does not
    /// <summary>Sweeps on the aggregate levels relaxed by points (a grid's: as its fine level's).</summary>
    internal int CoarseSweeps => _coarseSweeps;

    /// <param name="unknowns">The grid's unknowns (their cell of each compact index), e.g. <see cref="ReducedSystem.FromGrid"/>.</param>
    /// <param name="sweeps">Red-black Gauss-Seidel sweeps before and after each coarse correction, on every level.</param>
    /// <param name="galerkinScale">s in s P^T A P: below 1 lengthens the coarse correction, which a piecewise-constant P
    /// makes too short (0.4 to 0.7 measured alike at 96^3, 0.5 kept; docs/benchmarks.md).</param>
    /// <param name="relaxation">The fine sweeps' SOR weight, in (0, 2).</param>
    public AggregateMultigrid(PoissonGrid grid, ReducedSystem unknowns, int sweeps = GridSweeps, double galerkinScale = DefaultGalerkinScale,
        double relaxation = DefaultRelaxation)
        : this(grid, CheckedUnknowns(grid, unknowns), sweeps, galerkinScale, relaxation, fineWeights: null, fineShape: ProlongationShape.AtTheSurface(grid, SurfaceProlongation)) { }

    /// <param name="active">The grid cell of each unknown (null: every cell).</param>
    /// <param name="fineWeights">SOR weights of the fine level's sweeps, per sweep and cell, in (0, 2) (a learned
    /// smoother; <see cref="Models.VCycleDirectionModel"/>); null: <paramref name="sweeps"/> sweeps with the constant <paramref name="relaxation"/>.</param>
    /// <param name="fineShape">P's entries from the grid to the first level that are not 1 (null: the piecewise-constant P);
    /// the first level's Galerkin operator is built with them.</param>
    internal AggregateMultigrid(PoissonGrid grid, int[]? active, int sweeps, double galerkinScale, double relaxation, float[][]? fineWeights,
        ProlongationShape? fineShape)
    {
        if (!(relaxation > 0 && relaxation < 2)) throw new ArgumentOutOfRangeException(nameof(relaxation), $"an SOR weight in (0, 2), got {relaxation}");
        if (sweeps < 1) throw new ArgumentOutOfRangeException(nameof(sweeps), $"at least one smoothing sweep, got {sweeps}");
        if (!(galerkinScale > 0 && galerkinScale <= 1)) throw new ArgumentOutOfRangeException(nameof(galerkinScale), $"expected a scale in (0, 1], got {galerkinScale}");
        if (fineShape is not null && fineShape.Cells.Length > 0 && (fineShape.Cells[0] < 0 || fineShape.Cells[^1] >= grid.CellCount))
            throw new ArgumentException($"the prolongation's shape names cells outside the grid's {grid.CellCount}", nameof(fineShape));
        if (fineWeights is not null && fineWeights.Any(w => w.Length != grid.CellCount))
            throw new ArgumentException($"fine-level weights must have {grid.CellCount} entries per sweep (one per grid cell)", nameof(fineWeights));
        _unknownCells = active ?? Enumerable.Range(0, grid.CellCount).ToArray();
        (_sweeps, _coarseSweeps) = (sweeps, sweeps);
        _cellCount = grid.CellCount;
        // a narrow domain by its factor: no level to build; a learned smoother is a cycle's, so it keeps the cycle
        if (fineWeights is null && NarrowDomain.Factor(grid, _unknownCells) is { } whole)
        {
            (_whole, _levels, _parents, _fineParent, _v) = (new(whole, _unknownCells, _cellCount), [], [], [], []);
            return;
        }
        var diagonal = grid.Diagonal;
        _fineWeights = fineWeights;
        _relaxation = (float)relaxation;
        _fine = new VCycleLevel(grid.Nx, grid.Ny, grid.Nz, diagonal, 1, fineWeights ?? [], transfers: false);
        _fineShape = fineShape;
        _fineCycle = FineCycle;
        var hierarchy = new AggregateHierarchy(grid.Nx, grid.Ny, grid.Nz, diagonal, galerkinScale, fineShape);
        (_levels, _parents, _fineBlocks, _fineParent, _coarsest) = (WithInverseDiagonals(hierarchy.Levels), hierarchy.Parents, hierarchy.FineBlocks, [], hierarchy.Coarsest);
        if (fineShape is not null) _fineShapeRows = hierarchy.FineBlocks!.RowsOf(fineShape.Cells);
        _v = [.. _levels.Select((l, c) => new LevelVectors(l.Rows, innerSteps: c < _levels.Length - 1))]; // the coarsest is solved directly
    }

    /// <summary>
    /// The cycle of a voxel operator with per-face coefficients (two-phase, cut-cell, ghost-fluid): the same K-cycle, its
    /// fine level the operator's cells with red-black Gauss-Seidel on the faces, float32 unless the coefficients' contrast
    /// needs double (<see cref="CellLevel.For"/>),
    /// aggregates joined by strong couplings only (<see cref="Aggregation.StrongCoupling"/>), so a density jump or a
    /// nearly closed face splits them as a wall does. Flat cells (<see cref="LineAxis"/>) are relaxed by lines along
    /// their strong axis instead, and so are the coarse levels flat enough (<see cref="RelaxesLines"/>), their aggregates
    /// judged across the lines. Each cycle
    /// reads the operator's face arrays: leave them unchanged while the cycle is in use.
    /// </summary>
    /// <param name="unknowns">The operator's unknowns, e.g. <see cref="ReducedSystem.FromOperator(VoxelOperator, Sparse.CsrMatrix?)"/>.</param>
    /// <param name="sweeps">Sweeps before and after each coarse correction on the cells; the coarse levels take
    /// <see cref="OperatorCoarseSweeps"/> (as many as the cells where those are fewer).</param>
    public AggregateMultigrid(VoxelOperator op, ReducedSystem unknowns, int sweeps = OperatorSweeps, double galerkinScale = DefaultGalerkinScale)
        : this(op, unknowns, sweeps, galerkinScale, cellsAsLevel: false) { }

    /// <param name="cellsAsLevel">The cells as the first CSR level, relaxed row by row, as the device runs them (the
    /// reference the faces' sweeps are tested against); otherwise so only where they would not coarsen 1.5x.</param>
    /// <param name="coarseSweeps">Sweeps on the aggregate levels; null: <see cref="CoarseSweepsOnFaces"/> of <paramref name="sweeps"/>.</param>
    internal AggregateMultigrid(VoxelOperator op, ReducedSystem unknowns, int sweeps, double galerkinScale, bool cellsAsLevel, int? coarseSweeps = null)
    {
        if (sweeps < 1) throw new ArgumentOutOfRangeException(nameof(sweeps), $"at least one smoothing sweep, got {sweeps}");
        if (!(galerkinScale > 0 && galerkinScale <= 1)) throw new ArgumentOutOfRangeException(nameof(galerkinScale), $"expected a scale in (0, 1], got {galerkinScale}");
        if (unknowns.FullSize != op.CellCount)
            throw new ArgumentException($"the unknowns are those of a {unknowns.FullSize}-row system, the operator has {op.CellCount} cells; build them with ReducedSystem.FromOperator(op)");
        _unknownCells = unknowns.Active ?? Enumerable.Range(0, op.CellCount).ToArray();
        if (coarseSweeps < 1) throw new ArgumentOutOfRangeException(nameof(coarseSweeps), $"at least one smoothing sweep, got {coarseSweeps}");
        (_sweeps, _coarseSweeps) = (sweeps, coarseSweeps ?? CoarseSweepsOnFaces(sweeps));
        _cellCount = op.CellCount;
        _relaxation = 1;
        var diagonal = unknowns.DiagonalOf(op); // made once by the system's set-up
        foreach (int cell in _unknownCells)
            if (!(diagonal[cell] > 0)) throw new ArgumentException($"cell {cell} is an unknown of the system but has no diagonal in the operator; the unknowns are not this operator's");
        // a narrow domain by its factor, but for the device's reference (the cells as its first level)
        if (!cellsAsLevel && NarrowDomain.Factor(op, _unknownCells, diagonal) is { } whole)
        {
            (_whole, _levels, _parents, _fineParent, _v) = (new(whole, _unknownCells, _cellCount), [], [], [], []);
            return;
        }
        bool cellsFirst = cellsAsLevel || unknowns.Unknowns <= CoarsestRows; // then the hierarchy makes its own shape
        var shape = cellsFirst ? null : ProlongationShape.AtDirichletFaces(op, diagonal, SurfaceProlongation);
        int axis = LineAxis.Of(op);
        var above = cellsFirst ? null : AggregateHierarchy.AboveCells(op, diagonal, unknowns.Unknowns, galerkinScale, shape, axis);
        var hierarchy = above ?? new AggregateHierarchy(op, galerkinScale, diagonal, axis);
        (_levels, _parents, _fineParent, _coarsest) = (WithInverseDiagonals(hierarchy.Levels), hierarchy.Parents, hierarchy.FineParent, hierarchy.Coarsest);
        if (above is not null)
        {
            _cells = CellLevel.For(op, diagonal);
            if (shape is not null) (_fineShape, _fineShapeRows) = (shape, [.. shape.Cells.Select(i => _fineParent[i])]);
            // flat cells: the cells relaxed by lines (a cycle made once with them; none: red-black points)
            _cellCycle = _cells switch
            {
                CellLevel<float> single => CellCycleOf(single, axis >= 0 ? new CellLines<float>(single, axis) : null),
                CellLevel<double> twice => CellCycleOf(twice, axis >= 0 ? new CellLines<double>(twice, axis) : null),
                _ => null,
            };
        }
        else if (hierarchy.CellsShape is { } byRow) // the device's reference: P's entries from the cells' rows
            (_cellsShape, _cellsShapeParents) = (byRow, [.. byRow.Cells.Select(row => _parents[0][row])]);
        // flat cells: the CSR levels flat enough relaxed by lines (the cells too where they are the first)
        if (axis >= 0) (_lineAxis, _levelLines) = (axis, [.. _levels.Select((l, c) => RelaxesLines(l, c, _levels.Length, cellsFirst: above is null, axis) ? new LevelLines(l, axis) : null)]);
        // the cells are cycled once from the top; the inner steps run below them, the coarsest solved directly
        _v = [.. _levels.Select((l, c) => new LevelVectors(l.Rows, innerSteps: (_cells is not null || c > 0) && c < _levels.Length - 1))];
    }

    /// <summary>Whether CSR level c of <paramref name="levels"/> relaxes lines along the axis: not the coarsest (factored);
    /// the cells where they are the first level (flat by <see cref="LineAxis.Of"/>); a coarser level where its rows are
    /// flat enough for lines to pay (<see cref="LineAxis.FlatRows"/>). The device's hierarchy takes the same.</summary>
    internal static bool RelaxesLines(AggregateLevel level, int c, int levels, bool cellsFirst, int axis) =>
        c < levels - 1 && (c == 0 && cellsFirst || LineAxis.FlatRows(level, axis));

    static int[]? CheckedUnknowns(PoissonGrid grid, ReducedSystem unknowns) => unknowns.FullSize == grid.CellCount ? unknowns.Active
        : throw new ArgumentException($"the unknowns are those of a {unknowns.FullSize}-row system, the grid has {grid.CellCount} cells; build them with ReducedSystem.FromGrid");

    /// <summary>z = M^-1 r: one K-cycle from zero on r (both on the unknowns, or both on the full grid, 0 off the unknowns).</summary>
    public void Apply(ReadOnlySpan<double> r, Span<double> z) => Apply(r, 1, z);

    /// <summary>
    /// z = M^-1 (scale r), r and z on the unknowns, or both on the full grid (one entry per cell, 0 off the unknowns). The
    /// fine level runs in float32, so r enters divided by its largest entry and z leaves multiplied by it: the cycle is
    /// scale-equivariant, and no b is too small or too large for float.
    /// </summary>
    internal void Apply(ReadOnlySpan<double> r, double scale, Span<double> z)
    {
        if (_whole is not null)
        {
            _whole.Apply(r, scale, z);
            return;
        }
        var fine = _fine;
        if (fine is null)
        {
            ApplyOperator(r, scale, z);
            return;
        }
        ApplyScaled(r, scale, z, fine.B, fine.X, full: r.Length == fine.Cells, _fineCycle!);
    }

    /// <summary>A narrow domain's unknowns by their factor (<see cref="NarrowDomain"/>), with its vectors on the unknowns.</summary>
    sealed class WholeFactor(SemidefiniteCholesky factor, int[] cells, int cellCount)
    {
        readonly double[] _b = RebindCache.Array<double>(cells.Length, zeroed: false), _x = RebindCache.Array<double>(cells.Length, zeroed: false);

        public SemidefiniteCholesky Factor => factor;

        /// <summary>z = scale A^-1 r, in double (r and z on the unknowns, or on the full grid: 0 off the unknowns).</summary>
        public void Apply(ReadOnlySpan<double> r, double scale, Span<double> z)
        {
            bool full = r.Length == cellCount && r.Length != cells.Length;
            if (full) for (int k = 0; k < cells.Length; k++) _b[k] = r[cells[k]];
            else r.CopyTo(_b);
            factor.Solve(_b, _x);
            if (full)
            {
                z[..r.Length].Clear();
                for (int k = 0; k < cells.Length; k++) z[cells[k]] = scale * _x[k];
            }
            else for (int k = 0; k < cells.Length; k++) z[k] = scale * _x[k];
        }
    }

    /// <summary>z = scale cycle(r) on a voxel operator's cells: one cycle, on the faces (<see cref="ApplyCells{T}"/>) or
    /// from the cells' CSR level in double. r and z on the unknowns, or both on the full grid (0 off the unknowns, the
    /// layout of <see cref="Solvers.FaceStencil"/>'s iteration).</summary>
    void ApplyOperator(ReadOnlySpan<double> r, double scale, Span<double> z)
    {
        var cells = _unknownCells;
        bool full = r.Length == _fineParent.Length; // the same when every cell is an unknown
        if (_cells is CellLevel<float> single) { ApplyCells(single, r, scale, z, full); return; }
        if (_cells is CellLevel<double> twice) { ApplyCells(twice, r, scale, z, full); return; }
        var top = _v[0];
        var row = _fineParent;
        for (int k = 0; k < cells.Length; k++) top.Rhs[row[cells[k]]] = full ? r[cells[k]] : r[k];
        if (_levels.Length == 1) CoarseCorrection(0); // small enough to factor
        else Cycle(0, top.Rhs, top.Correction);
        if (full) z[..r.Length].Clear();
        for (int k = 0; k < cells.Length; k++) z[full ? cells[k] : k] = scale * top.Correction[row[cells[k]]];
    }

    /// <summary>
    /// fine.X = cycle(fine.B) in float32 with the vcycle model's kernels (vectorised red-black SOR as one wave through
    /// the planes, the unknowns' box only): sweeps red then black with w_1..w_S, the coarse correction, then black then
    /// red with w_S..w_1.
    /// </summary>
    void FineCycle()
    {
        var fine = _fine!;
        VCycleKernels.Clear(fine, fine.X);
        int sweeps = _fineWeights?.Length ?? _sweeps;
        for (int s = 0; s < sweeps; s++) VCycleKernels.Sweep(fine, 0, _fineWeights?[s], _relaxation);
        VCycleKernels.Residual(fine); // Work = B - A X
        var first = _v[0];
        RestrictFine(fine, _fineBlocks!, _fineShape, _fineShapeRows, first.Rhs);
        CoarseCorrection(0);
        ProlongFine(first.Correction, _fineBlocks!, _fineShape, _fineShapeRows, fine);
        for (int s = sweeps - 1; s >= 0; s--) VCycleKernels.Sweep(fine, 1, _fineWeights?[s], _relaxation);
    }

    /// <summary>z = scale cycle(r) on a voxel operator's cells in T, as <see cref="ApplyScaled"/>.</summary>
    void ApplyCells<T>(CellLevel<T> level, ReadOnlySpan<double> r, double scale, Span<double> z, bool full) where T : unmanaged, IFloatingPointIeee754<T> =>
        ApplyScaled(r, scale, z, level.B, level.X, full, _cellCycle!);

    readonly Action? _fineCycle, _cellCycle; // the grid's fine level's or the cells' cycle, made once (a method group would allocate per call)

    /// <summary>
    /// z = scale cycle(r) with a fine level in T whose vectors are b and x: r enters divided by its largest entry (so no r
    /// is too small or too large for float) and z leaves multiplied by it, so the cycle is scale-equivariant. r and z on
    /// the unknowns, or on the full grid (<paramref name="full"/>; 0 off the unknowns, never relaxed nor corrected). Each
    /// pass over the vectors runs in parallel chunks on long vectors.
    /// </summary>
    void ApplyScaled<T>(ReadOnlySpan<double> r, double scale, Span<double> z, T[] b, T[] x, bool full, Action cycle)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cells = full ? null : _unknownCells;
        double largest = FineLevelCopies.LargestMagnitude(r);
        if (largest == 0 || !double.IsFinite(largest * scale))
        {
            // r = 0: z = 0; NaN or infinity in r: passed on as NaN, which the solver's breakdown test reports
            z[..r.Length].Fill(largest == 0 ? 0 : double.NaN);
            return;
        }
        double inward = 1 / largest, outward = largest * scale;
        FineLevelCopies.Scatter(r, cells, b, inward); // the other cells' b stay 0
        cycle();
        FineLevelCopies.Gather(x, cells, z[..r.Length], outward);
    }

    Action CellCycleOf<T>(CellLevel<T> cells, CellLines<T>? lines) where T : unmanaged, IFloatingPointIeee754<T> => () => CellCycle(cells, lines);

    /// <summary>X = cycle(B) on a voxel operator's cells: smooth from zero on the faces (by red-black points, or by
    /// <paramref name="lines"/> on flat cells), correct from the first coarse level, smooth back.</summary>
    void CellCycle<T>(CellLevel<T> cells, CellLines<T>? lines) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var first = _v[0];
        var (op, b, x) = (cells.Operator, cells.B, cells.X);
        var sparse = cells.Sparse;
        if (sparse is not null && lines is null) sparse.Clear(x); // 0 off the unknowns: only they are relaxed and corrected
        else Array.Clear(x);
        for (int s = 0; s < _sweeps; s++)
            if (lines is not null) lines.Sweep(b, x, first: 0);
            else cells.Sweep(b, x, first: 0);
        cells.Residual(b, x, cells.Work);
        if (sparse is not null) RestrictUnknowns(cells.Work, sparse, op.Nz, _fineParent, first.Rhs); // the residual wrote only them
        else RestrictPlanes(cells.Work, op.Nx * op.Ny, op.Nz, _fineParent, first.Rhs);
        if (_fineShape is { } shape) RestrictShaped(shape, _fineShapeRows, cells.Work, first.Rhs);
        CoarseCorrection(0);
        if (sparse is not null) ProlongUnknowns(first.Correction, _fineParent, sparse, x);
        else ProlongPlanes(first.Correction, _fineParent, op.Nx * op.Ny, op.Nz, x);
        if (_fineShape is { } back) ProlongShaped(back, _fineShapeRows, first.Correction, x);
        for (int s = 0; s < _sweeps; s++)
            if (lines is not null) lines.Sweep(b, x, first: 1);
            else cells.Sweep(b, x, first: 1);
    }

    /// <summary>
    /// level.Correction from level.Rhs: the direct solve on the coarsest level; elsewhere two steps of flexible CG with
    /// the cycle as preconditioner: c1 = V(b), alpha1 = c1.b / c1.A c1; if ||b - alpha1 A c1|| > t ||b||, c2 = V(r2)
    /// A-orthogonalised against c1 (Notay's formula, no extra product).
    /// </summary>
    void CoarseCorrection(int c)
    {
        var level = _levels[c];
        var v = _v[c];
        if (c == _levels.Length - 1)
        {
            if (_coarsest is not null) { _coarsest.Solve(v.Rhs, v.Correction); return; }
            Array.Clear(v.Correction);
            for (int s = 0; s < CoarsestSweeps; s++)
            {
                level.GaussSeidelColour(v.Rhs, v.Correction, 0);
                level.GaussSeidelColour(v.Rhs, v.Correction, 1);
                level.GaussSeidelColour(v.Rhs, v.Correction, 1);
                level.GaussSeidelColour(v.Rhs, v.Correction, 0);
            }
            return;
        }
        KCycleStep.Correct<double[], CpuLevel>(new(this, c), v.Rhs, v.Correction, v.C1, v.C2, v.V1, v.V2, v.R2);
    }

    /// <summary>Coarse level c of this cycle for <see cref="KCycleStep"/>: double vectors on the host.</summary>
    readonly struct CpuLevel(AggregateMultigrid cycle, int c) : IKCycleLevel<double[]>
    {
        public void Cycle(double[] b, double[] x) => cycle.Cycle(c, b, x);
        public void Multiply(double[] x, double[] y) => cycle._levels[c].Multiply(x, y);
        public double Dot(double[] x, double[] y) => VectorOps.Dot(x, y);
        public void Combine(double a, double[] x, double b, double[] y, double[] into)
        {
            for (int i = 0; i < into.Length; i++) into[i] = a * x[i] + b * y[i];
        }
    }

    /// <summary>x = cycle(b) on CSR level c (not the coarsest): smooth from zero, correct from level c + 1, smooth back.</summary>
    void Cycle(int c, double[] b, double[] x)
    {
        var level = _levels[c];
        var next = _v[c + 1];
        var v = _v[c];
        Array.Clear(x);
        var lines = _levelLines?[c];
        int sweeps = SweepsOn(cellsOrLines: (c == 0 && _fine is null && _cells is null) || lines is not null, _sweeps, _coarseSweeps);
        for (int s = 0; s < sweeps; s++)
            if (lines is not null) lines.SweepForward(b, x);
            else { level.GaussSeidelColour(b, x, 0); level.GaussSeidelColour(b, x, 1); }
        level.Residual(b, x, v.Work);
        var shape = c == 0 ? _cellsShape : null;
        Restrict(v.Work, _parents[c], next.Rhs);
        if (shape is not null) RestrictShaped(shape, _cellsShapeParents, v.Work, next.Rhs);
        CoarseCorrection(c + 1);
        Prolong(next.Correction, _parents[c], x);
        if (shape is not null) ProlongShaped(shape, _cellsShapeParents, next.Correction, x);
        for (int s = 0; s < sweeps; s++)
            if (lines is not null) lines.SweepBackward(b, x);
            else { level.GaussSeidelColour(b, x, 1); level.GaussSeidelColour(b, x, 0); }
    }

    /// <summary>coarse = P^T fine: each aggregate sums its members' values.</summary>
    static void Restrict(double[] fine, int[] parent, double[] coarse)
    {
        Array.Clear(coarse);
        for (int i = 0; i < fine.Length; i++)
        {
            int a = parent[i];
            if (a >= 0) coarse[a] += fine[i];
        }
    }

    /// <summary>
    /// coarse = P^T fine.Work on the first coarse level, block by block (<see cref="FirstLevelBlocks.Restrict"/>), then
    /// the shaped cells' (p - 1) r_i.
    /// </summary>
    /// <param name="shapeRows">The first level's row of each of the shape's cells.</param>
    internal static void RestrictFine(VCycleLevel fine, FirstLevelBlocks blocks, ProlongationShape? shape, int[] shapeRows, double[] coarse)
    {
        blocks.Restrict(fine.Work, coarse);
        if (shape is not null) RestrictShaped(shape, shapeRows, fine.Work, coarse);
    }

    /// <summary>fine.X += P coarse, block by block (<see cref="FirstLevelBlocks.Prolong"/>), then the shaped cells' (p - 1) coarse_a.</summary>
    internal static void ProlongFine(double[] coarse, FirstLevelBlocks blocks, ProlongationShape? shape, int[] shapeRows, VCycleLevel fine)
    {
        blocks.Prolong(coarse, fine.X);
        if (shape is not null) ProlongShaped(shape, shapeRows, coarse, fine.X);
    }

    /// <summary>coarse[rows[k]] += (p_k - 1) fine[cell k] over the shape's cells (a row -1: none): P^T's share beyond
    /// the piecewise-constant pass, in double, as the prolongation and the Galerkin level.</summary>
    static void RestrictShaped<T>(ProlongationShape shape, int[] rows, T[] fine, double[] coarse) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int k = 0; k < shape.Cells.Length; k++)
            if (rows[k] is int a and >= 0) coarse[a] += (shape.Values[k] - 1.0) * double.CreateTruncating(fine[shape.Cells[k]]);
    }

    /// <summary>fine[cell k] += (p_k - 1) coarse[rows[k]] over the shape's cells: P's share beyond the piecewise-constant pass.</summary>
    static void ProlongShaped<T>(ProlongationShape shape, int[] rows, double[] coarse, T[] fine) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int k = 0; k < shape.Cells.Length; k++)
            if (rows[k] is int a and >= 0) fine[shape.Cells[k]] += T.CreateTruncating((shape.Values[k] - 1.0) * coarse[a]);
    }

    /// <summary>
    /// coarse = P0^T r from a grid of cells (nz planes of <paramref name="plane"/> cells) to a first level of 2x2x2
    /// blocks, in parallel block planes: cell planes 2z and 2z + 1 feed only the aggregates of block plane z, so no two
    /// threads add to one row.
    /// </summary>
    static void RestrictPlanes<T>(T[] r, int plane, int nz, int[] parent, double[] coarse) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Array.Clear(coarse);
        void Planes(int bz)
        {
            for (int i = 2 * bz * plane, end = Math.Min(nz, 2 * bz + 2) * plane; i < end; i++)
            {
                int a = parent[i];
                if (a >= 0) coarse[a] += double.CreateTruncating(r[i]);
            }
        }
        if ((long)plane * nz < VCycleKernels.ParallelCells) for (int bz = 0; bz < (nz + 1) / 2; bz++) Planes(bz);
        else Parallel.For(0, (nz + 1) / 2, Planes);
    }

    /// <summary><see cref="RestrictPlanes"/> on the unknowns' list (<see cref="SparseUnknowns"/>: every cell with an aggregate
    /// is one), in the same order: the same sums.</summary>
    static void RestrictUnknowns<T>(T[] r, SparseUnknowns sparse, int nz, int[] parent, double[] coarse) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Array.Clear(coarse);
        var (cells, starts) = (sparse.Ascending, sparse.PlaneStarts);
        void Planes(int bz)
        {
            for (int k = starts[2 * bz], end = starts[Math.Min(nz, 2 * bz + 2)]; k < end; k++)
            {
                int i = cells[k], a = parent[i];
                if (a >= 0) coarse[a] += double.CreateTruncating(r[i]);
            }
        }
        if (cells.Length < VCycleKernels.ParallelCells) for (int bz = 0; bz < (nz + 1) / 2; bz++) Planes(bz);
        else Parallel.For(0, (nz + 1) / 2, Planes);
    }

    /// <summary><see cref="ProlongPlanes"/> on the unknowns' list.</summary>
    static void ProlongUnknowns<T>(double[] coarse, int[] parent, SparseUnknowns sparse, T[] x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cells = sparse.Ascending;
        SparseUnknowns.ForChunks(cells.Length, (from, to) =>
        {
            for (int k = from; k < to; k++)
            {
                int i = cells[k], a = parent[i];
                if (a >= 0) x[i] += T.CreateTruncating(coarse[a]);
            }
        });
    }

    /// <summary>x += P0 coarse on a grid of cells, in parallel planes.</summary>
    static void ProlongPlanes<T>(double[] coarse, int[] parent, int plane, int nz, T[] x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        void Plane(int z)
        {
            for (int i = z * plane, end = i + plane; i < end; i++)
            {
                int a = parent[i];
                if (a >= 0) x[i] += T.CreateTruncating(coarse[a]);
            }
        }
        if ((long)plane * nz < VCycleKernels.ParallelCells) for (int z = 0; z < nz; z++) Plane(z);
        else Parallel.For(0, nz, Plane);
    }

    /// <summary>fine += P coarse: each member takes its aggregate's value.</summary>
    static void Prolong(double[] coarse, int[] parent, double[] fine)
    {
        for (int i = 0; i < fine.Length; i++)
        {
            int a = parent[i];
            if (a >= 0) fine[i] += coarse[a];
        }
    }
}
