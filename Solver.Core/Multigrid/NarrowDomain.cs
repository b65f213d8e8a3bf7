using Dcdm.Poisson;

namespace Dcdm.Multigrid;

/// <summary>
/// A voxel domain whose unknowns form a narrow graph (a channel or pipe one or two cells across, however long) is solved
/// by its sparse factor (<see cref="SemidefiniteCholesky"/>, reverse Cuthill-McKee order): its slowest modes run its
/// whole length, which levels halve once a level, so a cycle leaves several iterations where the factor is exact.
/// Probed first, so a 3D domain is declined within a few hundred cells, before anything the size of the unknowns is made.
/// </summary>
internal static class NarrowDomain
{
    /// <summary>Envelope entries a row at most (a channel two cells square has 4.3, three cells square 10.7). Settable
    /// for tests of the levels such domains would have (0: never factored).</summary>
    internal static int EntriesPerRow { get; set; } = 8;
    /// <summary>The factorisation's multiply-adds a row at most (an envelope w wide costs about w^2 / 2 a row).</summary>
    static long WorkPerRow => 4L * EntriesPerRow;
    /// <summary>The widest search level taken. A search from inside a channel, or past a junction, runs on two or three
    /// fronts, so the budgets above decide; this stops a search in a 3D region within three or four levels.</summary>
    static int Widest => 4 * EntriesPerRow;
    /// <summary>Probes, from unknowns spread over the grid, and the cells each probe's search takes at most: many small
    /// ones, so a wide region is likely met before the searches over the whole domain.</summary>
    const int Probes = 16, ProbeCells = 1024;

    /// <summary>
    /// The factor of a grid's unknowns' operator (the unit 7-point operator: -1 between face neighbours that are both
    /// unknowns, the cell's diagonal; rows in the order of <paramref name="unknownCells"/>), or null where the unknowns
    /// are too few to need it or their graph is not narrow.
    /// </summary>
    /// <param name="unknownCells">The grid cell of each unknown, ascending (the cells with a diagonal).</param>
    public static SemidefiniteCholesky? Factor(PoissonGrid grid, int[] unknownCells)
    {
        var diagonal = grid.Diagonal;
        return Factor(grid.Nx, grid.Ny, grid.Nz, unknownCells, cell => diagonal[cell], faces: null);
    }

    /// <summary>
    /// The factor of a voxel operator's unknowns (-the face's coefficient between face neighbours that are both unknowns,
    /// the cell's diagonal; rows in the order of <paramref name="unknownCells"/>), or null as for a grid.
    /// </summary>
    /// <param name="diagonal">The operator's diagonal per cell (<see cref="CellLevel.DiagonalOf"/>).</param>
    public static SemidefiniteCholesky? Factor(VoxelOperator op, int[] unknownCells, double[] diagonal) =>
        Factor(op.Nx, op.Ny, op.Nz, unknownCells, cell => diagonal[cell], op);

    /// <param name="diagonalOf">A cell's diagonal: an unknown's is positive.</param>
    static SemidefiniteCholesky? Factor(int nx, int ny, int nz, int[] unknownCells, Func<int, double> diagonalOf, VoxelOperator? faces)
    {
        int n = unknownCells.Length;
        if (n <= AggregateMultigrid.CoarsestRows || EntriesPerRow <= 0) return null; // the hierarchy's coarsest level is factored anyway
        for (int p = 0; p < Probes; p++)
            if (!NarrowAround(nx, ny, nz, diagonalOf, unknownCells[(int)((long)p * n / Probes)])) return null;
        // after the probes, which decline a 3D domain in a few hundred cells, not a pass over all of them
        for (int k = 1; k < n; k++) if (unknownCells[k] <= unknownCells[k - 1]) return null; // the pairing walks them ascending
        var neighbours = new Neighbours(nx, ny, unknownCells, faces);
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
                    l[at + place[j]] = faces is null ? -1 : -faces.FaceCoefficient(cell, side);
        }
        return SemidefiniteCholesky.FromEnvelope(order, first, start, l, d);
    }

    /// <summary>
    /// Each unknown's coupled face neighbours, six slots an unknown (-z, -y, -x, +x, +y, +z, as <see cref="VoxelOperator.FaceCoefficient"/>; -1: none or a closed face),
    /// so the searches and the envelope's passes read one line an unknown. Paired by walking the ascending cells against
    /// themselves shifted by each stride: memory for the unknowns only, none for the grid.
    /// </summary>
    readonly struct Neighbours
    {
        readonly int[] _slots;

        public Neighbours(int nx, int ny, int[] unknownCells, VoxelOperator? faces)
        {
            int n = unknownCells.Length, plane = nx * ny;
            var slots = new int[6 * n];
            Array.Fill(slots, -1);
            Pair(1, side: 2, cell => cell % nx != nx - 1);
            Pair(nx, side: 1, cell => cell / nx % ny != ny - 1);
            Pair(plane, side: 0, _ => true);
            _slots = slots;

            // unknowns k and j = k's cell + stride, where the face between them is inside the grid (and open)
            void Pair(int stride, int side, Func<int, bool> inside)
            {
                for (int k = 0, j = 0; k < n; k++)
                {
                    int cell = unknownCells[k], target = cell + stride;
                    while (j < n && unknownCells[j] < target) j++;
                    if (j == n) break;
                    if (unknownCells[j] != target || !inside(cell) || faces is not null && faces.FaceCoefficient(cell, 5 - side) == 0) continue;
                    slots[6 * k + 5 - side] = j; // k's + side
                    slots[6 * j + side] = k; // j's - side
                }
            }
        }

        /// <summary>The unknown across a side of unknown <paramref name="k"/>, -1: none.</summary>
        public int Across(int k, int side) => _slots[6 * k + side];
    }

    /// <summary>
    /// Whether a breadth-first search from <paramref name="seed"/> keeps every level at most <see cref="Widest"/> wide for
    /// its component or <see cref="ProbeCells"/> cells, its widths weighted by their cells (the envelope a row of them
    /// gets) averaging at most twice <see cref="EntriesPerRow"/> (from inside a channel it runs on two fronts). It reads
    /// cells, not faces: a voxel operator's closed face only makes it wider, so it never accepts wrongly.
    /// </summary>
    static bool NarrowAround(int nx, int ny, int nz, Func<int, double> diagonalOf, int seed)
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
            if (diagonalOf(j) > 0 && taken.Add(j)) queue.Add(j);
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
