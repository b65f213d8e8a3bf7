namespace Dcdm.Multigrid;

/// <summary>
/// A coarse level of <see cref="AggregateMultigrid"/>: each row an aggregate of the level below, namely one connected
/// piece of a 2x2x2 block of it (a block split by a wall gives two rows, so no coarse function straddles a plate), with
/// the Galerkin operator P^T A P of the piecewise-constant P: the sum of the couplings between the aggregates' members.
/// Couplings between blocks run only between face-adjacent ones, so rows are ordered by block colour ((x + y + z) % 2:
/// rows below <see cref="FirstOdd"/> are in even blocks) and each colour relaxes in parallel, a block's rows on one thread
/// in order: two pieces of one block are coupled where a weak coupling kept them apart (a density jump, a nearly closed
/// face). CSR holds the off-diagonal couplings.
/// </summary>
internal sealed class AggregateLevel
{
    /// <summary>Rows below this index are in even blocks, the rest in odd ones.</summary>
    public int FirstOdd { get; }
    public int[] RowStart { get; }
    public int[] Columns { get; }
    public double[] Values { get; }
    public double[] Diagonal { get; }
    /// <summary>This level's block grid: block b = x + X (y + Y z) holds rows <see cref="BlockFirstRow"/>[b] onwards,
    /// <see cref="BlockRows"/>[b] of them (its pieces), contiguous.</summary>
    public (int X, int Y, int Z) Blocks { get; }
    public int[] BlockFirstRow { get; }
    public int[] BlockRows { get; }
    public int Rows => Diagonal.Length;
    /// <summary>
    /// Per block: whether it is one plain row, coupled by <see cref="PlainCoupling"/> to each of its six neighbour blocks'
    /// one row and to nothing else (a grid's interior, where the next level can take a group of eight such rows without
    /// summing them entry by entry); null when none is known.
    /// </summary>
    public bool[]? PlainBlocks { get; private set; }
    /// <summary>
    /// Per block: whether it is one row of a full block with P's entry 1 on every cell (a grid's first level), so its
    /// coupling to each neighbour block that is full too is <see cref="PlainCoupling"/> whatever lies around them (a wall,
    /// the grid's edge, an obstacle): the next level judges a group of eight such rows from their diagonals alone. Every
    /// plain block is full; null when none is known (then <see cref="PlainBlocks"/> serve).
    /// </summary>
    public bool[]? FullBlocks { get; private set; }
    /// <summary>Every coupling of a plain row.</summary>
    public double PlainCoupling { get; }
    double[]? _inverseDiagonal;

    /// <summary>Below this many rows a kernel runs on the calling thread. A colour of 2,048 rows or more runs in chunks of at
    /// least <see cref="ChunkRows"/>: a network's deep levels (carved rock, tunnels, chambers: levels of 3,000-10,000 rows,
    /// visited 4-15 times a K-cycle) relaxed one colour on one thread where it held under 8,192 rows, and the solves' medians
    /// took 1.05x-1.2x as long at 128^3 (1.5x on the carved rock at 64^3); grids and per-face operators the same within the
    /// VM's spread, 1,024 rows no better (docs/benchmarks.md, "Coarse colours in parallel from 2,048 rows").</summary>
    const int ParallelRows = 1 << 11;
    /// <summary>A parallel chunk's rows at least.</summary>
    const int ChunkRows = 1 << 10;

    public AggregateLevel(int firstOdd, int[] rowStart, int[] columns, double[] values, double[] diagonal,
        (int X, int Y, int Z) blocks, int[] blockFirstRow, int[] blockRows, bool[]? plainBlocks = null, double plainCoupling = 0, bool[]? fullBlocks = null)
    {
        (FirstOdd, RowStart, Columns, Values, Diagonal) = (firstOdd, rowStart, columns, values, diagonal);
        (Blocks, BlockFirstRow, BlockRows) = (blocks, blockFirstRow, blockRows);
        (PlainBlocks, PlainCoupling, FullBlocks) = (plainBlocks, plainCoupling, fullBlocks);
    }

    /// <summary>Forgets which blocks are plain and full: their values were changed after the level was made.</summary>
    public void ForgetPlainBlocks() => (PlainBlocks, FullBlocks) = (null, null);

    /// <summary>
    /// 1 / the diagonal, 0 where it is not positive (such a row's unknown stays 0): made once the level's values are
    /// final (a first level shaped next to air changes its diagonal after it is made), by the CPU cycle's set-up
    /// (<see cref="AggregateMultigrid"/>; the device sweeps its own copy), else at a level's first sweep.
    /// </summary>
    public double[] InverseDiagonal => _inverseDiagonal ??= Inverse(Diagonal);

    /// <summary>
    /// The rows that start a block (its first piece), ascending, then <see cref="Rows"/>: a block's rows run from one to
    /// the next, and the even blocks' come before <see cref="FirstOdd"/>. Pieces of one block may be coupled (weak
    /// couplings do not join an aggregate), so a sweep relaxes a block's rows in order on one thread (here and on a device).
    /// </summary>
    internal int[] BlockStarts => _blockStarts ??= StartsOfBlocks();
    int[]? _blockStarts;

    int[] StartsOfBlocks()
    {
        var first = new bool[Rows];
        int count = 0;
        for (int b = 0; b < BlockRows.Length; b++)
            if (BlockRows[b] > 0) { first[BlockFirstRow[b]] = true; count++; }
        var starts = new int[count + 1];
        for (int row = 0, k = 0; row < Rows; row++) if (first[row]) starts[k++] = row;
        starts[count] = Rows;
        return starts;
    }

    /// <summary>
    /// Each colour's rows in parallel chunks that start at blocks (made at the first sweep): a chunk bound between two
    /// coupled pieces of a block would relax one with the other's old or new value as the threads happen to run, and the
    /// cycle would differ from call to call.
    /// </summary>
    internal int[][] ColourChunks => _colourChunks ??= [Chunks(0, FirstOdd), Chunks(FirstOdd, Rows)];
    int[][]? _colourChunks;

    /// <summary><see cref="ForRows"/>'s chunks of rows from..to-1, each bound moved on to the next block's first row.</summary>
    int[] Chunks(int from, int to)
    {
        int n = to - from;
        int chunks = ChunkCount(n);
        var starts = BlockStarts;
        var bounds = new List<int> { from };
        for (int c = 1; c < chunks; c++)
        {
            int k = Array.BinarySearch(starts, from + (int)((long)n * c / chunks));
            int row = starts[k >= 0 ? k : ~k]; // the first block to start there or after
            if (row > bounds[^1] && row < to) bounds.Add(row);
        }
        bounds.Add(to);
        return [.. bounds];
    }

    static double[] Inverse(double[] diagonal)
    {
        var inverse = new double[diagonal.Length];
        ForRows(0, diagonal.Length, (from, to) =>
        {
            for (int i = from; i < to; i++) inverse[i] = diagonal[i] > 0 ? 1 / diagonal[i] : 0;
        });
        return inverse;
    }

    /// <summary>How many parallel chunks n rows run in: 1 below <see cref="ParallelRows"/>, else up to four per core.</summary>
    static int ChunkCount(int n) => n < ParallelRows ? 1 : Math.Min(4 * Environment.ProcessorCount, n / ChunkRows);

    static void ForRows(int from, int to, Action<int, int> body)
    {
        int n = to - from;
        int chunks = ChunkCount(n);
        if (chunks == 1) { body(from, to); return; }
        Parallel.For(0, chunks, c => body(from + (int)((long)n * c / chunks), from + (int)((long)n * (c + 1) / chunks)));
    }

    /// <summary>The kernels below read and write through pointers (no bounds checks in the rows' inner loops; the level's
    /// own arrays are consistent by construction): each vector must hold a value per row.</summary>
    void CheckLengths(double[] a, double[] b, double[]? c = null)
    {
        if (a.Length < Rows || b.Length < Rows || c is not null && c.Length < Rows)
            throw new ArgumentException($"a coarse level of {Rows} rows was given vectors of {a.Length}, {b.Length}{(c is null ? "" : $", {c.Length}")} entries");
    }

    /// <summary>y = A x.</summary>
    public unsafe void Multiply(double[] x, double[] y)
    {
        CheckLengths(x, y);
        ForRows(0, Rows, (from, to) =>
        {
            fixed (int* start = RowStart, columns = Columns)
            fixed (double* values = Values, diagonal = Diagonal, input = x, output = y)
                for (int i = from; i < to; i++)
                {
                    double s = diagonal[i] * input[i];
                    for (int k = start[i], end = start[i + 1]; k < end; k++) s += values[k] * input[columns[k]];
                    output[i] = s;
                }
        });
    }

    /// <summary>r = b - A x.</summary>
    public unsafe void Residual(double[] b, double[] x, double[] r)
    {
        CheckLengths(b, x, r);
        ForRows(0, Rows, (from, to) =>
        {
            fixed (int* start = RowStart, columns = Columns)
            fixed (double* values = Values, diagonal = Diagonal, rhs = b, input = x, output = r)
                for (int i = from; i < to; i++)
                {
                    double s = rhs[i] - diagonal[i] * input[i];
                    for (int k = start[i], end = start[i + 1]; k < end; k++) s -= values[k] * input[columns[k]];
                    output[i] = s;
                }
        });
    }

    /// <summary>
    /// Gauss-Seidel on the rows of one colour (0: even blocks), in place: a row's couplings are of the other colour or of
    /// its own block, whose rows come before or after it on the same thread (<see cref="ColourChunks"/>).
    /// Each row multiplies by its inverse diagonal instead of dividing: that and the pointers took up to 30% off DCDM's solves
    /// at 128^3 (docs/benchmarks.md, "Coarse sweeps without a division").
    /// </summary>
    public unsafe void GaussSeidelColour(double[] b, double[] x, int colour)
    {
        CheckLengths(b, x);
        var inverseDiagonal = InverseDiagonal;
        var bounds = ColourChunks[colour];
        void Chunk(int lo, int hi)
        {
            fixed (int* start = RowStart, columns = Columns)
            fixed (double* values = Values, inverse = inverseDiagonal, rhs = b, solution = x)
                for (int i = lo; i < hi; i++)
                {
                    double s = rhs[i];
                    for (int k = start[i], end = start[i + 1]; k < end; k++) s -= values[k] * solution[columns[k]];
                    solution[i] = s * inverse[i];
                }
        }
        if (bounds.Length == 2) Chunk(bounds[0], bounds[1]);
        else Parallel.For(0, bounds.Length - 1, c => Chunk(bounds[c], bounds[c + 1]));
    }
}
