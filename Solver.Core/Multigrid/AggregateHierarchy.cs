using Dcdm.Poisson;

namespace Dcdm.Multigrid;

/// <summary>
/// The coarse levels of <see cref="AggregateMultigrid"/> for one grid, as the CPU cycle and the device cycle both run
/// them: each level (<see cref="AggregateLevel"/>), the parent maps between them, and the coarsest level's direct factor.
/// Coarsening stops at <see cref="AggregateMultigrid.CoarsestRows"/> rows, when a level would not be 1.5x smaller and
/// its factor fits (else it goes on through every coupling, weak ones too), or before a level <see cref="Collapse"/>
/// times smaller that the factor can take instead; then the narrow levels at the bottom (chains or networks of passages,
/// <see cref="NarrowCouplings"/>) give way to the finest of them whose factor fills little.
/// </summary>
internal sealed class AggregateHierarchy
{
    /// <summary>The axis whose lines the levels are made for (<see cref="Multigrid.LineAxis"/>): the levels flat enough are
    /// relaxed by <see cref="LevelLines"/> along it (<see cref="AggregateMultigrid.RelaxesLines"/>); -1: by points.</summary>
    public int LineAxis { get; }
    /// <summary>The levels, finest first: the first is what the hierarchy was built from.</summary>
    public AggregateLevel[] Levels { get; }
    /// <summary>The grid's cells to the first level's rows (-1: not an unknown); of a grid, made at the first call from
    /// <see cref="FineBlocks"/> (the CPU cycle's transfers read those; the device's, this).</summary>
    public int[] FineParent => _fineParent ??= FineBlocks!.ParentMap();
    int[]? _fineParent;
    /// <summary>A grid's cells to the first level's rows by 2x2x2 blocks; null for a voxel operator.</summary>
    public FirstLevelBlocks? FineBlocks { get; }
    /// <summary>Parents[c]: level c's rows to level c + 1's.</summary>
    public int[][] Parents { get; }
    /// <summary>
    /// The coarsest level's factor (a narrow level's in a minimum-degree order, <see cref="NarrowFactor"/>; else its envelope's,
    /// <see cref="SemidefiniteCholesky"/>); null when its envelope is too large to factor (<see cref="SemidefiniteCholesky.Factor"/>),
    /// which only a stall that even every coupling does not coarsen leaves (many small pieces with no coupling to join
    /// them, as closed pockets and voxel noise make, coupled in ways no order keeps narrow): relaxed instead.
    /// </summary>
    public ILevelFactor? Coarsest { get; }

    /// <summary>A level that would coarsen by more than this is factored instead (where its envelope allows). 2x2x2 groups
    /// of blocks make at most 8 rows one where each block is one piece; a long chain of pieces makes hundreds one.</summary>
    internal const int Collapse = 16;

    /// <summary>
    /// A level with at most this many couplings per row on average (a chain of pieces along a channel has 2, a ladder 3,
    /// a sheet or a network of passages 3-4, a 3D level 5-6) at the bottom of the hierarchy is tried for its factor, from
    /// the coarsest up: where the factor in a minimum-degree order holds at most <see cref="NarrowFill"/> entries a coupling, a solve with it costs
    /// about four sweeps of the level and is exact, where the levels below would cost more and coarsen 2-3x a level (a
    /// network's levels are chains of pieces: the K-cycle visits each twice as often as the one above). Settable for
    /// tests (0: never).
    /// </summary>
    internal static double NarrowCouplings { get; set; } = 4;

    /// <summary>Entries of a narrow level's factor per coupling of the level, at most (<see cref="NarrowFactor"/>).</summary>
    internal static double NarrowFill { get; set; } = 2;

    /// <summary>
    /// The most rows a narrow level's factor is tried at. The order costs about a microsecond a row here whether it
    /// succeeds or not (where it fails, it has eliminated about nine tenths of the rows when the fill passes the budget):
    /// at 32,768 rows a try costs 10-30 ms, a tenth to a fifth of a 128^3 set-up. Settable for tests.
    /// </summary>
    internal static int NarrowRows { get; set; } = 32_768;

    /// <summary>The coarse levels of a unit 7-point grid operator (its diagonal bytes): the grid's cells are not a level here (the float32 grid kernels relax them).</summary>
    /// <param name="shape">P's entries from the grid to the first level that are not 1 (null: the piecewise-constant P).</param>
    public AggregateHierarchy(int nx, int ny, int nz, byte[] diagonal, double galerkinScale, ProlongationShape? shape = null)
        : this(Aggregation.FirstLevel(nx, ny, nz, diagonal, galerkinScale, out var blocks, shape), null, galerkinScale) => FineBlocks = blocks;

    /// <summary>
    /// The levels of a voxel operator with per-face coefficients, its cells the first level (the device relaxes them as
    /// CSR rows); the level above them comes straight from the faces (<see cref="Aggregation.FromFaces"/>, what
    /// coarsening the cells' level gives, entry for entry, for a third of the time).
    /// </summary>
    /// <param name="diagonal">The operator's diagonal per cell when the caller has it (<see cref="Solvers.ReducedSystem.DiagonalOf"/>);
    /// null: computed here.</param>
    /// <remarks>P from the cells to the level above them is the CPU cycle's: <see cref="AggregateMultigrid.SurfaceProlongation"/>
    /// on the cells next to air (<see cref="ProlongationShape.AtDirichletFaces"/>), given by row in <see cref="CellsShape"/>.</remarks>
    /// <param name="lineAxis">The axis whose lines the cycle relaxes (<see cref="Multigrid.LineAxis"/>), as <see cref="AboveCells"/>'s;
    /// -1: none (points).</param>
    public AggregateHierarchy(VoxelOperator op, double galerkinScale, double[]? diagonal = null, int lineAxis = -1)
        : this(op, galerkinScale, diagonal ?? CellLevel.DiagonalOf(op), AggregateMultigrid.SurfaceProlongation, lineAxis) { }

    AggregateHierarchy(VoxelOperator op, double galerkinScale, double[] diagonal, double surfaceProlongation, int lineAxis)
        : this(CellsAndAbove(op, diagonal, galerkinScale, ProlongationShape.AtDirichletFaces(op, diagonal, surfaceProlongation), lineAxis,
            out var cellRow, out var above, out var byRow), cellRow, galerkinScale, above, firstIsCells: true, lineAxis)
        => CellsShape = byRow;

    /// <summary>A voxel operator's P entries that are not 1 from its cells' level (the first) to the next, by the cells'
    /// rows; null where P is piecewise constant.</summary>
    public ProlongationShape? CellsShape { get; }

    static AggregateLevel CellsAndAbove(VoxelOperator op, double[] diagonal, double galerkinScale, ProlongationShape? shape, int lineAxis, out int[] cellRow,
        out (AggregateLevel, int[])? above, out ProlongationShape? byRow)
    {
        var cells = Aggregation.FromOperator(op, diagonal, out cellRow);
        (above, byRow) = (null, null);
        if (cells.Rows > AggregateMultigrid.CoarsestRows
            && Aggregation.FromFaces(op, diagonal, cells.Rows, galerkinScale, out var parent, lineAxis: lineAxis) is { } first)
        {
            if (shape is not null)
            {
                Aggregation.Reshape(first, op, diagonal, parent, shape, galerkinScale);
                var rows = new int[shape.Cells.Length];
                for (int k = 0; k < rows.Length; k++)
                    rows[k] = cellRow[shape.Cells[k]] is int row and >= 0 ? row
                        : throw new ArgumentException($"the shape names cell {shape.Cells[k]}, which is no unknown of the operator", nameof(shape));
                var values = (float[])shape.Values.Clone();
                Array.Sort(rows, values);
                byRow = new ProlongationShape(rows, values);
            }
            var rowParent = new int[cells.Rows]; // the cells' rows to the level above, from each cell's
            for (int i = 0; i < cellRow.Length; i++) if (cellRow[i] >= 0) rowParent[cellRow[i]] = parent[i];
            above = (first, rowParent);
        }
        return cells;
    }

    /// <summary>
    /// The coarse levels of a voxel operator above its cells, which are not a level here (the CPU cycle relaxes them on
    /// the faces, <see cref="CellLevel"/>); <see cref="FineParent"/> maps the cells to the first. Null where the cells
    /// would not coarsen 1.5x: then they are the first level (<see cref="AggregateHierarchy(VoxelOperator, double, double[], int)"/>).
    /// </summary>
    /// <param name="diagonal">The operator's diagonal per cell (<see cref="CellLevel.DiagonalOf"/>).</param>
    /// <param name="unknowns">How many cells have a diagonal.</param>
    /// <param name="shape">P's entries from the cells to the first level that are not 1 (null: the piecewise-constant P).</param>
    /// <param name="lineAxis">The axis the cycle relaxes lines along (<see cref="Multigrid.LineAxis"/>), whose couplings every level
    /// judges across the lines against diagonals capped at a just-flat cell's (<see cref="Multigrid.LineAxis.DiagonalUpToFlat(VoxelOperator, double[], int)"/>); -1: none.</param>
    public static AggregateHierarchy? AboveCells(VoxelOperator op, double[] diagonal, int unknowns, double galerkinScale, ProlongationShape? shape = null,
        int lineAxis = -1)
    {
        if (Aggregation.FromFaces(op, diagonal, unknowns, galerkinScale, out var parent, lineAxis: lineAxis) is not { } first) return null;
        if (shape is not null) Aggregation.Reshape(first, op, diagonal, parent, shape, galerkinScale);
        return new(first, parent, galerkinScale, lineAxis: lineAxis);
    }

    /// <param name="second">The level above the first and the first's rows' parents in it, when the caller made it.</param>
    /// <param name="firstIsCells">The first level is the operator's cells (never factored as narrow).</param>
    /// <param name="lineAxis">As <see cref="AboveCells"/>'s.</param>
    AggregateHierarchy(AggregateLevel first, int[]? fineParent, double galerkinScale, (AggregateLevel Level, int[] Parent)? second = null, bool firstIsCells = false,
        int lineAxis = -1)
    {
        var levels = new List<AggregateLevel>();
        var parents = new List<int[]>();
        var level = first;
        levels.Add(level);
        if (second is var (above, toAbove))
        {
            parents.Add(toAbove);
            levels.Add(above);
            level = above;
        }
        ILevelFactor? coarsest = null;
        bool declined = false; // the last level's factor was tried and too large
        while (level.Rows > AggregateMultigrid.CoarsestRows)
        {
            var next = Aggregation.Coarsen(level, galerkinScale, out var parent, lineAxis: lineAxis);
            if (next is null)
            {
                // a stall: factored where the factor fits; else, where couplings too weak to join kept the rows apart
                // (islands of strong couplings in a high-contrast field), coarsened through every coupling, unsplit,
                // since a relaxed level of thousands of rows takes the cycle to hundreds of iterations
                if ((coarsest = SemidefiniteCholesky.Factor(level)) is not null) break;
                declined = true;
                if ((next = Aggregation.Coarsen(level, galerkinScale, out parent, splitBottlenecks: false, strength: 0)) is null) break;
            }
            // a collapse: pieces that run far past their blocks (a channel one to three cells across, snaking through
            // them) would leave one constant where this level still has the channel's long modes; factor this level instead
            else if (next.Rows * Collapse < level.Rows && SemidefiniteCholesky.Factor(level) is { } factor) { coarsest = factor; break; }
            parents.Add(parent);
            levels.Add(next);
            level = next;
            declined = false;
        }
        // the narrow levels at the bottom, from the coarsest up while each one's factor fits: the finest of them is solved
        // exactly and the levels below it are dropped. Upward, a level is tried only after the one below it factored, so
        // a network that fills too much (chambers, beads: 3D pores) declines at a small level, not at its largest
        // (not the cells: on a device they are its first level, relaxed there)
        int exactLevel = -1;
        for (int c = levels.Count - 1; c >= (firstIsCells ? 1 : 0) && levels[c].Rows <= NarrowRows; c--)
        {
            if (NarrowFactor(levels[c]) is not { } exact) break;
            (exactLevel, coarsest, declined) = (c, exact, false);
        }
        if (exactLevel >= 0)
        {
            levels.RemoveRange(exactLevel + 1, levels.Count - exactLevel - 1);
            parents.RemoveRange(exactLevel, parents.Count - exactLevel);
            level = levels[exactLevel];
        }
        (Levels, Parents, _fineParent, LineAxis) = ([.. levels], [.. parents], fineParent, lineAxis);
        Coarsest = coarsest ?? (declined ? null : SemidefiniteCholesky.Factor(level));
    }

    /// <summary>The factor of a level with at most <see cref="NarrowCouplings"/> couplings per row whose factor in a
    /// minimum-degree order holds at most <see cref="NarrowFill"/> entries a coupling; else null, and the level is coarsened.
    /// The couplings are counted first, so a 3D level costs no ordering, and the ordering stops where the factor passes
    /// the budget.</summary>
    internal static ILevelFactor? NarrowFactor(AggregateLevel level) =>
        Narrow(level) ? MinimumDegreeCholesky.Factor(level, maxEntries: (long)(NarrowFill * level.RowStart[level.Rows])) : null;

    static bool Narrow(AggregateLevel level) => level.RowStart[level.Rows] <= NarrowCouplings * level.Rows;
}
