using Dcdm.Poisson;

namespace Dcdm.Multigrid;

/// <summary>
/// A voxel domain whose unknowns form a narrow graph (a channel or a pipe one or two cells across, however long) is
/// solved by its sparse factor (<see cref="SemidefiniteCholesky"/>, in the reverse Cuthill-McKee order): its slowest
/// modes run its whole length, which multigrid's levels halve once a level, so a cycle leaves several iterations where
/// the factor, at most <see cref="EntriesPerRow"/> entries a row, solves it exactly for about the reads of two sweeps.
/// Probes first, a few breadth-first searches of at most <see cref="ProbeCells"/> cells each, so a 3D domain is declined
/// within a few hundred cells, before anything the size of the grid is made.
/// </summary>
internal static class NarrowDomain
{
    /// <summary>Envelope entries a row at most (a channel two cells square has about 4.3, three cells square about 9).
    /// Settable for tests of the levels such domains would have (0: never factored).</summary>
    internal static int EntriesPerRow { get; set; } = 8;
    /// <summary>The factorisation's multiply-adds a row at most (an envelope w wide costs about w^2 / 2 a row).</summary>
    static long WorkPerRow => 4L * EntriesPerRow;
    /// <summary>The widest search level taken: a level w wide puts about w entries in the envelope of each of its rows, but a
    /// search from the middle of a channel, or past a junction of its branches, runs on two or three fronts at once, so the
    /// envelope's budget decides, and this only stops a search in a 3D region early (within three or four levels).</summary>
    static int Widest => 4 * EntriesPerRow;
    /// <summary>Cells each probe's search takes at most, and how many probes, from unknowns spread over the grid.</summary>
    const int ProbeCells = 4096, Probes = 4;

    /// <summary>
    /// The factor of a grid's unknowns' operator (the unit 7-point operator: -1 between face neighbours that are both
    /// unknowns, the cell's diagonal; rows in the order of <paramref name="unknownCells"/>), or null where the unknowns
    /// are too few to need it or their graph is not narrow.
    /// </summary>
    /// <param name="unknownCells">The grid cell of each unknown, ascending (the cells with a diagonal).</param>
    public static SemidefiniteCholesky? Factor(PoissonGrid grid, int[] unknownCells)
    {
        var diagonal = grid.Diagonal;
        return Factor(grid.Nx, grid.Ny, grid.Nz, unknownCells, cell => diagonal[cell] > 0, cell => diagonal[cell], faces: null);
    }

    /// <summary>
    /// The factor of a voxel operator's unknowns (-the face's coefficient between face neighbours that are both unknowns,
    /// the cell's diagonal; rows in the order of <paramref name="unknownCells"/>), or null as for a grid.
    /// </summary>
    /// <param name="diagonal">The operator's diagonal per cell (<see cref="CellLevel.DiagonalOf"/>).</param>
    public static SemidefiniteCholesky? Factor(VoxelOperator op, int[] unknownCells, double[] diagonal) =>
        Factor(op.Nx, op.Ny, op.Nz, unknownCells, cell => diagonal[cell] > 0, cell => diagonal[cell], op);

    static SemidefiniteCholesky? Factor(int nx, int ny, int nz, int[] unknownCells, Func<int, bool> isUnknown,
        Func<int, double> diagonalOf, VoxelOperator? faces)
    {
        int n = unknownCells.Length;
        if (n <= AggregateMultigrid.CoarsestRows || EntriesPerRow <= 0) return null; // the hierarchy's coarsest level is factored anyway
        for (int p = 0; p < Probes; p++)
            if (!NarrowAround(nx, ny, nz, isUnknown, unknownCells[(int)((long)p * n / Probes)])) return null;
        var neighbours = new Neighbours(nx, ny, nz, unknownCells, faces);
        // the Cuthill-McKee order with each place's neighbour placed last, reversed: row k's envelope runs from its
        // neighbour placed first to itself
        var place = new int[n];
        var last = new int[n];
        if (CuthillMcKee(neighbours, place, last) is not { } order) return null;
        Array.Reverse(order);
        var first = new int[n];
        var start = new int[n + 1];
        long work = 0;
        for (int k = 0; k < n; k++)
        {
            place[order[k]] = k;
            first[k] = n - 1 - last[n - 1 - k];
            long width = k - first[k];
            work += width * (width + 1) / 2;
            if (start[k] + width > (long)EntriesPerRow * n || work > WorkPerRow * n) return null;
            start[k + 1] = start[k] + (int)width;
        }
        var l = new double[start[n]];
        var d = new double[n];
        for (int k = 0; k < n; k++)
        {
            int unknown = order[k], cell = unknownCells[unknown], at = start[k] - first[k];
            d[k] = diagonalOf(cell);
            for (int side = 0; side < 6; side++)
                if (neighbours.Across(unknown, side) is var j and >= 0 && place[j] < k)
                    l[at + place[j]] = faces is null ? -1 : -Coefficient(faces, cell, side);
        }
        return SemidefiniteCholesky.FromEnvelope(order, first, start, l, d);
    }

    /// <summary>The coefficient of the cell's face on a side (<see cref="Neighbours"/>' order: -z, -y, -x, +x, +y, +z).</summary>
    static double Coefficient(VoxelOperator op, int cell, int side) => side switch
    {
        0 => op.FaceZ[cell - op.Nx * op.Ny],
        1 => op.FaceY[cell - op.Nx],
        2 => op.FaceX[cell - 1],
        3 => op.FaceX[cell],
        4 => op.FaceY[cell],
        _ => op.FaceZ[cell],
    };

    /// <summary>
    /// Each unknown's coupled face neighbours, six slots an unknown (-z, -y, -x, +x, +y, +z; -1: none or a closed face),
    /// so the searches and the envelope's passes read one line an unknown where the grid would cost six. Made in the
    /// unknowns' order from a map of the grid padded by a layer of cells that are no unknown, so no neighbour needs a
    /// test for the grid's bounds.
    /// </summary>
    readonly struct Neighbours
    {
        readonly int[] _slots;

        public Neighbours(int nx, int ny, int nz, int[] unknownCells, VoxelOperator? faces)
        {
            int plane = nx * ny, n = unknownCells.Length, row = nx + 2, padded = (nx + 2) * (ny + 2);
            var unknown = new int[padded * (nz + 2)]; // each padded cell's unknown, -1: none
            Array.Fill(unknown, -1);
            var at = new int[n];
            for (int k = 0; k < n; k++)
            {
                int cell = unknownCells[k], z = cell / plane, y = (cell - z * plane) / nx, x = cell - z * plane - y * nx;
                unknown[at[k] = (x + 1) + row * (y + 1) + padded * (z + 1)] = k;
            }
            _slots = new int[6 * n];
            for (int k = 0; k < n; k++)
            {
                int a = at[k], s = 6 * k;
                _slots[s] = unknown[a - padded];
                _slots[s + 1] = unknown[a - row];
                _slots[s + 2] = unknown[a - 1];
                _slots[s + 3] = unknown[a + 1];
                _slots[s + 4] = unknown[a + row];
                _slots[s + 5] = unknown[a + padded];
                if (faces is null) continue;
                for (int side = 0; side < 6; side++)
                    if (_slots[s + side] >= 0 && Coefficient(faces, unknownCells[k], side) == 0) _slots[s + side] = -1;
            }
        }

        /// <summary>The unknown across a side of unknown <paramref name="k"/>, -1: none.</summary>
        public int Across(int k, int side) => _slots[6 * k + side];
    }

    /// <summary>
    /// Whether a breadth-first search from <paramref name="seed"/> over unknowns keeps every level at most
    /// <see cref="Widest"/> cells wide until its component or <see cref="ProbeCells"/> cells are taken, and its levels'
    /// widths, weighted by their cells (the envelope a row of them would get), average at most twice
    /// <see cref="EntriesPerRow"/>: a search from inside a channel runs on two fronts (a channel two cells square about
    /// 8, three cells square about 18).
    /// </summary>
    static bool NarrowAround(int nx, int ny, int nz, Func<int, bool> isUnknown, int seed)
    {
        int plane = nx * ny;
        var taken = new HashSet<int> { seed };
        var queue = new List<int> { seed };
        int head = 0;
        long squares = 0;
        while (head < queue.Count && queue.Count < ProbeCells)
        {
            int end = queue.Count;
            if (end - head > Widest) return false;
            squares += (long)(end - head) * (end - head);
            for (; head < end; head++)
            {
                int i = queue[head], z = i / plane, y = (i - z * plane) / nx, x = i - z * plane - y * nx;
                if (x > 0) Take(i - 1);
                if (x < nx - 1) Take(i + 1);
                if (y > 0) Take(i - nx);
                if (y < ny - 1) Take(i + nx);
                if (z > 0) Take(i - plane);
                if (z < nz - 1) Take(i + plane);
            }
        }
        return squares <= 2L * EntriesPerRow * head;

        void Take(int j)
        {
            if (isUnknown(j) && taken.Add(j)) queue.Add(j);
        }
    }

    /// <summary>
    /// The unknowns in the Cuthill-McKee order (breadth-first, each component from the far end of a search from its first
    /// unknown, so a channel is ordered from one end to the other); null at a search level wider than <see cref="Widest"/>.
    /// </summary>
    /// <param name="place">Filled with each unknown's place in the order.</param>
    /// <param name="last">Filled with the place of each place's neighbour placed last (itself where none is later).</param>
    static int[]? CuthillMcKee(Neighbours neighbours, int[] place, int[] last)
    {
        int n = place.Length;
        var order = new int[n];
        var seen = new int[n]; // the search that last took an unknown: 1 the far end's, 2 the order's, 0 none
        int placed = 0;
        for (int seed = 0; seed < n; seed++)
        {
            if (seen[seed] == 2) continue;
            // the far end: the last unknown a search from the seed takes (queued in the order's free tail, then overwritten)
            int end = Search(neighbours, order, seen, seed, 1, placed, place, null);
            if (end < 0 || Search(neighbours, order, seen, order[end - 1], 2, placed, place, last) < 0) return null;
            placed = end;
        }
        return order;
    }

    /// <summary>A breadth-first search from <paramref name="start"/>, marking what it takes with <paramref name="mark"/> and
    /// queueing it in order[from..] (its place); the queue's end, or -1 at a level wider than <see cref="Widest"/>. With
    /// <paramref name="last"/>, each place's neighbour placed last, known once its row is searched.</summary>
    static int Search(Neighbours neighbours, int[] order, int[] seen, int start, int mark, int from, int[] place, int[]? last)
    {
        int head = from, tail = from;
        place[start] = tail;
        order[tail++] = start;
        seen[start] = mark;
        while (head < tail)
        {
            int levelEnd = tail;
            if (levelEnd - head > Widest) return -1;
            for (; head < levelEnd; head++)
            {
                int latest = head;
                for (int side = 0; side < 6; side++)
                {
                    int j = neighbours.Across(order[head], side);
                    if (j < 0) continue;
                    if (seen[j] != mark) { seen[j] = mark; place[j] = tail; order[tail++] = j; }
                    latest = Math.Max(latest, place[j]);
                }
                if (last is not null) last[head] = latest;
            }
        }
        return tail;
    }
}
