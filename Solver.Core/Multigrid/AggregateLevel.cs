namespace Dcdm.Multigrid;

/// <summary>
/// A coarse level of <see cref="AggregateMultigrid"/>: each row an aggregate of the level below, namely one connected
/// piece of a 2x2x2 block of it (a block split by a wall gives two rows, so no coarse function straddles a plate), with
/// the Galerkin operator P^T A P of the piecewise-constant P: the sum of the couplings between the aggregates' members.
/// Couplings run only between face-adjacent blocks, so rows are ordered by block colour ((x + y + z) % 2: rows below
/// <see cref="FirstOdd"/> are in even blocks) and each colour relaxes in parallel. CSR holds the off-diagonal couplings.
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

    /// <summary>Below this many rows a kernel runs on the calling thread.</summary>
    const int ParallelRows = 1 << 14;

    public AggregateLevel(int firstOdd, int[] rowStart, int[] columns, double[] values, double[] diagonal,
        (int X, int Y, int Z) blocks, int[] blockFirstRow, int[] blockRows)
    {
        (FirstOdd, RowStart, Columns, Values, Diagonal) = (firstOdd, rowStart, columns, values, diagonal);
        (Blocks, BlockFirstRow, BlockRows) = (blocks, blockFirstRow, blockRows);
    }

    static void ForRows(int from, int to, Action<int, int> body)
    {
        int n = to - from;
        if (n < ParallelRows) { body(from, to); return; }
        int chunks = Math.Min(4 * Environment.ProcessorCount, n / 4096);
        Parallel.For(0, chunks, c => body(from + (int)((long)n * c / chunks), from + (int)((long)n * (c + 1) / chunks)));
    }

    /// <summary>y = A x.</summary>
    public void Multiply(double[] x, double[] y) => ForRows(0, Rows, (from, to) =>
    {
        for (int i = from; i < to; i++)
        {
            double s = Diagonal[i] * x[i];
            for (int k = RowStart[i]; k < RowStart[i + 1]; k++) s += Values[k] * x[Columns[k]];
            y[i] = s;
        }
    });

    /// <summary>r = b - A x.</summary>
    public void Residual(double[] b, double[] x, double[] r) => ForRows(0, Rows, (from, to) =>
    {
        for (int i = from; i < to; i++)
        {
            double s = b[i] - Diagonal[i] * x[i];
            for (int k = RowStart[i]; k < RowStart[i + 1]; k++) s -= Values[k] * x[Columns[k]];
            r[i] = s;
        }
    });

    /// <summary>Gauss-Seidel on the rows of one colour (0: even blocks), in place; a row's couplings are all of the other colour.</summary>
    public void GaussSeidelColour(double[] b, double[] x, int colour)
    {
        int from = colour == 0 ? 0 : FirstOdd, to = colour == 0 ? FirstOdd : Rows;
        ForRows(from, to, (lo, hi) =>
        {
            for (int i = lo; i < hi; i++)
            {
                double d = Diagonal[i];
                if (d <= 0) { x[i] = 0; continue; }
                double s = b[i];
                for (int k = RowStart[i]; k < RowStart[i + 1]; k++) s -= Values[k] * x[Columns[k]];
                x[i] = s / d;
            }
        });
    }
}
