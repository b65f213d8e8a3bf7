using System.Globalization;

namespace Dcdm.Multigrid;

/// <summary>
/// P A P^T = L D L^T of a sparse symmetric positive semi-definite level, P a minimum-degree order: each step eliminates
/// a row with the fewest couplings left, whose neighbours then couple to each other (the only entries L can fill). A
/// network of passages (chains, trees, loops of pores) fills little this way, where the envelope of a bandwidth order
/// (<see cref="SemidefiniteCholesky"/>) holds a whole cross-section of the network per row: the carved rock's first
/// coarse level (99,033 rows, 3.8 couplings a row) holds 1.25 entries a coupling here. L is kept by columns. A pivot
/// that falls to round-off (1e-10 of its row's diagonal) is 0, its unknown fixed at 0, as in <see cref="SemidefiniteCholesky"/>:
/// a component with no Dirichlet cell loses one pivot, so a consistent right-hand side is solved exactly.
/// </summary>
internal sealed class MinimumDegreeCholesky : ILevelFactor
{
    readonly int[] _order; // _order[k]: the level's row at place k
    readonly int[] _start; // column k's entries at [_start[k], _start[k + 1])
    readonly int[] _below; // their places, ascending, each after k
    readonly double[] _l, _d;
    readonly double[] _y; // a solve's work vector, in the factor's order

    MinimumDegreeCholesky(int[] order, int[] start, int[] below, double[] l, double[] d) =>
        (_order, _start, _below, _l, _d, _y) = (order, start, below, l, d, new double[d.Length]);

    public long Entries => _start[^1];

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Entries} entries in a minimum-degree order");

    /// <summary>
    /// The factor of <paramref name="level"/>, or null as soon as its order would give L more than
    /// <paramref name="maxEntries"/> entries off the diagonal (the order stops there, so a level that fills much is
    /// declined for about what its first eliminations cost).
    /// </summary>
    public static MinimumDegreeCholesky? Factor(AggregateLevel level, long maxEntries)
    {
        if (Order(level, maxEntries) is not var (order, start, below)) return null;
        int n = level.Rows;
        var place = new int[n];
        for (int k = 0; k < n; k++) place[order[k]] = k;
        for (int k = 0; k < n; k++)
        {
            var column = below.AsSpan(start[k], start[k + 1] - start[k]);
            for (int q = 0; q < column.Length; q++) column[q] = place[column[q]];
            column.Sort();
        }
        var l = new double[start[n]];
        var d = new double[n];
        var diagonal = new double[n];
        for (int k = 0; k < n; k++) // each coupling into the column of its row placed first
        {
            int i = order[k];
            d[k] = diagonal[k] = level.Diagonal[i];
            var column = below.AsSpan(start[k], start[k + 1] - start[k]);
            for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
            {
                int j = place[level.Columns[e]];
                if (j > k && level.Values[e] != 0) l[start[k] + column.BinarySearch(j)] += level.Values[e];
            }
        }
        Decompose(start, below, l, d, diagonal);
        return new MinimumDegreeCholesky(order, start, below, l, d);
    }

    /// <summary>
    /// In place, a column at a time: L_ik = a_ik / D_k over column k, then each later pair (i, j) of the column takes
    /// L_ik D_k L_jk off a_ji (column i holds every such j: eliminating k coupled them) and each i takes L_ik^2 D_k off
    /// a_ii. A D_k below 1e-10 of a_kk is a zero pivot: its column is 0.
    /// </summary>
    static void Decompose(int[] start, int[] below, double[] l, double[] d, double[] diagonal)
    {
        int n = d.Length;
        for (int k = 0; k < n; k++)
        {
            int first = start[k], end = start[k + 1];
            double dk = d[k];
            if (!(dk > 1e-10 * Math.Abs(diagonal[k])))
            {
                d[k] = 0;
                Array.Clear(l, first, end - first);
                continue;
            }
            for (int q = first; q < end; q++) l[q] /= dk;
            for (int q = first; q < end; q++)
            {
                int i = below[q];
                double t = l[q] * dk;
                d[i] -= t * l[q];
                // column i lists the column's later rows in the same ascending order, among others: one walk down it
                for (int r = q + 1, p = start[i]; r < end; r++)
                {
                    int j = below[r];
                    while (below[p] != j) p++;
                    l[p] -= t * l[r];
                }
            }
        }
    }

    /// <summary>x = A^+ b for b in the range of A (L y = P b, y /= D, L^T z = y, x = P^T z; a zero pivot's unknown is 0).</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        int n = _d.Length;
        var y = _y;
        for (int k = 0; k < n; k++) y[k] = b[_order[k]];
        for (int k = 0; k < n; k++)
        {
            double v = y[k];
            if (v == 0) continue;
            for (int q = _start[k]; q < _start[k + 1]; q++) y[_below[q]] -= _l[q] * v;
        }
        for (int k = 0; k < n; k++) y[k] = _d[k] == 0 ? 0 : y[k] / _d[k];
        for (int k = n - 1; k >= 0; k--)
        {
            if (_d[k] == 0) { y[k] = 0; continue; }
            double sum = y[k];
            for (int q = _start[k]; q < _start[k + 1]; q++) sum -= _l[q] * y[_below[q]];
            y[k] = sum;
        }
        for (int k = 0; k < n; k++) x[_order[k]] = y[k];
    }

    /// <summary>One row of the elimination graph: its neighbours at pool[At..At + Count) with room for Room, its place in
    /// its degree's bucket, together so that a neighbour's visit reads one line (the stamps that mark rows apart: read far more often, and in a
    /// quarter of the memory).</summary>
    struct Node
    {
        public int At, Count, Room, Previous, Next;
    }

    /// <summary>
    /// A minimum-degree order of the level's rows (their graph of nonzero couplings), eliminated on the explicit graph:
    /// each row's neighbours in a pool with room to grow, rows in buckets by degree, ties to the row bucketed last. Each
    /// column of L lists the rows (not yet places) its row was coupled to when eliminated. Null once L would pass
    /// <paramref name="maxEntries"/>, or the elimination's work (neighbour lists walked) 64 times that and 32 a row; a
    /// negative budget declines every level (as <see cref="SemidefiniteCholesky.Factor"/>'s). The level's rows list each
    /// column once and its nonzero couplings both ways, as <see cref="Aggregation"/> writes them (a duplicate column or
    /// a coupling zero on one side only would break the clique each column's walk relies on).
    /// </summary>
    internal static (int[] Order, int[] Start, int[] Below)? Order(AggregateLevel level, long maxEntries)
    {
        if (maxEntries < 0) return null;
        int n = level.Rows;
        var (rowStart, columns, values) = (level.RowStart, level.Columns, level.Values);
        var node = new Node[n];
        long used = 0;
        for (int i = 0; i < n; i++)
        {
            int c = 0;
            for (int e = rowStart[i]; e < rowStart[i + 1]; e++) if (values[e] != 0 && columns[e] != i) c++;
            node[i] = new Node { At = (int)used, Count = c, Room = c + c / 2 + 2 };
            used += node[i].Room;
            if (used > int.MaxValue / 4) return null;
        }
        var pool = new int[2 * used];
        int poolEnd = (int)used;
        for (int i = 0; i < n; i++)
            for (int e = rowStart[i], q = node[i].At; e < rowStart[i + 1]; e++)
                if (values[e] != 0 && columns[e] != i) pool[q++] = columns[e];
        var head = new int[n + 1];
        Array.Fill(head, -1);
        for (int i = n - 1; i >= 0; i--) Link(node, head, i, node[i].Count);
        var mark = new int[n];
        int stamp = 0, least = 0;
        var order = new int[n];
        var start = new int[n + 1];
        var below = new int[(int)Math.Min(maxEntries, Math.Max(16, 2L * n))];
        long work = 0, workLimit = maxEntries >= long.MaxValue / 128 ? long.MaxValue : 64 * maxEntries + 32L * n;
        for (int k = 0; k < n; k++)
        {
            while (head[least] < 0) least++;
            int v = head[least];
            Unlink(node, head, v);
            order[k] = v;
            int degree = node[v].Count, first = start[k];
            if (first + (long)degree > maxEntries) return null;
            if (first + degree > below.Length) Array.Resize(ref below, (int)Math.Min(maxEntries, Math.Max(2L * below.Length, first + degree)));
            Array.Copy(pool, node[v].At, below, first, degree);
            start[k + 1] = first + degree;
            // each neighbour loses v and gains the others: they form a clique once v is gone
            for (int q = first; q < first + degree; q++)
            {
                int u = below[q];
                ref var nu = ref node[u];
                Unlink(node, head, u);
                stamp++;
                int a = nu.At, c = nu.Count;
                for (int p = 0; p < c; p++)
                {
                    int x = pool[a + p];
                    if (x == v) { pool[a + p] = pool[a + --c]; p--; continue; }
                    mark[x] = stamp;
                }
                mark[u] = stamp;
                for (int r = first; r < first + degree; r++)
                {
                    int w = below[r];
                    if (mark[w] == stamp) continue;
                    mark[w] = stamp;
                    if (c == nu.Room)
                    {
                        int grown = 2 * nu.Room + 4;
                        if (poolEnd + (long)grown > pool.Length) Array.Resize(ref pool, (int)Math.Min(int.MaxValue - 64, Math.Max(2L * pool.Length, poolEnd + (long)grown)));
                        Array.Copy(pool, a, pool, poolEnd, c);
                        (a, nu.At, nu.Room) = (poolEnd, poolEnd, grown);
                        poolEnd += grown;
                    }
                    pool[a + c++] = w;
                }
                nu.Count = c;
                work += c + degree;
                Link(node, head, u, c);
                if (c < least) least = c;
            }
            if (work > workLimit) return null;
        }
        return (order, start, below[..start[n]]);
    }

    static void Link(Node[] node, int[] head, int i, int degree)
    {
        ref var ni = ref node[i];
        (ni.Previous, ni.Next) = (-1 - degree, head[degree]); // a negative previous names the bucket the row heads
        if (head[degree] >= 0) node[head[degree]].Previous = i;
        head[degree] = i;
    }

    static void Unlink(Node[] node, int[] head, int i)
    {
        int p = node[i].Previous, after = node[i].Next;
        if (p >= 0) node[p].Next = after; else head[-1 - p] = after;
        if (after >= 0) node[after].Previous = p;
    }
}
