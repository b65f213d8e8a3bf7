using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Multigrid;

/// <summary>
/// Builds <see cref="AggregateLevel"/>s: the unknowns of a level grouped by 2x2x2 blocks, each block split into the
/// pieces its couplings connect (union-find inside the block), and the Galerkin operator s P^T A P of the
/// piecewise-constant P. The map <c>parent</c> gives each row (or cell) of the level below its aggregate (-1: none).
/// Every pass runs per block in parallel planes; a block's rows are contiguous, so no sort is needed.
/// </summary>
internal static class Aggregation
{
    /// <summary>
    /// For each of the 256 occupancies of a 2x2x2 block (bit s set: slot s = dx + 2 dy + 4 dz holds an unknown): how many
    /// face-connected pieces, and each slot's piece (-1: empty).
    /// </summary>
    static readonly (byte[] Count, sbyte[] Label) Pieces = PieceTable();

    static (byte[] Count, sbyte[] Label) PieceTable()
    {
        var count = new byte[256];
        var label = new sbyte[256 * 8];
        Span<int> root = stackalloc int[8];
        for (int mask = 0; mask < 256; mask++)
        {
            for (int s = 0; s < 8; s++) root[s] = s;
            for (int s = 0; s < 8; s++)
                for (int bit = 1; bit < 8; bit <<= 1) // faces inside the block join slots s and s + 1, s + 2, s + 4
                    if ((s & bit) == 0 && (mask >> s & 1) != 0 && (mask >> (s | bit) & 1) != 0) GroupPieces.Union(root, s, s | bit);
            int n = 0;
            for (int s = 0; s < 8; s++)
            {
                label[mask * 8 + s] = -1;
                if ((mask >> s & 1) == 0) continue;
                int r = GroupPieces.Find(root, s);
                label[mask * 8 + s] = r == s ? (sbyte)n++ : label[mask * 8 + r]; // a root is its piece's first slot
            }
            count[mask] = (byte)n;
        }
        return (count, label);
    }

    /// <summary>The first coarse level of a 7-point grid operator (diagonal byte d_i, -1 to each unknown neighbour, scale 1).</summary>
    /// <param name="shape">P's entries that are not 1 (null: the piecewise-constant P).</param>
    public static AggregateLevel FromGrid(int nx, int ny, int nz, byte[] diagonal, double scale, out int[] parent, ProlongationShape? shape = null)
    {
        var level = FirstLevel(nx, ny, nz, diagonal, scale, out var blocks, shape);
        parent = blocks.ParentMap();
        return level;
    }

    /// <summary><see cref="FromGrid"/> with the cells' rows given by their blocks, which the cycle's transfers read.</summary>
    public static AggregateLevel FirstLevel(int nx, int ny, int nz, byte[] diagonal, double scale, out FirstLevelBlocks blocks, ProlongationShape? shape = null)
    {
        // one entry for every shaped cell (the surface's): each row takes its products as it is assembled, in parallel;
        // other shapes are added to the piecewise-constant level afterwards, one cell at a time
        if (shape?.Uniform is float weight)
            return PiecewiseConstant(nx, ny, nz, diagonal, scale, out blocks, (ShapedSlots(nx, ny, nz, shape.Cells), weight));
        var level = PiecewiseConstant(nx, ny, nz, diagonal, scale, out blocks);
        if (shape is not null)
        {
            Reshape(level, nx, ny, nz, new UnitCells(diagonal), blocks.ParentMap(), shape, scale);
            level.ForgetPlainBlocks(); // shaped cells changed rows the assembly wrote as plain
        }
        return level;
    }

    /// <summary>The piece of slot s in a block of occupancy m (its row after the block's first).</summary>
    internal static int PieceOf(int m, int s) => Pieces.Label[m * 8 + s];
    /// <summary>How many pieces a block of occupancy m splits into.</summary>
    internal static int PiecesIn(int m) => Pieces.Count[m];

    /// <summary>
    /// Each 2x2x2 block's shaped slots (bit s: slot s = dx + 2 dy + 4 dz is one of <paramref name="cells"/>), by block
    /// planes in parallel: the ascending cells of cell planes 2z and 2z + 1 are one run of the list.
    /// </summary>
    static byte[] ShapedSlots(int nx, int ny, int nz, int[] cells)
    {
        int cx = (nx + 1) / 2, cy = (ny + 1) / 2, cz = (nz + 1) / 2, plane = nx * ny;
        var shaped = new byte[cx * cy * cz];
        int First(int cell) { int k = Array.BinarySearch(cells, cell); return k >= 0 ? k : ~k; }
        Parallel.For(0, cz, bz =>
        {
            for (int k = First(2 * bz * plane), end = First(Math.Min(nz, 2 * bz + 2) * plane); k < end; k++)
            {
                int i = cells[k], z = i / plane, inPlane = i - z * plane, y = inPlane / nx, x = inPlane - y * nx;
                shaped[x / 2 + cx * (y / 2 + cy * bz)] |= (byte)(1 << ((x & 1) + 2 * (y & 1) + 4 * (z & 1)));
            }
        });
        return shaped;
    }

    /// <summary>
    /// Turns a first level's s P0^T A P0 into s P^T A P for P's entries p_i (1 off the shape's cells): around each shaped
    /// cell i, its diagonal term gains s a_ii (p_i^2 - 1), and each face (i, j) of coefficient c -s c (p_i p_j - 1), on the
    /// coupling of their aggregates both ways, or twice on the diagonal inside one. A face of two shaped cells is taken
    /// once, from the smaller cell. The couplings stay those of P0 (a shape changes values, never which aggregates touch).
    /// </summary>
    static void Reshape<TCells>(AggregateLevel level, int nx, int ny, int nz, TCells source, int[] parent, ProlongationShape shape, double scale)
        where TCells : struct, IShapedCells
    {
        int plane = nx * ny;
        var cells = shape.Cells;
        // a neighbour's entry: the shaped cells ascend, and so do i + offset as i walks them, so one cursor per face
        // direction finds it without a search
        Span<int> offsets = [-plane, -nx, -1, 1, nx, plane];
        Span<int> cursor = stackalloc int[6];
        for (int k = 0; k < cells.Length; k++)
        {
            int i = cells[k], a = parent[i];
            double pi = shape.Values[k];
            int x = i % nx, y = i / nx % ny, z = i / plane;
            if (a >= 0) { level.Diagonal[a] += scale * source.Diagonal(i) * (pi * pi - 1); source.Changed(i); }
            for (int f = 0; f < 6; f++)
            {
                int j = i + offsets[f];
                while (cursor[f] < cells.Length && cells[cursor[f]] < j) cursor[f]++;
                bool inside = f switch { 0 => z > 0, 1 => y > 0, 2 => x > 0, 3 => x < nx - 1, 4 => y < ny - 1, _ => z < nz - 1 };
                if (a < 0 || !inside || parent[j] < 0) continue;
                bool shaped = cursor[f] < cells.Length && cells[cursor[f]] == j;
                if (shaped && j < i) continue; // taken from j
                double c = source.Face(i, f);
                if (c == 0) continue;
                double pj = shaped ? shape.Values[cursor[f]] : 1;
                Face(level, a, parent[j], -scale * c * (pi * pj - 1));
                source.Changed(j);
            }
        }
    }

    /// <summary>The coefficients <see cref="Reshape{TCells}"/> reads, and the rows it changes.</summary>
    interface IShapedCells
    {
        /// <summary>a_ii.</summary>
        double Diagonal(int i);
        /// <summary>The coefficient of face f (-z, -y, -x, +x, +y, +z: <see cref="VoxelOperator.FaceCoefficient"/>) of cell i inside the grid, 0 where closed.</summary>
        double Face(int i, int f);
        /// <summary>Cell i's aggregate's row changed.</summary>
        void Changed(int i);
    }

    /// <summary>A grid's unit operator: its diagonal bytes, every face between unknowns 1.</summary>
    readonly struct UnitCells(byte[] diagonal) : IShapedCells
    {
        public double Diagonal(int i) => diagonal[i];
        public double Face(int i, int f) => 1;
        public void Changed(int i) { }
    }

    /// <summary>A voxel operator's faces; a changed row's block is no longer plain.</summary>
    readonly struct FaceCells(VoxelOperator op, double[] diagonal, bool[]? plain, (int X, int Y) blocks) : IShapedCells
    {
        readonly int _nx = op.Nx, _ny = op.Ny, _plane = op.Nx * op.Ny;

        public double Diagonal(int i) => diagonal[i];

        public double Face(int i, int f) => op.FaceCoefficient(i, f);

        public void Changed(int i)
        {
            if (plain is not null) plain[i % _nx / 2 + blocks.X * (i / _nx % _ny / 2 + blocks.Y * (i / _plane / 2))] = false;
        }
    }

    /// <summary>
    /// A voxel operator's first level (<see cref="FromFaces"/>) turned into s P^T A P for the shape's entries, as a
    /// grid's is, its coefficients read from the faces; the blocks of the rows it changes are no longer plain.
    /// </summary>
    public static void Reshape(AggregateLevel level, VoxelOperator op, double[] diagonal, int[] parent, ProlongationShape shape, double scale) =>
        Reshape(level, op.Nx, op.Ny, op.Nz, new FaceCells(op, diagonal, level.PlainBlocks, (level.Blocks.X, level.Blocks.Y)), parent, shape, scale);

    /// <summary>Adds v to the coupling of aggregates a and b both ways, or twice to a's diagonal when they are one.</summary>
    static void Face(AggregateLevel level, int a, int b, double v)
    {
        if (a == b) { level.Diagonal[a] += 2 * v; return; }
        level.Values[Coupling(level, a, b)] += v;
        level.Values[Coupling(level, b, a)] += v;
    }

    /// <summary>The index of row a's coupling to row b (rows hold a few: a loop, not a vectorised search).</summary>
    static int Coupling(AggregateLevel level, int a, int b)
    {
        var columns = level.Columns;
        int k = level.RowStart[a], end = level.RowStart[a + 1];
        while (k < end && columns[k] != b) k++;
        return k < end ? k : throw new InvalidOperationException($"row {a} of the first level has no coupling to row {b}; a shape may not add couplings");
    }

    /// <summary>The first level of the piecewise-constant P.</summary>
    /// <param name="shape">Each block's shaped slots and P's entry on them (null: P piecewise constant).</param>
    static AggregateLevel PiecewiseConstant(int nx, int ny, int nz, byte[] diagonal, double scale, out FirstLevelBlocks blocks, (byte[] Slots, float Weight)? shape = null)
    {
        int cx = (nx + 1) / 2, cy = (ny + 1) / 2, cz = (nz + 1) / 2, count = cx * cy * cz;
        var mask = new byte[count];
        var pieces = new int[count];
        var full = new bool[count]; // every slot an unknown, none shaped: four unit faces to each full neighbour
        var slots = shape?.Slots;
        var (pieceCount, _) = Pieces;
        Parallel.For(0, cz, bz =>
        {
            // the block's four rows of cells (slots s = dx + 2 dy + 4 dz); a row past the grid's end reads as empty
            Span<int> rows = stackalloc int[4];
            for (int by = 0; by < cy; by++)
            {
                for (int r = 0; r < 4; r++)
                {
                    int y = 2 * by + (r & 1), z = 2 * bz + (r >> 1);
                    rows[r] = y < ny && z < nz ? nx * (y + ny * z) : -1;
                }
                int bx = 0, b = cx * (by + cy * bz);
                // 16 blocks at a time where their 32 cells lie inside every row: bit x of row r's compare is slot x % 2 + 2 r
                // of block x / 2
                if (Vector256.IsHardwareAccelerated && rows[0] >= 0 && rows[1] >= 0 && rows[2] >= 0 && rows[3] >= 0)
                    for (; 2 * bx + 32 <= nx; bx += 16, b += 16)
                    {
                        uint r0 = Occupied(diagonal, rows[0] + 2 * bx), r1 = Occupied(diagonal, rows[1] + 2 * bx);
                        uint r2 = Occupied(diagonal, rows[2] + 2 * bx), r3 = Occupied(diagonal, rows[3] + 2 * bx);
                        for (int j = 0; j < 16; j++, r0 >>= 2, r1 >>= 2, r2 >>= 2, r3 >>= 2)
                        {
                            int m = (int)((r0 & 3) | (r1 & 3) << 2 | (r2 & 3) << 4 | (r3 & 3) << 6);
                            mask[b + j] = (byte)m;
                            pieces[b + j] = pieceCount[m];
                            full[b + j] = m == 0xFF && (slots is null || slots[b + j] == 0);
                        }
                    }
                for (; bx < cx; bx++, b++)
                {
                    int m = 0, x = 2 * bx;
                    bool second = x + 1 < nx;
                    for (int r = 0; r < 4; r++)
                    {
                        if (rows[r] < 0) continue;
                        int i = rows[r] + x;
                        if (diagonal[i] > 0) m |= 1 << 2 * r;
                        if (second && diagonal[i + 1] > 0) m |= 2 << 2 * r;
                    }
                    mask[b] = (byte)m;
                    pieces[b] = pieceCount[m];
                    full[b] = m == 0xFF && (slots is null || slots[b] == 0);
                }
            }
        });
        var (offset, rows, firstOdd) = ColourMajorOffsets(pieces, cx, cy, cz);
        blocks = new FirstLevelBlocks(nx, ny, nz, mask, offset);
        var source = new GridRows(nx, ny, nz, diagonal, mask, offset, slots, shape?.Weight ?? 1);
        var level = Assemble(rows, firstOdd, (cx, cy, cz), offset, pieces, scale, capacity: 8 * 6, source, full);
        if (source.PlainCouplings != 6) level.ForgetPlainBlocks(); // a flat grid's plain rows have four couplings; the next level's groups want six
        return level;
    }

    /// <summary>Bit k: cell <paramref name="first"/> + k (of 32) is an unknown (a positive diagonal byte).</summary>
    static uint Occupied(byte[] diagonal, int first) =>
        Vector256.GreaterThan(Vector256.LoadUnsafe(ref diagonal[first]), Vector256<byte>.Zero).ExtractMostSignificantBits();

    /// <summary>
    /// A voxel operator as a level of its own, to coarsen with <see cref="Coarsen"/>: each cell a block, holding one row
    /// when it is an unknown (a positive diagonal), rows red cells first ((x + y + z) even), the couplings its open faces'
    /// coefficients. <paramref name="cellRow"/>: each cell's row (-1: none).
    /// </summary>
    /// <param name="diagonal">The operator's diagonal per cell (<see cref="CellLevel.DiagonalOf"/>).</param>
    public static AggregateLevel FromOperator(VoxelOperator op, double[] diagonal, out int[] cellRow)
    {
        int nx = op.Nx, ny = op.Ny, nz = op.Nz, n = op.CellCount;
        var unknown = new int[n];
        Parallel.For(0, nz, z =>
        {
            for (int i = z * nx * ny, end = i + nx * ny; i < end; i++) unknown[i] = diagonal[i] > 0 ? 1 : 0;
        });
        var (offset, rows, firstOdd) = ColourMajorOffsets(unknown, nx, ny, nz);
        var rowOut = cellRow = new int[n];
        Parallel.For(0, nz, z =>
        {
            for (int i = z * nx * ny, end = i + nx * ny; i < end; i++) rowOut[i] = unknown[i] > 0 ? offset[i] : -1;
        });
        return Assemble(rows, firstOdd, (nx, ny, nz), offset, unknown, 1, capacity: 6, new OperatorRows(op, diagonal, rowOut));
    }

    /// <summary>
    /// The first coarse level of a voxel operator straight from its faces: what <see cref="Coarsen"/> makes of
    /// <see cref="FromOperator"/>'s level without bottleneck splits at the share <see cref="StrongFace"/> (the same pieces,
    /// rows, order and sums, entry for entry), without assembling the cells' own level, which only a cycle that relaxes
    /// the cells as CSR rows needs (the device's). Each 2x2x2 block of cells splits into the pieces its strong faces
    /// connect; null when the level would not be 1.5x smaller than the unknowns (the cells then stay the first level and
    /// <see cref="AggregateHierarchy"/> coarsens them as any level, at <see cref="StrongCoupling"/>, before a stall's factor
    /// or every coupling). No piece is split at a bottleneck here: at this share a face strong enough to join two cells is
    /// seldom a bottleneck, and splitting at them changed 0-64 of 5,700-252,000 rows and no iteration on the per-face
    /// families for a third of the level's time (docs/benchmarks.md); the levels above split theirs. A piece whose cells
    /// hold together loosely (its Fiedler value under <see cref="LooseCells"/>: two sides of a throat joined through a
    /// partly open face) is cut (<see cref="FiedlerSplit"/>), except with lines; where those cuts would leave the level
    /// under 1.5x smaller, it is made without them. <see cref="Coarsen"/> of the cells level at this share cuts none, so
    /// it matches this level only with <see cref="LooseCells"/> 0.
    /// </summary>
    /// <param name="diagonal">The operator's diagonal per cell (<see cref="VoxelOperator.Diagonal(int)"/>; 0 off the unknowns).</param>
    /// <param name="parent">Each cell's row of the level (-1: not an unknown).</param>
    /// <param name="lineAxis">With line relaxation (flat cells, <see cref="LineAxis"/>): the lines' axis; a face across them
    /// is judged against the cells' diagonals capped at a just-flat cell's (<see cref="LineAxis.DiagonalUpToFlat(VoxelOperator, double[], int)"/>),
    /// a face along them against the diagonals, as without lines (a jump along them still splits), both at
    /// <see cref="StrongCoupling"/>. -1: every face against the diagonals, at <see cref="StrongFace"/>.</param>
    public static AggregateLevel? FromFaces(VoxelOperator op, double[] diagonal, int unknowns, double scale, out int[] parent, int lineAxis = -1)
    {
        double loose = lineAxis >= 0 ? 0 : LooseCells; // lines relax what the test would cut across them
        // cut so often that the level would not coarsen 1.5x: the pieces as their faces join them
        return FacesLevel(op, diagonal, unknowns, scale, out parent, lineAxis, loose)
            ?? (loose > 0 ? FacesLevel(op, diagonal, unknowns, scale, out parent, lineAxis, 0) : null);
    }

    /// <summary><see cref="FromFaces"/> with pieces cut under the Fiedler share <paramref name="loose"/> (0: none).</summary>
    static AggregateLevel? FacesLevel(VoxelOperator op, double[] diagonal, int unknowns, double scale, out int[] parent, int lineAxis, double loose)
    {
        var acrossJudge = lineAxis >= 0 ? LineAxis.DiagonalUpToFlat(op, diagonal, lineAxis) : diagonal;
        double strength = lineAxis >= 0 ? StrongCoupling : StrongFace, k = strength * strength; // the test compares squares
        var (judgeX, judgeY, judgeZ) = (lineAxis == 0 ? diagonal : acrossJudge, lineAxis == 1 ? diagonal : acrossJudge, lineAxis == 2 ? diagonal : acrossJudge);
        int nx = op.Nx, ny = op.Ny, nz = op.Nz, plane = nx * ny;
        int cx = (nx + 1) / 2, cy = (ny + 1) / 2, cz = (nz + 1) / 2;
        var pieces = new int[cx * cy * cz];
        var piece = RebindCache.Array<sbyte>(op.CellCount, zeroed: false); // each unknown's piece in its block, written below
        var (fx, fy, fz) = (op.FaceX, op.FaceY, op.FaceZ);
        Parallel.For(0, cz, () => (new GroupPieces(8, 24, 0, SplitContact), new FiedlerSplit(8, 12)), (bz, _, buffers) =>
        {
            var (group, fiedler) = buffers;
            Span<int> cell = stackalloc int[8], rank = stackalloc int[8], label = stackalloc int[8];
            for (int by = 0; by < cy; by++)
                for (int bx = 0; bx < cx; bx++)
                {
                    int occupied = 0, m = 0; // the slots holding an unknown, and how many
                    for (int s = 0; s < 8; s++)
                    {
                        int x = 2 * bx + (s & 1), y = 2 * by + (s >> 1 & 1), z = 2 * bz + (s >> 2);
                        cell[s] = x < nx && y < ny && z < nz && diagonal[x + nx * (y + ny * z)] > 0 ? x + nx * (y + ny * z) : -1;
                        if (cell[s] >= 0) { occupied |= 1 << s; rank[s] = m++; }
                    }
                    int count;
                    // the usual block, away from jumps and walls: one piece
                    if (occupied == 0xFF && OnePiece(op, judgeX, judgeY, judgeZ, cell, k))
                    {
                        if (loose == 0 || SurelyTight(op, diagonal, cell, loose))
                        {
                            for (int s = 0; s < 8; s++) piece[cell[s]] = 0;
                            pieces[bx + cx * (by + cy * bz)] = 1;
                            continue;
                        }
                        // seven strong faces span it, yet the other five may be closed: tested as any piece
                        label[..8].Clear();
                        count = 1;
                    }
                    else
                    {
                        group.Start(m);
                        for (int s = 0; s < 8; s++) // each cell's faces inside the block in its row's order (-x, -y, -z, +x, +y, +z), as Coarsen reads them
                        {
                            int i = cell[s];
                            if (i < 0) continue;
                            double tx = k * judgeX[i], ty = k * judgeY[i], tz = k * judgeZ[i];
                            if ((s & 1) != 0) StrongInside(group, cell, rank, judgeX, tx, s, s ^ 1, fx[i - 1]);
                            if ((s & 2) != 0) StrongInside(group, cell, rank, judgeY, ty, s, s ^ 2, fy[i - nx]);
                            if ((s & 4) != 0) StrongInside(group, cell, rank, judgeZ, tz, s, s ^ 4, fz[i - plane]);
                            if ((s & 1) == 0) StrongInside(group, cell, rank, judgeX, tx, s, s | 1, fx[i]);
                            if ((s & 2) == 0) StrongInside(group, cell, rank, judgeY, ty, s, s | 2, fy[i]);
                            if ((s & 4) == 0) StrongInside(group, cell, rank, judgeZ, tz, s, s | 4, fz[i]);
                        }
                        count = group.Label(label, out bool _);
                    }
                    if (loose > 0) count = SplitLoose(fiedler, op, diagonal, cell, rank, label, count, m, loose);
                    pieces[bx + cx * (by + cy * bz)] = count;
                    for (int s = 0; s < 8; s++) if (cell[s] >= 0) piece[cell[s]] = (sbyte)label[rank[s]];
                }
            return buffers;
        }, _ => { });
        var (offset, rows, firstOdd) = ColourMajorOffsets(pieces, cx, cy, cz);
        parent = null!;
        if (rows == 0 || rows > unknowns / 1.5) return null;
        var parentOut = parent = RebindCache.Array<int>(op.CellCount, zeroed: false); // every entry written below
        Parallel.For(0, nz, z =>
        {
            for (int y = 0; y < ny; y++)
            {
                int blocks = cx * (y / 2 + cy * (z / 2));
                for (int x = 0, i = (z * ny + y) * nx; x < nx; x++, i++) parentOut[i] = diagonal[i] > 0 ? offset[blocks + (x >> 1)] + piece[i] : -1;
            }
        });
        return Assemble(rows, firstOdd, (cx, cy, cz), offset, pieces, scale, capacity: 8 * 6, new FaceRows(op, diagonal, piece, parentOut, pieces, offset));
    }

    /// <summary>A block's pieces cut where they hold together loosely (<see cref="FiedlerSplit"/>), every face inside the block weighed.</summary>
    static int SplitLoose(FiedlerSplit fiedler, VoxelOperator op, double[] diagonal, ReadOnlySpan<int> cell, ReadOnlySpan<int> rank, Span<int> label, int count, int m, double share)
    {
        if (count == m) return count; // every cell its own piece
        var (fx, fy, fz) = (op.FaceX, op.FaceY, op.FaceZ);
        fiedler.Start(m);
        for (int s = 0; s < 8; s++)
        {
            int i = cell[s];
            if (i < 0) continue;
            fiedler.Diagonal(rank[s], diagonal[i]);
            if ((s & 1) == 0 && cell[s | 1] >= 0 && fx[i] > 0) fiedler.Add(rank[s], rank[s | 1], fx[i]);
            if ((s & 2) == 0 && cell[s | 2] >= 0 && fy[i] > 0) fiedler.Add(rank[s], rank[s | 2], fy[i]);
            if ((s & 4) == 0 && cell[s | 4] >= 0 && fz[i] > 0) fiedler.Add(rank[s], rank[s | 4], fz[i]);
        }
        return fiedler.Split(label, count, share);
    }

    /// <summary>Slot s's face of coefficient c to slot t of its block, as a coupling of the block's group where it passes
    /// <see cref="Coarsen"/>'s test from s's row ((-c)^2 >= S^2 d_s d_t, the products in Coarsen's order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void StrongInside(GroupPieces group, ReadOnlySpan<int> cell, ReadOnlySpan<int> rank, double[] diagonal, double threshold, int s, int t, double c)
    {
        if (cell[t] >= 0 && c > 0 && c * c >= threshold * diagonal[cell[t]]) group.Add(rank[s], rank[t], c);
    }

    /// <summary>
    /// Whether a full 2x2x2 block is one piece by seven strong faces that span it (slots 0-1, 2-3, 4-5, 6-7 along x, 0-2 and
    /// 4-6 along y, 0-4 along z), each judged against its axis's values (<paramref name="x"/>, <paramref name="y"/>,
    /// <paramref name="z"/>: the diagonals, or across the lines the diagonals capped at a just-flat cell's): then the union of all twelve gives one piece too.
    /// </summary>
    /// <param name="k">The strength share squared.</param>
    static bool OnePiece(VoxelOperator op, double[] x, double[] y, double[] z, ReadOnlySpan<int> cell, double k)
    {
        var (fx, fy, fz) = (op.FaceX, op.FaceY, op.FaceZ);
        int nx = op.Nx, plane = nx * op.Ny;
        for (int s = 0; s < 8; s += 2)
            if (!Strong(fx[cell[s]], x[cell[s]], x[cell[s] + 1], k)) return false;
        return Strong(fy[cell[0]], y[cell[0]], y[cell[0] + nx], k) && Strong(fy[cell[4]], y[cell[4]], y[cell[4] + nx], k)
            && Strong(fz[cell[0]], z[cell[0]], z[cell[0] + plane], k);
    }

    /// <summary>
    /// Whether a full block's Fiedler value (<see cref="FiedlerSplit"/>) is at least <paramref name="share"/> for sure,
    /// so the test can be skipped: its twelve faces weigh at least the weakest times the cube's Laplacian, whose second
    /// eigenvalue is 2, against diagonals at most the largest, so the value is at least 2 c_min / d_max. The unit block
    /// (1/3) passes at the first level's share.
    /// </summary>
    static bool SurelyTight(VoxelOperator op, double[] diagonal, ReadOnlySpan<int> cell, double share)
    {
        var (fx, fy, fz) = (op.FaceX, op.FaceY, op.FaceZ);
        double weakest = double.PositiveInfinity, largest = 0;
        for (int s = 0; s < 8; s++)
        {
            int i = cell[s];
            largest = Math.Max(largest, diagonal[i]);
            if ((s & 1) == 0) weakest = Math.Min(weakest, fx[i]);
            if ((s & 2) == 0) weakest = Math.Min(weakest, fy[i]);
            if ((s & 4) == 0) weakest = Math.Min(weakest, fz[i]);
        }
        return 2 * weakest >= share * largest;
    }

    /// <summary>
    /// <see cref="Coarsen"/>'s test (v^2 >= k d_i d_j, k the share squared) for a face of coefficient c between cells of
    /// diagonals di and dj, from either side, as Coarsen tries it from both cells' rows (the products round apart).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Strong(double c, double di, double dj, double k)
    {
        double v = -c;
        return v != 0 && (v * v >= k * di * dj || v * v >= k * dj * di);
    }

    /// <summary>
    /// A first-level row of a voxel operator: the unknowns of its block and piece in slot order, their diagonals, and
    /// each open face's -c in the order of the cells' own rows (-x, -y, -z, +x, +y, +z), as <see cref="CoarseRows"/> sums
    /// them over <see cref="FromOperator"/>'s level.
    /// </summary>
    readonly struct FaceRows(VoxelOperator op, double[] diagonal, sbyte[] piece, int[] parent, int[] pieces, int[] offset) : IRowSource
    {
        /// <summary>Four unit faces to each neighbour block.</summary>
        public double PlainCoupling => -4;
        public int PlainCouplings => 6;

        /// <summary>
        /// A block inside the grid whose eight cells have the unit operator's rows (diagonal 6, every face 1: a liquid's
        /// interior away from surfaces, solids and jumps), among six blocks of one piece: its diagonal 48 less 2 for each of
        /// its twelve inner faces, four faces (-4) to each neighbour's row. <see cref="FullRow"/> sums the same integers,
        /// which double holds exactly, so the same bits.
        /// </summary>
        public bool Plain(int bx, int by, int bz, int b, out double d)
        {
            d = 0;
            int nx = op.Nx, ny = op.Ny, nz = op.Nz, plane = nx * ny;
            int cx = (nx + 1) / 2, cy = (ny + 1) / 2, cz = (nz + 1) / 2, blocks = cx * cy;
            if (bx == 0 || by == 0 || bz == 0 || bx >= cx - 1 || by >= cy - 1 || bz >= cz - 1) return false;
            // at most one piece in each neighbour; the open faces below give each an unknown, so exactly one
            if (pieces[b] != 1 || (pieces[b - 1] | pieces[b + 1] | pieces[b - cx] | pieces[b + cx] | pieces[b - blocks] | pieces[b + blocks]) != 1) return false;
            var (fx, fy, fz) = (op.FaceX, op.FaceY, op.FaceZ);
            int i0 = 2 * bx + nx * (2 * by + ny * 2 * bz);
            for (int s = 0; s < 8; s++)
            {
                int i = i0 + (s & 1) + nx * (s >> 1 & 1) + plane * (s >> 2);
                if (diagonal[i] != 6 || fx[i - 1] != 1 || fx[i] != 1 || fy[i - nx] != 1 || fy[i] != 1 || fz[i - plane] != 1 || fz[i] != 1) return false;
            }
            d = 24;
            return true;
        }

        /// <summary>In the order <see cref="FullRow"/> meets them: -x, -y, -z from the first cell, then +x, +y, +z.</summary>
        public void PlainColumns(int b, Span<int> columns) => LowSidesFirst(offset, b, (op.Nx + 1) / 2, (op.Ny + 1) / 2, columns);

        public double Row(int bx, int by, int bz, int p, RowBuilder row)
        {
            int nx = op.Nx, ny = op.Ny, nz = op.Nz, plane = nx * ny;
            var (fx, fy, fz) = (op.FaceX, op.FaceY, op.FaceZ);
            // a block of one piece: each of its unknowns is the row's, and so is each cell a face inside it reaches
            bool whole = pieces[bx + (nx + 1) / 2 * (by + (ny + 1) / 2 * bz)] == 1;
            if (whole && bx > 0 && by > 0 && bz > 0 && 2 * bx + 1 < nx && 2 * by + 1 < ny && 2 * bz + 1 < nz)
            {
                int i0 = 2 * bx + nx * (2 * by + ny * 2 * bz);
                if (diagonal[i0] > 0 && diagonal[i0 + 1] > 0 && diagonal[i0 + nx] > 0 && diagonal[i0 + nx + 1] > 0 && diagonal[i0 + plane] > 0
                    && diagonal[i0 + plane + 1] > 0 && diagonal[i0 + plane + nx] > 0 && diagonal[i0 + plane + nx + 1] > 0)
                    return FullRow(i0, nx, plane, row);
            }
            double d = 0;
            for (int s = 0; s < 8; s++)
            {
                int x = 2 * bx + (s & 1), y = 2 * by + (s >> 1 & 1), z = 2 * bz + (s >> 2);
                if (x >= nx || y >= ny || z >= nz) continue;
                int i = x + nx * (y + ny * z);
                if (!(diagonal[i] > 0) || !whole && piece[i] != p) continue;
                d += diagonal[i];
                // a face to the block's other slot along an axis, in this piece, is the row's own: -c on the diagonal,
                // what row.Add returns for it (then neither the neighbour's parent nor the row's columns are read)
                if (x > 0 && fx[i - 1] > 0) d += Face(row, s & 1, i - 1, -fx[i - 1], p, whole);
                if (y > 0 && fy[i - nx] > 0) d += Face(row, s & 2, i - nx, -fy[i - nx], p, whole);
                if (z > 0 && fz[i - plane] > 0) d += Face(row, s & 4, i - plane, -fz[i - plane], p, whole);
                if (fx[i] > 0) d += Face(row, ~s & 1, i + 1, -fx[i], p, whole);
                if (fy[i] > 0) d += Face(row, ~s & 2, i + nx, -fy[i], p, whole);
                if (fz[i] > 0) d += Face(row, ~s & 4, i + plane, -fz[i], p, whole);
            }
            return d;
        }

        /// <summary>
        /// <see cref="Row"/> of a block of eight unknowns, one piece, inside the grid (the usual one): the same sums in the
        /// same order, with what each face is (the row's own, or to a neighbour block) known from the slot.
        /// </summary>
        double FullRow(int i, int nx, int plane, RowBuilder row)
        {
            double d = Slot(i, false, false, false, nx, plane, row, 0);
            d = Slot(i + 1, true, false, false, nx, plane, row, d);
            d = Slot(i + nx, false, true, false, nx, plane, row, d);
            d = Slot(i + nx + 1, true, true, false, nx, plane, row, d);
            d = Slot(i + plane, false, false, true, nx, plane, row, d);
            d = Slot(i + plane + 1, true, false, true, nx, plane, row, d);
            d = Slot(i + plane + nx, false, true, true, nx, plane, row, d);
            return Slot(i + plane + nx + 1, true, true, true, nx, plane, row, d);
        }

        /// <summary>One cell of <see cref="FullRow"/>, high along x, y, z where <paramref name="hx"/>, <paramref name="hy"/>,
        /// <paramref name="hz"/>: a face toward the block's other half is the row's own (-c on d), one away from it couples
        /// to the neighbour block (never the row itself, so d takes nothing there).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        double Slot(int i, bool hx, bool hy, bool hz, int nx, int plane, RowBuilder row, double d)
        {
            var (fx, fy, fz) = (op.FaceX, op.FaceY, op.FaceZ);
            d += diagonal[i];
            double c;
            if ((c = fx[i - 1]) > 0) { if (hx) d += -c; else row.Add(parent[i - 1], -c); }
            if ((c = fy[i - nx]) > 0) { if (hy) d += -c; else row.Add(parent[i - nx], -c); }
            if ((c = fz[i - plane]) > 0) { if (hz) d += -c; else row.Add(parent[i - plane], -c); }
            if ((c = fx[i]) > 0) { if (!hx) d += -c; else row.Add(parent[i + 1], -c); }
            if ((c = fy[i]) > 0) { if (!hy) d += -c; else row.Add(parent[i + nx], -c); }
            if ((c = fz[i]) > 0) { if (!hz) d += -c; else row.Add(parent[i + plane], -c); }
            return d;
        }

        /// <summary>The face to cell j with value v: inside the block (<paramref name="inside"/> not 0) and piece p, the
        /// diagonal's share; else added to the row's coupling with j's aggregate (its diagonal's share when that is the row).
        /// An open face joins two unknowns, so inside a <paramref name="whole"/> block j is in the piece.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        double Face(RowBuilder row, int inside, int j, double v, int p, bool whole) => inside != 0 && (whole || piece[j] == p) ? v : row.Add(parent[j], v);
    }

    /// <summary>A cell's row of a voxel operator: its diagonal and one coupling per open face.</summary>
    readonly struct OperatorRows(VoxelOperator op, double[] diagonal, int[] cellRow) : IRowSource
    {
        public bool Plain(int x, int y, int z, int b, out double d) { d = 0; return false; }
        public double PlainCoupling => 0;
        public int PlainCouplings => 0;
        public void PlainColumns(int b, Span<int> columns) { }

        public double Row(int x, int y, int z, int p, RowBuilder row)
        {
            int nx = op.Nx, plane = nx * op.Ny, i = x + nx * (y + op.Ny * z);
            if (x > 0) Face(row, cellRow, i - 1, op.FaceX[i - 1]);
            if (y > 0) Face(row, cellRow, i - nx, op.FaceY[i - nx]);
            if (z > 0) Face(row, cellRow, i - plane, op.FaceZ[i - plane]);
            Face(row, cellRow, i + 1, op.FaceX[i]);
            Face(row, cellRow, i + nx, op.FaceY[i]);
            Face(row, cellRow, i + plane, op.FaceZ[i]);
            return diagonal[i];
        }

        static void Face(RowBuilder row, int[] cellRow, int j, double c)
        {
            if (c > 0) row.Add(cellRow[j], -c);
        }
    }

    /// <summary>
    /// A first-level row: the fine cells of its block and piece, their diagonal bytes, -1 per face to a neighbour block's
    /// piece and -2 per face inside the piece (both sides), counted with bit masks on the blocks' occupancies: inside the
    /// block, pm &amp; (pm &gt;&gt; 2^axis) on the low side (pm: the piece's slots; two pieces never share a face); to a
    /// neighbour block, its occupancy shifted onto ours, and a neighbour that is one piece takes its faces as one coupling.
    /// With a shape (P's entry w on the shaped slots, 1 elsewhere) a diagonal byte counts p_i^2 times and a face p_i p_j
    /// times: the counts split by how many of each face's two cells are shaped (<see cref="Products"/>).
    /// </summary>
    readonly struct GridRows(int nx, int ny, int nz, byte[] diagonal, byte[] mask, int[] offset, byte[]? shaped, double weight) : IRowSource
    {
        public double Row(int bx, int by, int bz, int p, RowBuilder row)
        {
            int cx = (nx + 1) / 2, cy = (ny + 1) / 2, cz = (nz + 1) / 2;
            int b = bx + cx * (by + cy * bz), m = mask[b];
            var label = Pieces.Label;
            int pm = 0; // the piece's slots: the whole block's when it is one piece (most blocks)
            if (Pieces.Count[m] == 1) pm = m;
            else
                for (int s = 0; s < 8; s++)
                    if (label[m * 8 + s] == p) pm |= 1 << s;
            int sm = shaped is null ? 0 : shaped[b] & pm; // the piece's shaped slots
            double d = 0, shapedDiagonal = 0;
            for (int bits = pm; bits != 0; bits &= bits - 1)
            {
                int s = BitOperations.TrailingZeroCount(bits);
                int di = diagonal[2 * bx + (s & 1) + nx * (2 * by + (s >> 1 & 1) + ny * (2 * bz + (s >> 2)))];
                d += di;
                if ((sm >> s & 1) != 0) shapedDiagonal += di;
            }
            if (sm != 0) d += (weight * weight - 1) * shapedDiagonal;
            Span<int> block = [bx, by, bz];
            Span<int> size = [cx, cy, cz];
            Span<int> stride = [1, cx, cx * cy];
            for (int axis = 0; axis < 3; axis++)
            {
                int shift = 1 << axis, low = LowSide[axis], pairs = pm & (pm >> shift) & low;
                d -= sm == 0 ? 2 * BitOperations.PopCount((uint)pairs) : 2 * Products(pairs, sm, sm >> shift);
                if (block[axis] > 0) // the - neighbour: our low slots face its high ones
                {
                    int nb = b - stride[axis], om = mask[nb], faces = pm & (om >> shift) & low;
                    if (faces != 0) Faces(row, offset[nb], om, faces, neighbourShift: shift, sm, Shaped(nb, om) >> shift);
                }
                if (block[axis] < size[axis] - 1) // the + neighbour: our high slots face its low ones
                {
                    int nb = b + stride[axis], om = mask[nb], faces = (pm >> shift) & om & low;
                    if (faces != 0) Faces(row, offset[nb], om, faces, neighbourShift: 0, sm >> shift, Shaped(nb, om));
                }
            }
            return d;
        }

        /// <summary>The axis a grid one cell thick is flat along (a 2D code's grid: its blocks hold four cells in one
        /// layer), or -1 (a 3D grid, or one thin along two axes, whose blocks are never plain).</summary>
        readonly int _flat = nx == 1 && ny > 1 && nz > 1 ? 0 : ny == 1 && nx > 1 && nz > 1 ? 1 : nz == 1 && nx > 1 && ny > 1 ? 2 : nx > 1 && ny > 1 && nz > 1 ? -1 : -2;

        /// <summary>Four unit faces to each neighbour block (two on a grid one cell thick).</summary>
        public double PlainCoupling => _flat >= 0 ? -2 : -4;
        public int PlainCouplings => _flat >= 0 ? 4 : 6;

        /// <summary>
        /// A full block among six full ones, none holding a shaped cell (most of a grid's interior): its eight diagonal
        /// bytes less 2 for each of its twelve inner faces, and four faces (-4) to each neighbour's one row, as
        /// <see cref="Row"/> sums them. On a grid one cell thick (<see cref="FlatPlain"/>) the same with four cells.
        /// </summary>
        public bool Plain(int bx, int by, int bz, int b, out double d)
        {
            d = 0;
            if (_flat != -1) return _flat >= 0 && FlatPlain(bx, by, bz, b, out d);
            int cx = (nx + 1) / 2, cy = (ny + 1) / 2, cz = (nz + 1) / 2, plane = cx * cy;
            if (mask[b] != 0xFF || bx == 0 || by == 0 || bz == 0 || bx == cx - 1 || by == cy - 1 || bz == cz - 1) return false;
            if ((mask[b - 1] & mask[b + 1] & mask[b - cx] & mask[b + cx] & mask[b - plane] & mask[b + plane]) != 0xFF) return false;
            if (shaped is not null && (shaped[b] | shaped[b - 1] | shaped[b + 1] | shaped[b - cx] | shaped[b + cx] | shaped[b - plane] | shaped[b + plane]) != 0)
                return false;
            // an integer sum: the same value as Row's sum in double, which is exact
            int i = 2 * bx + nx * (2 * by + ny * 2 * bz), j = i + nx * ny;
            d = diagonal[i] + diagonal[i + 1] + diagonal[i + nx] + diagonal[i + nx + 1]
                + diagonal[j] + diagonal[j + 1] + diagonal[j + nx] + diagonal[j + nx + 1] - 24;
            return true;
        }

        public void PlainColumns(int b, Span<int> columns)
        {
            int cx = (nx + 1) / 2, plane = cx * ((ny + 1) / 2);
            if (_flat >= 0)
            {
                var (u, v) = InPlane(cx, plane);
                (columns[0], columns[1], columns[2], columns[3]) = (offset[b - u], offset[b + u], offset[b - v], offset[b + v]);
                return;
            }
            (columns[0], columns[1], columns[2]) = (offset[b - 1], offset[b + 1], offset[b - cx]);
            (columns[3], columns[4], columns[5]) = (offset[b + cx], offset[b - plane], offset[b + plane]);
        }

        /// <summary>The block strides along a flat grid's two axes that are not flat, the lower axis first (the order
        /// <see cref="Row"/> meets their neighbours in).</summary>
        (int U, int V) InPlane(int cx, int plane) => _flat switch { 0 => (cx, plane), 1 => (1, plane), _ => (1, cx) };

        /// <summary>
        /// <see cref="Plain"/> on a grid one cell thick: a block of its four cells (every slot inside the grid) among
        /// four such neighbours along the other two axes, none shaped: the four diagonal bytes less 2 for each of its
        /// four inner faces, and two faces (-2) to each neighbour's one row, as <see cref="Row"/> sums them (integers,
        /// exact in double). Such rows are written straight into place but not kept as plain for the next level, whose
        /// groups of plain rows want six neighbours.
        /// </summary>
        bool FlatPlain(int bx, int by, int bz, int b, out double d)
        {
            d = 0;
            int cx = (nx + 1) / 2, cy = (ny + 1) / 2, cz = (nz + 1) / 2, plane = cx * cy;
            int full = _flat switch { 0 => 0x55, 1 => 0x33, _ => 0x0F }; // the slots inside the grid
            if (mask[b] != full) return false;
            // inside the grid along both axes that are not flat
            if ((_flat != 0 && (bx == 0 || bx == cx - 1)) || (_flat != 1 && (by == 0 || by == cy - 1)) || (_flat != 2 && (bz == 0 || bz == cz - 1))) return false;
            var (u, v) = InPlane(cx, plane);
            if (mask[b - u] != full || mask[b + u] != full || mask[b - v] != full || mask[b + v] != full) return false;
            if (shaped is not null && (shaped[b] | shaped[b - u] | shaped[b + u] | shaped[b - v] | shaped[b + v]) != 0) return false;
            int i = 2 * bx + nx * (2 * by + ny * 2 * bz), sum = 0;
            for (int bits = full; bits != 0; bits &= bits - 1)
            {
                int s = BitOperations.TrailingZeroCount(bits);
                sum += diagonal[i + (s & 1) + nx * (s >> 1 & 1) + nx * ny * (s >> 2)];
            }
            d = sum - 8;
            return true;
        }

        /// <summary>Block nb's shaped slots that hold an unknown (its occupancy om).</summary>
        int Shaped(int nb, int om) => shaped is null ? 0 : shaped[nb] & om;

        /// <summary>
        /// The sum of p_i p_j over the faces (bit q of <paramref name="faces"/>), our cell shaped where bit q of
        /// <paramref name="ours"/> is set, theirs where bit q of <paramref name="theirs"/> is: each face 1, plus w - 1
        /// where one of its cells is shaped and w^2 - 1 where both are.
        /// </summary>
        double Products(int faces, int ours, int theirs) => BitOperations.PopCount((uint)faces)
            + (weight - 1) * BitOperations.PopCount((uint)(faces & (ours ^ theirs))) + (weight * weight - 1) * BitOperations.PopCount((uint)(faces & ours & theirs));

        /// <summary>The couplings across one face of the block to the neighbour whose first row is <paramref name="first"/>:
        /// bit q of faces for each face, on its low slot q; the neighbour's slot is q + neighbourShift. Bit q of ours and
        /// theirs: the face's cell on our side, on theirs, is shaped. A neighbour of one piece is one coupling, appended as
        /// such (neighbour blocks hold disjoint rows).</summary>
        void Faces(RowBuilder row, int first, int om, int faces, int neighbourShift, int ours, int theirs)
        {
            bool plain = ((ours | theirs) & faces) == 0;
            if (Pieces.Count[om] == 1) { row.Append(first, plain ? -BitOperations.PopCount((uint)faces) : -Products(faces, ours, theirs)); return; }
            for (int q = 0; q < 8; q++)
                if ((faces >> q & 1) != 0) // never the row itself
                    row.Add(first + Pieces.Label[om * 8 + q + neighbourShift], plain ? -1 : -((ours >> q & 1) != 0 ? weight : 1) * ((theirs >> q & 1) != 0 ? weight : 1));
        }
    }

    /// <summary>
    /// A plain row's six columns in the order a row built cell by cell (or row by row) meets them: the -x, -y and -z
    /// neighbours from its first member, then +x, +y, +z; block b's neighbours' first rows, on a level of bx x by x ..
    /// blocks.
    /// </summary>
    static void LowSidesFirst(int[] offset, int b, int bx, int by, Span<int> columns)
    {
        int plane = bx * by;
        (columns[0], columns[1], columns[2]) = (offset[b - 1], offset[b - bx], offset[b - plane]);
        (columns[3], columns[4], columns[5]) = (offset[b + 1], offset[b + bx], offset[b + plane]);
    }

    /// <summary>Slots whose coordinate along an axis is 0 (x: 0, 2, 4, 6; y: 0, 1, 4, 5; z: 0 to 3).</summary>
    static ReadOnlySpan<byte> LowSide => [0x55, 0x33, 0x0F];

    /// <summary>The next level of a coarse level; null when it would not be at least 1.5x smaller (nothing left to coarsen).</summary>
    /// <param name="splitBottlenecks">Split pieces at their bottlenecks (<see cref="GroupPieces"/>) and cut those that hold
    /// together loosely (their Fiedler value under <see cref="LooseRows"/>, <see cref="FiedlerSplit"/>).</param>
    /// <param name="strength">The strength test's share (<see cref="StrongCoupling"/>); 0: every coupling joins.</param>
    /// <param name="lineAxis">With line relaxation (flat cells, <see cref="LineAxis"/>): the lines' axis; a coupling across
    /// them is judged against the rows' diagonals capped at a just-flat row's (<see cref="LineAxis.DiagonalUpToFlat(AggregateLevel, int)"/>), one
    /// along them (to a row of the next block along the axis) against the diagonals, as without lines, and no bottleneck
    /// is split. -1: every coupling against the diagonals.</param>
    public static AggregateLevel? Coarsen(AggregateLevel level, double scale, out int[] parent, bool splitBottlenecks = true, double strength = StrongCoupling,
        int lineAxis = -1)
    {
        if (lineAxis < 0) return CoarsenJudged(level, scale, out parent, splitBottlenecks, strength, lines: null);
        var (along, others) = LineAxis.BlockCoordinates(level, lineAxis);
        return CoarsenJudged(level, scale, out parent, splitBottlenecks: false, strength, (LineAxis.DiagonalUpToFlat(level, along, others), along, others));
    }

    /// <param name="lines">What the rows' couplings across the lines are judged against and their blocks' coordinates (<see cref="LineAxis.BlockCoordinates"/>),
    /// made once (a retry without splits reuses them).</param>
    static AggregateLevel? CoarsenJudged(AggregateLevel level, double scale, out int[] parent, bool splitBottlenecks, double strength,
        (double[] AcrossJudge, int[] Along, int[] Others)? lines)
    {
        var (lx, ly, lz) = level.Blocks;
        int gx = (lx + 1) / 2, gy = (ly + 1) / 2, gz = (lz + 1) / 2, groups = gx * gy * gz, n = level.Rows;
        // a group's rows: at most 8 blocks' pieces, which droplets that never merge can make many on deep levels
        int maxMembers = 1;
        for (int z = 0; z < gz; z++)
            for (int y = 0; y < gy; y++)
                for (int x = 0; x < gx; x++) maxMembers = Math.Max(maxMembers, GroupSize(level, x, y, z));
        // each row's group, where a search of the group's members would be long (else that search says whether a coupling stays in the group)
        var rowGroup = maxMembers > SmallGroup ? new int[n] : [];
        if (rowGroup.Length > 0)
            Parallel.For(0, lz, z => // a block's rows are contiguous: no division per row
            {
                for (int y = 0, b = lx * ly * z; y < ly; y++)
                    for (int x = 0; x < lx; x++, b++)
                    {
                        int g = x / 2 + gx * (y / 2 + gy * (z / 2)), first = level.BlockFirstRow[b];
                        for (int r = 0; r < level.BlockRows[b]; r++) rowGroup[first + r] = g;
                    }
            });
        var piece = new int[n]; // first each row's place among its group's members, then its piece
        var pieces = new int[groups];
        var (rowStart, columns, values, diagonal) = (level.RowStart, level.Columns, level.Values, level.Diagonal);
        var acrossJudge = lines?.AcrossJudge ?? diagonal;
        var (rowAlong, rowOthers) = lines is { } l ? (l.Along, l.Others) : ([], []);
        int maxRow = Math.Max(1, MaxRow(level));
        int splits = 0;
        double share = splitBottlenecks ? BottleneckShare : 0;
        double loose = splitBottlenecks ? LooseRows : 0; // a level coarsened through weaker couplings, or with lines, keeps its pieces whole
        Parallel.For(0, gz, () => (new int[Math.Max(8, maxMembers)], new int[maxMembers], new GroupPieces(maxMembers, maxMembers * maxRow, share, SplitContact),
            new FiedlerSplit(maxMembers, maxMembers * maxRow)), (z, _, buffers) =>
        {
            var (members, label, group, fiedler) = buffers;
            for (int y = 0; y < gy; y++)
                for (int x = 0; x < gx; x++)
                {
                    int g = x + gx * (y + gy * z), m = GroupMembers(level, x, y, z, members);
                    // every coupling against the diagonals: with lines, those across pass against the capped diagonals too
                    if (m == 8 && OnePlainPiece(level, x, y, z, members, strength, loose))
                    {
                        for (int k = 0; k < 8; k++) piece[members[k]] = 0;
                        pieces[g] = 1;
                        continue;
                    }
                    bool small = m <= SmallGroup;
                    var local = small ? Members(members, m) : default;
                    for (int k = 0; k < m; k++) piece[members[k]] = k;
                    group.Start(m);
                    if (loose > 0) fiedler.Start(m);
                    for (int k = 0; k < m; k++)
                    {
                        int i = members[k];
                        if (loose > 0) fiedler.Diagonal(k, diagonal[i]);
                        // Strong's test with row i's part hoisted: across the lines against the capped diagonals, or the diagonals
                        double threshold = strength * strength * acrossJudge[i], thresholdAlong = strength * strength * diagonal[i];
                        for (int e = rowStart[i], end = rowStart[i + 1]; e < end; e++)
                        {
                            int j = columns[e], l; // j's place among the members, when it is one
                            if (small)
                            {
                                var hit = Vector256.Equals(local, Vector256.Create(j));
                                if (hit == Vector256<int>.Zero) continue;
                                l = BitOperations.TrailingZeroCount(hit.ExtractMostSignificantBits());
                            }
                            else if (rowGroup[j] != g) continue;
                            else l = piece[j];
                            double v = values[e];
                            if (loose > 0 && l > k && v < 0) fiedler.Add(k, l, -v); // each coupling once, from its lower member's row
                            bool along = rowAlong.Length > 0 && LineAxis.Side(rowAlong, rowOthers, i, j) != 0;
                            if (v != 0 && (along ? v * v >= thresholdAlong * diagonal[j] : v * v >= threshold * acrossJudge[j])) group.Add(k, l, Math.Abs(v));
                        }
                    }
                    int count = group.Label(label, out bool split);
                    if (loose > 0 && count < m)
                    {
                        int whole = count;
                        count = fiedler.Split(label, count, loose);
                        split |= count > whole;
                    }
                    pieces[g] = count;
                    for (int k = 0; k < m; k++) piece[members[k]] = label[k];
                    if (split) Interlocked.Increment(ref splits);
                }
            return buffers;
        }, _ => { });
        var (offset, rows, firstOdd) = ColourMajorOffsets(pieces, gx, gy, gz);
        parent = null!;
        // a level that splits so often that it would not coarsen 1.5x (bottlenecks everywhere: voxel noise; loose pieces) is not split
        if (rows == 0 || rows > n / 1.5) return splits > 0 && splitBottlenecks ? CoarsenJudged(level, scale, out parent, splitBottlenecks: false, strength, lines) : null;
        var parentOut = parent = new int[n];
        Parallel.For(0, lz, z => // by blocks, as the group map is made: a block's rows are contiguous
        {
            for (int y = 0, b = lx * ly * z; y < ly; y++)
                for (int x = 0; x < lx; x++, b++)
                {
                    int first = offset[x / 2 + gx * (y / 2 + gy * (z / 2))], row = level.BlockFirstRow[b];
                    for (int end = row + level.BlockRows[b]; row < end; row++) parentOut[row] = first + piece[row];
                }
        });
        return Assemble(rows, firstOdd, (gx, gy, gz), offset, pieces, scale, capacity: maxMembers * maxRow,
            new CoarseRows(level, piece, parentOut, offset, pieces));
    }

    /// <summary>
    /// Whether group (x, y, z)'s eight blocks are full rows (<see cref="AggregateLevel.FullBlocks"/>, or plain ones;
    /// <paramref name="members"/>, in slot order) whose twelve couplings inside the group, all <see cref="AggregateLevel.PlainCoupling"/>,
    /// are strong from both sides: then the union of the group's couplings is one piece, as <see cref="Coarsen"/>'s test
    /// finds it (the same products), without reading the rows. Equal couplings make no bottleneck, and the piece is
    /// never loose: its Fiedler value is at least 2 |c| / max d_i (the cube's Laplacian's second eigenvalue is 2), and a
    /// full block's row has d_i at most 6 |c| (eight cells of at most six faces, twelve inner faces taken twice), so at
    /// least 1/3, above <paramref name="loose"/>.
    /// </summary>
    /// <param name="loose">The Fiedler share the group's pieces are cut under (<see cref="LooseRows"/>, or 0).</param>
    static bool OnePlainPiece(AggregateLevel level, int x, int y, int z, Span<int> members, double strength, double loose)
    {
        var diagonal = level.Diagonal;
        if ((level.FullBlocks ?? level.PlainBlocks) is not { } full || loose >= 1.0 / 3) return false;
        var (lx, ly, lz) = level.Blocks;
        if (2 * x + 1 >= lx || 2 * y + 1 >= ly || 2 * z + 1 >= lz) return false;
        int first = 2 * x + lx * (2 * y + ly * 2 * z), plane = lx * ly;
        if (!(full[first] && full[first + 1] && full[first + lx] && full[first + lx + 1]
            && full[first + plane] && full[first + plane + 1] && full[first + plane + lx] && full[first + plane + lx + 1])) return false;
        double v = level.PlainCoupling;
        if (v == 0) return false;
        for (int s = 0; s < 8; s++)
            for (int axis = 0; axis < 3; axis++)
            {
                int t = s ^ (1 << axis); // the member across the group's middle along this axis: every pair from both sides
                double di = diagonal[members[s]], dj = diagonal[members[t]];
                if (!(v * v >= strength * strength * di * dj)) return false;
            }
        return true;
    }

    /// <summary>
    /// Couplings weaker than this share of sqrt(a_ii a_jj) do not join an aggregate: across a density jump or a nearly
    /// closed cut face the two sides' errors are not alike, so one coarse function over both serves neither. The unit
    /// operator's couplings are all at least 1/12 of that (a fine face, 1/6; a coarse one between pieces of blocks, more),
    /// so it is never weak there. Measured at 64^3 (docs/benchmarks.md): 0 (no test) gives two-phase 28 iterations, 0.05
    /// and 0.1 give 7, and 0.2, above the unit face's 1/6, aggregates nothing and takes 113.
    /// </summary>
    public const double StrongCoupling = 0.05;

    /// <summary>
    /// The share a voxel operator's face must reach to join its cells on the first level above them (<see cref="FromFaces"/>;
    /// <see cref="StrongCoupling"/> judges the levels above): between two full unit cells (diagonals 6) a face under 0.6
    /// open is a throat the aggregates do not straddle, while a unit face (1/6 of its cells' diagonals) stays strong.
    /// Measured (docs/benchmarks.md): a cut-cell rock (pores meeting through partly open faces) takes 6 / 8 / 13
    /// iterations at 32^3 / 64^3 / 128^3 with 0.05, and 6 / 7 / 8 with 0.1 and 0.15; the other per-face families take the
    /// same at 0.05 and 0.1 (two-phase 6 at 0.15). With line relaxation the faces across the lines are judged against
    /// diagonals capped for <see cref="StrongCoupling"/> (<see cref="LineAxis.DiagonalUpToFlat(VoxelOperator, double[], int)"/>),
    /// which keeps it: flat cells take 5 iterations at 0.1 where they take 4 at 0.05.
    /// </summary>
    public const double StrongFace = 0.1;

    /// <summary>
    /// A strong coupling under this share of the strongest coupling either of its rows has inside their group is a
    /// bottleneck, where a piece may split (<see cref="GroupPieces"/>). Measured on stacks of perforated plates, 32^3-128^3
    /// (docs/benchmarks.md): 0.3 and 0.45 split where all holes straddle blocks but not where some do not; 0.6 both;
    /// 0.75 and 1 fewer again. Settable for tests (0: no piece splits).
    /// </summary>
    internal static double BottleneckShare { get; set; } = 0.6;

    /// <summary>
    /// A piece of the first level above a voxel operator's cells whose Fiedler value (its faces against its cells'
    /// diagonals, <see cref="FiedlerSplit"/>) is under this share is cut. A 2x2x2 block of unit cells has 1/3; the cut-cell
    /// rocks' pieces that join two sides of a throat, under 0.2 (docs/benchmarks.md). Settable for tests (0: none cut).
    /// </summary>
    internal static double LooseCells { get; set; } = 0.2;

    /// <summary>
    /// <see cref="LooseCells"/> on the levels above: their rows' diagonals hold the couplings of whole aggregates, so a
    /// piece of them is cut under a lower share. Settable for tests (0: none cut).
    /// </summary>
    internal static double LooseRows { get; set; } = 0.1;

    /// <summary>
    /// A split stands only where each part's couplings across it sum to at most this share of those inside the part: a
    /// ladder's slices touch each other by half what they hold (a channel two cells across, not cut up to 0.45 at 64^3
    /// and 128^3); a plate whose faces are a share f open splits where f is at most this (porous plates: 0.3 left
    /// f = 0.35-0.4 at 10-11 iterations, 0.4 takes them to 7-8); at 0.2 few holes split (docs/benchmarks.md).
    /// </summary>
    internal static double SplitContact { get; set; } = 0.4;

    /// <summary>Groups of at most this many rows find a coupling's row among their members by a search of them (a few
    /// vector compares) instead of a level-long map of each row's group, read at random.</summary>
    static readonly int SmallGroup = Vector256.IsHardwareAccelerated ? 8 : 0;

    /// <summary>A group's first m members (at most 8) in one vector, -1 in the other lanes (a buffer of at least 8).</summary>
    static Vector256<int> Members(int[] members, int m) =>
        Vector256.ConditionalSelect(Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(m)), Vector256.Create<int>(members.AsSpan(0, 8)), Vector256.Create(-1));

    static int GroupSize(AggregateLevel level, int x, int y, int z)
    {
        var (lx, ly, lz) = level.Blocks;
        int m = 0;
        for (int s = 0; s < 8; s++)
        {
            int bx = 2 * x + (s & 1), by = 2 * y + (s >> 1 & 1), bz = 2 * z + (s >> 2);
            if (bx < lx && by < ly && bz < lz) m += level.BlockRows[bx + lx * (by + ly * bz)];
        }
        return m;
    }

    static int MaxRow(AggregateLevel level)
    {
        int max = 0;
        for (int i = 0; i < level.Rows; i++) max = Math.Max(max, level.RowStart[i + 1] - level.RowStart[i]);
        return max;
    }

    /// <summary>The rows of group (x, y, z) of a level: those of its (up to) 8 blocks, in block order; returns how many.</summary>
    static int GroupMembers(AggregateLevel level, int x, int y, int z, Span<int> members)
    {
        var (lx, ly, lz) = level.Blocks;
        int m = 0;
        for (int s = 0; s < 8; s++)
        {
            int bx = 2 * x + (s & 1), by = 2 * y + (s >> 1 & 1), bz = 2 * z + (s >> 2);
            if (bx >= lx || by >= ly || bz >= lz) continue;
            int b = bx + lx * (by + ly * bz), first = level.BlockFirstRow[b];
            for (int r = 0; r < level.BlockRows[b]; r++) members[m++] = first + r;
        }
        return m;
    }

    /// <summary>A deeper row: the rows of the level below in its group and piece, their diagonals and couplings.</summary>
    readonly struct CoarseRows(AggregateLevel level, int[] piece, int[] parent, int[] offset, int[] pieces) : IRowSource
    {
        /// <summary>The four faces' couplings summed as <see cref="Row"/> sums them (one appended, three added).</summary>
        public double PlainCoupling => level.PlainCoupling + level.PlainCoupling + level.PlainCoupling + level.PlainCoupling;
        public int PlainCouplings => 6;

        /// <summary>
        /// Group g (at x, y, z) of eight plain rows (<see cref="AggregateLevel.PlainBlocks"/>), one piece, among six
        /// groups of one piece each: each member's three couplings inside the group go to the diagonal, its other three
        /// to three neighbour groups, four faces each; summed in <see cref="Row"/>'s order, so the same bits.
        /// </summary>
        public bool Plain(int x, int y, int z, int g, out double d)
        {
            d = 0;
            var (lx, ly, lz) = level.Blocks;
            int gx = (lx + 1) / 2, gy = (ly + 1) / 2, gz = (lz + 1) / 2, plane = gx * gy;
            if (level.PlainBlocks is not { } plain || x == 0 || y == 0 || z == 0 || x == gx - 1 || y == gy - 1 || z == gz - 1) return false;
            // every neighbour group holds a row where our members are plain (each couples into it), so an OR of 1 is all ones
            if (pieces[g] != 1 || (pieces[g - 1] | pieces[g + 1] | pieces[g - gx] | pieces[g + gx] | pieces[g - plane] | pieces[g + plane]) != 1) return false;
            int first = 2 * x + lx * (2 * y + ly * 2 * z), blockPlane = lx * ly;
            double c = level.PlainCoupling;
            for (int s = 0; s < 8; s++)
            {
                int b = first + (s & 1) + lx * (s >> 1 & 1) + blockPlane * (s >> 2);
                if (!plain[b]) return false;
                d += level.Diagonal[level.BlockFirstRow[b]];
                d += c; d += c; d += c;
            }
            return true;
        }

        /// <summary>In the order <see cref="Row"/> meets them: -x, -y, -z from the first member, then +x, +y, +z.</summary>
        public void PlainColumns(int g, Span<int> columns) => LowSidesFirst(offset, g, (level.Blocks.X + 1) / 2, (level.Blocks.Y + 1) / 2, columns);

        public double Row(int x, int y, int z, int p, RowBuilder row)
        {
            var members = row.Members;
            var (rowStart, columns, values, diagonal) = (level.RowStart, level.Columns, level.Values, level.Diagonal);
            // a group's pieces come in order, with one builder (Assemble): its members are found for the first only
            int m = p == 0 ? row.MemberCount = GroupMembers(level, x, y, z, members) : row.MemberCount;
            bool small = m <= SmallGroup;
            var local = small ? Members(members, m) : default;
            double d = 0;
            for (int k = 0; k < m; k++)
            {
                int i = members[k];
                if (piece[i] != p) continue;
                d += diagonal[i];
                for (int e = rowStart[i], end = rowStart[i + 1]; e < end; e++)
                {
                    // a coupling inside the piece is the row's own (what row.Add returns for it): found among the members
                    // without reading its parent
                    int j = columns[e];
                    if (small && Vector256.EqualsAny(local, Vector256.Create(j)) && piece[j] == p) d += values[e];
                    else d += row.Add(parent[j], values[e]);
                }
            }
            return d;
        }
    }

    interface IRowSource
    {
        /// <summary>Row p of block (x, y, z): its couplings handed to <paramref name="row"/>; returns its diagonal before scaling.</summary>
        double Row(int x, int y, int z, int p, RowBuilder row);

        /// <summary>
        /// Whether block b (at x, y, z) is one row whose couplings are one <see cref="PlainCoupling"/> to each of its six
        /// neighbour blocks' one row (<see cref="PlainColumns"/>): then it is written straight into place, its
        /// <paramref name="d"/> the diagonal before scaling, and the level marks it plain.
        /// </summary>
        bool Plain(int x, int y, int z, int b, out double d);

        /// <summary>A plain row's every coupling before scaling.</summary>
        double PlainCoupling { get; }

        /// <summary>How many couplings a plain row has: six, or four on a grid one cell thick (<see cref="GridRows"/>).</summary>
        int PlainCouplings { get; }

        /// <summary>A plain row's columns, in the order <see cref="Row"/> would append them.</summary>
        void PlainColumns(int b, Span<int> columns);
    }

    /// <summary>
    /// One row's distinct couplings while it is assembled (a thread's buffers): in the order they first come, each
    /// found by its column's slot in a table as long as the level (-1: not in the row), so adding to a coupling costs the
    /// same however many the row has; <see cref="Start"/> clears the last row's slots.
    /// </summary>
    sealed class RowBuilder(int capacity, int columns)
    {
        public readonly int[] Columns = new int[capacity];
        public readonly double[] Values = new double[capacity];
        public readonly int[] Members = new int[Math.Max(8, capacity)];
        readonly int[] _at = Filled(columns);
        public int Count;
        public int Self;
        /// <summary>How many of <see cref="Members"/> a source filled for the block in progress (its own use).</summary>
        public int MemberCount;

        static int[] Filled(int columns)
        {
            var at = new int[columns];
            Array.Fill(at, -1);
            return at;
        }

        /// <summary>Starts row <paramref name="self"/>: the last row's couplings are forgotten.</summary>
        public void Start(int self)
        {
            for (int k = 0; k < Count; k++) _at[Columns[k]] = -1;
            Count = 0;
            Self = self;
        }

        /// <summary>Adds v to the coupling with aggregate c; returns v when c is the row itself (it goes on the diagonal), else 0.</summary>
        public double Add(int c, double v)
        {
            if (c == Self) return v;
            int at = _at[c];
            if (at < 0) { Append(c, v); return 0; }
            Values[at] += v;
            return 0;
        }

        /// <summary>A coupling with an aggregate not in the row yet (nor the row itself).</summary>
        public void Append(int c, double v)
        {
            _at[c] = Count;
            Columns[Count] = c;
            Values[Count++] = v;
        }
    }

    /// <summary>
    /// s P^T A P, row by row in parallel block planes: each plane's rows are assembled once into that plane's buffers,
    /// then, with every row's length known, copied into place (rows are colour-major, so a plane's rows are not contiguous);
    /// a plain row (<see cref="IRowSource.Plain"/>) is written into place only.
    /// </summary>
    /// <param name="fullBlocks">The blocks that are one full row (<see cref="AggregateLevel.FullBlocks"/>), when the source knows them.</param>
    static AggregateLevel Assemble<TRows>(int rows, int firstOdd, (int X, int Y, int Z) blocks, int[] offset, int[] pieces, double scale, int capacity,
        TRows source, bool[]? fullBlocks = null)
        where TRows : struct, IRowSource
    {
        var (bx, by, bz) = blocks;
        var diagonal = new double[rows];
        var rowStart = new int[rows + 1];
        var planes = new PlaneEntries[bz];
        var plain = source.PlainCoupling != 0 ? new bool[bx * by * bz] : null; // a source with plain rows (a grid's, and above them)
        // one row builder per worker thread: its column table is as long as the level
        Parallel.For(0, bz, () => new RowBuilder(capacity, rows), (z, _, row) =>
        {
            var entries = planes[z] = new PlaneEntries(6 * bx * by);
            for (int y = 0, b = bx * by * z; y < by; y++)
                for (int x = 0; x < bx; x++, b++)
                {
                    if (plain is not null && (plain[b] = source.Plain(x, y, z, b, out double d)))
                    {
                        diagonal[offset[b]] = scale * d;
                        rowStart[offset[b] + 1] = source.PlainCouplings;
                        continue;
                    }
                    for (int p = 0; p < pieces[b]; p++)
                    {
                        int a = offset[b] + p;
                        row.Start(a);
                        diagonal[a] = scale * source.Row(x, y, z, p, row);
                        rowStart[a + 1] = row.Count;
                        entries.Append(row.Columns.AsSpan(0, row.Count), row.Values.AsSpan(0, row.Count));
                    }
                }
            return row;
        }, _ => { });
        for (int a = 0; a < rows; a++) rowStart[a + 1] += rowStart[a];
        var allColumns = new int[rowStart[rows]];
        var allValues = new double[rowStart[rows]];
        Parallel.For(0, bz, z =>
        {
            var (columns, values) = (planes[z].Columns, planes[z].Values);
            int k = 0;
            double coupling = scale * source.PlainCoupling;
            for (int b = bx * by * z, end = b + bx * by; b < end; b++)
            {
                if (plain is not null && plain[b])
                {
                    int at = rowStart[offset[b]], count = source.PlainCouplings;
                    source.PlainColumns(b, allColumns.AsSpan(at, count));
                    allValues.AsSpan(at, count).Fill(coupling);
                    continue;
                }
                for (int p = 0; p < pieces[b]; p++)
                {
                    int a = offset[b] + p, count = rowStart[a + 1] - rowStart[a];
                    columns.AsSpan(k, count).CopyTo(allColumns.AsSpan(rowStart[a]));
                    for (int e = 0; e < count; e++) allValues[rowStart[a] + e] = scale * values[k + e];
                    k += count;
                }
            }
            planes[z].Return();
        });
        return new AggregateLevel(firstOdd, rowStart, allColumns, allValues, diagonal, blocks, offset, pieces, plain, scale * source.PlainCoupling, fullBlocks);
    }

    /// <summary>
    /// One plane's couplings while a level is assembled, in arrays rented from the shared pool and returned once copied
    /// into place: a set-up every time step would otherwise fault in fresh pages for them each time.
    /// </summary>
    sealed class PlaneEntries(int capacity)
    {
        public int[] Columns { get; private set; } = ArrayPool<int>.Shared.Rent(capacity);
        public double[] Values { get; private set; } = ArrayPool<double>.Shared.Rent(capacity);
        int _count;

        public void Append(ReadOnlySpan<int> columns, ReadOnlySpan<double> values)
        {
            if (_count + columns.Length > Columns.Length)
            {
                int size = Math.Max(2 * Columns.Length, _count + columns.Length);
                var (c, v) = (ArrayPool<int>.Shared.Rent(size), ArrayPool<double>.Shared.Rent(size));
                Columns.AsSpan(0, _count).CopyTo(c);
                Values.AsSpan(0, _count).CopyTo(v);
                Return();
                (Columns, Values) = (c, v);
            }
            columns.CopyTo(Columns.AsSpan(_count));
            values.CopyTo(Values.AsSpan(_count));
            _count += columns.Length;
        }

        public void Return()
        {
            ArrayPool<int>.Shared.Return(Columns);
            ArrayPool<double>.Shared.Return(Values);
        }
    }

    /// <summary>Each block's first row when the even blocks' pieces come first (in block order), then the odd blocks'.</summary>
    static (int[] Offset, int Rows, int FirstOdd) ColourMajorOffsets(int[] pieces, int cx, int cy, int cz)
    {
        var offset = new int[pieces.Length];
        int next = 0, firstOdd = 0;
        for (int colour = 0; colour < 2; colour++)
        {
            if (colour == 1) firstOdd = next;
            for (int z = 0; z < cz; z++)
                for (int y = 0; y < cy; y++)
                    for (int x = (colour + y + z) & 1, b = x + cx * (y + cy * z); x < cx; x += 2, b += 2)
                    {
                        offset[b] = next;
                        next += pieces[b];
                    }
        }
        return (offset, next, firstOdd);
    }
}
