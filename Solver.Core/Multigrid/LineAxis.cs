using Dcdm.Poisson;

namespace Dcdm.Multigrid;

/// <summary>
/// Flat cells: a voxel operator with cells whose faces along one axis are much stronger than across it (a grid
/// stretched along the other two, cells h x h x h/k: faces k^2 stronger along the short side, everywhere or in layers
/// refined towards a wall). A point sweep there smooths the error along that axis only, and aggregates split into pairs
/// along it, so each level halves the rows and the K-cycle's work grows with the levels. With the axis found, the cycle
/// relaxes whole lines along it (<see cref="CellLines{T}"/>, <see cref="LevelLines"/>) and aggregates 2x2x2 blocks again,
/// judging a coupling across the lines against the diagonal capped at what a cell just flat enough for lines would have
/// (<see cref="DiagonalUpToFlat(VoxelOperator, double[], int)"/>), and one along them against the diagonals as before,
/// so a density jump or a nearly closed face still splits a block.
/// </summary>
internal static class LineAxis
{
    /// <summary>A cell is flat along an axis where both its faces along it are at least this many times each of its four
    /// across (above 1, so the axis is the strongest). Settable for tests.</summary>
    internal static double Contrast
    {
        get => _contrast;
        set => _contrast = value > 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"a contrast above 1, got {value}");
    }
    static double _contrast = 4;

    /// <summary>The lines run where at least this share of the cells with six open faces is flat along one axis. Settable
    /// for tests (above 1: never).</summary>
    internal static double Share { get; set; } = 0.02;

    /// <summary>
    /// The axis (0, 1, 2: x, y, z) along which at least <see cref="Share"/> of the cells with six open faces are flat
    /// (<see cref="Contrast"/>), the one with most where two are; -1 where none is. Each cell is judged by its own faces,
    /// so a grid refined in layers near a wall (a few flat layers among cubic ones) has lines as a uniformly stretched
    /// one does, while a density jump or a cut cell's partly open faces, which weaken one face or two, not all four
    /// across, do not. About 16 evenly spaced planes are read (every inner plane of a grid under 32 deep): 0.2-0.5 ms at
    /// 128^3.
    /// </summary>
    public static int Of(VoxelOperator op)
    {
        int nx = op.Nx, ny = op.Ny, nz = op.Nz, plane = nx * ny;
        if (nx < 3 || ny < 3 || nz < 3) return -1; // no cell with six open faces
        int inner = nz - 2, step = inner < 32 ? 1 : inner / 16, sampled = (inner + step - 1) / step;
        var counts = new long[sampled * 4]; // per sampled plane: flat along x, y, z, and cells with six open faces
        var (fx, fy, fz) = (op.FaceX, op.FaceY, op.FaceZ);
        double k = Contrast;
        Parallel.For(0, sampled, s =>
        {
            int z = 1 + s * step;
            long alongX = 0, alongY = 0, alongZ = 0, open = 0;
            for (int y = 1; y < ny - 1; y++)
                for (int i = plane * z + nx * y + 1, end = i + nx - 2; i < end; i++)
                {
                    double xl = fx[i - 1], xh = fx[i], yl = fy[i - nx], yh = fy[i], zl = fz[i - plane], zh = fz[i];
                    if (!(xl > 0 && xh > 0 && yl > 0 && yh > 0 && zl > 0 && zh > 0)) continue;
                    open++;
                    double x = Math.Min(xl, xh), yy = Math.Min(yl, yh), zz = Math.Min(zl, zh);
                    double mx = Math.Max(xl, xh), my = Math.Max(yl, yh), mz = Math.Max(zl, zh);
                    if (x >= k * Math.Max(my, mz)) alongX++;
                    else if (yy >= k * Math.Max(mx, mz)) alongY++;
                    else if (zz >= k * Math.Max(mx, my)) alongZ++;
                }
            (counts[4 * s], counts[4 * s + 1], counts[4 * s + 2], counts[4 * s + 3]) = (alongX, alongY, alongZ, open);
        });
        var total = new long[4];
        for (int s = 0; s < sampled; s++)
            for (int a = 0; a < 4; a++) total[a] += counts[4 * s + a];
        int best = -1;
        for (int a = 0; a < 3; a++)
            if (total[3] > 0 && total[a] >= Share * total[3] && (best < 0 || total[a] > total[best])) best = a;
        return best;
    }

    /// <summary>A coarse level's row is flat where each of its two sides along the axis couples at least this many times
    /// its largest coupling across (as a cell's faces along against each face across): twice <see cref="Contrast"/>,
    /// since lines on a coarse level pay only past it (measured at 64^3 and 128^3, pcg-mg: faces 4x took 4-5 iterations
    /// with points on the coarse levels against 5-6 with lines, in 0.77x-0.83x the time; faces 16x took 5 with lines
    /// against 6, 64x 5 against 13).</summary>
    internal static double CoarseContrast => 2 * Contrast;

    /// <summary>
    /// Whether a coarse level relaxes lines along the axis: where at least <see cref="Share"/> of its rows coupled on
    /// both sides along it are flat (<see cref="CoarseContrast"/>): the sums of a row's couplings to the block before it
    /// and to the block after it against its largest other coupling (pieces of its own block too; the largest, not the
    /// sum, so a row beside a wall, with fewer couplings across, is judged as one inside). Full 2x2x2 coarsening keeps
    /// the cells' aspect, so a level of cells a little flat (faces 4x) is relaxed by points and one much flatter by
    /// lines. (A variant that judged against the sum across and counted a wall's rows by their one side put lines back
    /// on two-phase and cut-cell with faces 4x, and gained nothing on rocks refined towards the floor: 6 iterations
    /// against 7, in the same time.)
    /// </summary>
    public static bool FlatRows(AggregateLevel level, int axis)
    {
        var (along, others) = BlockCoordinates(level, axis);
        double k = CoarseContrast;
        long flat = 0, sided = 0;
        object gate = new();
        Parallel.For(0, level.Rows, () => (Flat: 0L, Sided: 0L), (i, _, counts) =>
        {
            double before = 0, after = 0, across = 0; // the sums of its couplings to the blocks before and after it, its largest coupling across
            for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
            {
                int j = level.Columns[e];
                double v = Math.Abs(level.Values[e]);
                switch (Side(along, others, i, j))
                {
                    case -1: before += v; break;
                    case 1: after += v; break;
                    default: across = Math.Max(across, v); break;
                }
            }
            if (!(before > 0 && after > 0)) return counts;
            return (counts.Flat + (Math.Min(before, after) >= k * across ? 1 : 0), counts.Sided + 1);
        }, counts => { lock (gate) { flat += counts.Flat; sided += counts.Sided; } });
        return sided > 0 && flat >= Share * sided;
    }

    /// <summary>
    /// What a coupling across the lines is judged against, per cell: its diagonal, but at most
    /// <see cref="FlatDiagonal"/> times its couplings across (its four faces along the other two axes), the diagonal of a
    /// cell flat just up to the line test's <see cref="Contrast"/>. Flatter cells' faces along the lines (and an open
    /// top's Dirichlet term) would make the diagonal dwarf every coupling across and split each block into pairs; a cell
    /// no flatter keeps its diagonal, so a density jump across the lines is judged as it is without them (two-phase at a
    /// density ratio of 1000 on cells 2x flatter, 64^3: 13 iterations judged against the couplings across alone, 5 so).
    /// </summary>
    public static double[] DiagonalUpToFlat(VoxelOperator op, double[] diagonal, int axis)
    {
        int nx = op.Nx, ny = op.Ny, plane = nx * ny;
        var (p, q) = axis switch { 0 => (op.FaceY, op.FaceZ), 1 => (op.FaceX, op.FaceZ), _ => (op.FaceX, op.FaceY) };
        var (sp, sq) = axis switch { 0 => (nx, plane), 1 => (1, plane), _ => (1, nx) };
        var judge = new double[diagonal.Length];
        double cap = FlatDiagonal;
        Parallel.For(0, op.Nz, z =>
        {
            for (int y = 0; y < ny; y++)
                for (int x = 0, i = plane * z + nx * y; x < nx; x++, i++)
                {
                    if (!(diagonal[i] > 0)) continue;
                    var (cp, cq) = axis switch { 0 => (y, z), 1 => (x, z), _ => (x, y) };
                    double across = p[i] + q[i] + (cp > 0 ? p[i - sp] : 0) + (cq > 0 ? q[i - sq] : 0);
                    judge[i] = Math.Min(diagonal[i], cap * across);
                }
        });
        return judge;
    }

    /// <summary>A flat cell's diagonal over its couplings across: four faces across and two along, each
    /// <see cref="Contrast"/> times those across, give 1 + Contrast / 2 (3 at 4x).</summary>
    internal static double FlatDiagonal => 1 + Contrast / 2;

    /// <summary><see cref="DiagonalUpToFlat(VoxelOperator, double[], int)"/> of a level's rows: the row's diagonal, at most
    /// <see cref="FlatDiagonal"/> times its couplings other than those to the rows of the blocks before and after it along
    /// the axis (the blocks' other two coordinates the same: a block one further in the index may be across, at a grid's edge).</summary>
    public static double[] DiagonalUpToFlat(AggregateLevel level, int axis)
    {
        var (along, others) = BlockCoordinates(level, axis);
        return DiagonalUpToFlat(level, along, others);
    }

    /// <summary><see cref="DiagonalUpToFlat(AggregateLevel, int)"/> from the rows' block coordinates (<see cref="BlockCoordinates"/>).</summary>
    public static double[] DiagonalUpToFlat(AggregateLevel level, int[] along, int[] others)
    {
        var judge = new double[level.Rows];
        double cap = FlatDiagonal;
        Parallel.For(0, level.Rows, i =>
        {
            double across = 0;
            for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
            {
                int j = level.Columns[e];
                if (Side(along, others, i, j) == 0) across += Math.Abs(level.Values[e]);
            }
            judge[i] = Math.Min(level.Diagonal[i], cap * across);
        });
        return judge;
    }

    /// <summary>Where row j's block lies from row i's (<see cref="BlockCoordinates"/>): -1 the block before it along the
    /// axis, 1 the one after it, 0 any other (across the lines, or the same block).</summary>
    internal static int Side(int[] along, int[] others, int i, int j) =>
        others[j] != others[i] ? 0 : along[j] - along[i] is var d && (d == 1 || d == -1) ? d : 0;

    /// <summary>Each row's block's coordinate along the axis, and an index of its other two: two rows' blocks are next to
    /// each other along the axis where the index is the same and the coordinates one apart.</summary>
    public static (int[] Along, int[] Others) BlockCoordinates(AggregateLevel level, int axis)
    {
        var (bx, by, _) = level.Blocks;
        int plane = bx * by;
        var (along, others) = (new int[level.Rows], new int[level.Rows]);
        for (int b = 0; b < level.BlockRows.Length; b++)
        {
            var (a, o) = axis switch
            {
                0 => (b % bx, b / bx),
                1 => (b / bx % by, b % bx + bx * (b / plane)),
                _ => (b / plane, b % plane),
            };
            for (int r = level.BlockFirstRow[b], end = r + level.BlockRows[b]; r < end; r++) (along[r], others[r]) = (a, o);
        }
        return (along, others);
    }
}
