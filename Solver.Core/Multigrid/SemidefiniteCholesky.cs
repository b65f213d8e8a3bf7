using Dcdm.Sparse;

namespace Dcdm.Multigrid;

/// <summary>
/// The coarsest level's direct solve, and a narrow domain's (<see cref="NarrowDomain"/>): P A P^T = L D L^T of a sparse
/// symmetric positive semi-definite level, with P the reverse Cuthill-McKee order, L kept by rows over each row's
/// envelope (its first nonzero to the diagonal, the only entries L can fill). A pivot that falls to round-off (1e-10 of
/// its row's diagonal) is taken as 0 with its unknown fixed at 0: a component with no Dirichlet cell (its constants in the null space) loses one pivot, so a consistent
/// right-hand side is solved exactly. A 3D coarsest level of 256 rows has an envelope of a few thousand entries; a
/// chain (a long channel one to three cells across) or a spray of droplets that never merge, a few per row, so such
/// levels are factored at thousands of rows where a dense factor would take n^3 / 6.
/// </summary>
internal sealed class SemidefiniteCholesky : ILevelFactor
{
    /// <summary>Envelope entries at most (8 bytes each, 4 MB) and multiply-adds of the factorisation at most (about 10 ms
    /// here): beyond either, <see cref="Factor"/> declines and the level is relaxed instead. Settable for tests.</summary>
    internal static long EntryLimit { get; set; } = 1 << 19;
    internal static long WorkLimit { get; set; } = 1 << 25;

    readonly int[] _order; // _order[k]: the level's row at place k
    readonly int[] _first; // the first column of place k's envelope
    readonly int[] _start; // place k's envelope entries L[k, first..k) at _l[_start[k]..]
    readonly double[] _l, _d;
    readonly double[] _y; // a solve's work vector, in the factor's order

    SemidefiniteCholesky(int[] order, int[] first, int[] start, double[] l, double[] d) =>
        (_order, _first, _start, _l, _d, _y) = (order, first, start, l, d, new double[d.Length]);

    /// <summary>Entries of L's envelope (what a solve reads once each way).</summary>
    public long EnvelopeEntries => _start[^1];

    public long Entries => EnvelopeEntries;

    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{EnvelopeEntries} envelope entries");

    /// <summary>
    /// The factor of <paramref name="level"/>, or null when its envelope in the reverse Cuthill-McKee order would hold
    /// more than <paramref name="maxEntries"/> entries or cost more than <paramref name="maxWork"/> multiply-adds
    /// (null: <see cref="EntryLimit"/>, <see cref="WorkLimit"/>; a negative limit declines every level).
    /// </summary>
    /// <param name="quick">A try that should cost little where it fails (<see cref="ReverseCuthillMcKee"/>).</param>
    public static SemidefiniteCholesky? Factor(AggregateLevel level, long? maxEntries = null, long? maxWork = null, bool quick = false)
    {
        long entryLimit = maxEntries ?? EntryLimit, workLimit = maxWork ?? WorkLimit;
        if (entryLimit < 0 || workLimit < 0) return null;
        int n = level.Rows;
        if (ReverseCuthillMcKee(level, entryLimit, quick) is not { } order) return null;
        var place = new int[n];
        for (int k = 0; k < n; k++) place[order[k]] = k;
        var first = new int[n];
        var start = new int[n + 1];
        long work = 0;
        for (int k = 0; k < n; k++)
        {
            int i = order[k], f = k;
            for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
                if (level.Values[e] != 0) f = Math.Min(f, place[level.Columns[e]]);
            first[k] = f;
            long width = k - f;
            if (start[k] + width > entryLimit) return null;
            start[k + 1] = start[k] + (int)width;
            work += width * (width + 1) / 2;
            if (work > workLimit) return null;
        }
        var l = new double[start[n]];
        var d = new double[n];
        for (int k = 0; k < n; k++)
        {
            int i = order[k];
            d[k] = level.Diagonal[i];
            for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
            {
                int j = place[level.Columns[e]];
                if (j < k && level.Values[e] != 0) l[start[k] + j - first[k]] += level.Values[e];
            }
        }
        return FromEnvelope(order, first, start, l, d);
    }

    /// <summary>
    /// The factor of a matrix given in its envelope, in place: row k of the matrix P A P^T (its row <paramref name="order"/>[k]
    /// in the caller's vectors) holds its entries left of the diagonal at <paramref name="l"/>[<paramref name="start"/>[k]..],
    /// columns <paramref name="first"/>[k] to k - 1, and its diagonal at <paramref name="d"/>[k]. For a caller that orders
    /// and lays out its rows itself (<see cref="NarrowDomain"/>).
    /// </summary>
    internal static SemidefiniteCholesky FromEnvelope(int[] order, int[] first, int[] start, double[] l, double[] d)
    {
        Decompose(first, start, l, d);
        return new SemidefiniteCholesky(order, first, start, l, d);
    }

    /// <summary>
    /// In place, row k at a time: t_kj = a_kj - sum over k' &lt; j of t_kk' L_jk' (t = L D, the dot over the two rows'
    /// common envelope), then L_kj = t_kj / D_j (0 at a zero pivot) and D_k = a_kk - sum of t_kj L_kj; a D_k below 1e-10
    /// of a_kk is a zero pivot (d[k] holds a_kk until row k is done).
    /// </summary>
    static void Decompose(int[] first, int[] start, double[] l, double[] d)
    {
        int n = d.Length;
        var t = new double[n]; // row k's t over its envelope, indexed by column
        for (int k = 0; k < n; k++)
        {
            int fk = first[k], at = start[k] - fk; // L_kj at l[at + j]
            for (int j = fk; j < k; j++)
            {
                int fj = first[j], lo = Math.Max(fk, fj);
                t[j] = l[at + j] - Dot(t.AsSpan(lo, j - lo), l.AsSpan(start[j] + lo - fj, j - lo));
            }
            double akk = d[k], dk = akk;
            for (int j = fk; j < k; j++)
            {
                double lkj = d[j] == 0 ? 0 : t[j] / d[j];
                l[at + j] = lkj;
                dk -= t[j] * lkj;
            }
            d[k] = dk > 1e-10 * Math.Abs(akk) ? dk : 0;
        }
    }

    /// <summary>
    /// x = A^+ b for b in the range of A (L y = P b, y /= D, L^T z = y, x = P^T z; a zero pivot's unknown is 0). One solve
    /// at a time: it works in a vector of the factor's own, as the cycle that owns the factor works in its levels' vectors.
    /// </summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        int n = _d.Length;
        var y = _y.AsSpan();
        for (int k = 0; k < n; k++)
        {
            int f = _first[k];
            y[k] = b[_order[k]] - Dot(_l.AsSpan(_start[k], k - f), y[f..k]);
        }
        for (int k = 0; k < n; k++) y[k] = _d[k] == 0 ? 0 : y[k] / _d[k];
        for (int k = n - 1; k >= 0; k--)
        {
            // y[k] is final here (every later row has taken its share off): spread it up row k's envelope
            if (_d[k] == 0) y[k] = 0; // a zero pivot's unknown
            double v = y[k];
            if (v == 0) continue;
            int f = _first[k];
            var row = _l.AsSpan(_start[k], k - f);
            for (int j = 0; j < row.Length; j++) y[f + j] -= row[j] * v;
        }
        for (int k = 0; k < n; k++) x[_order[k]] = y[k];
    }

    /// <summary>Rows shorter than this are summed here: <see cref="VectorOps.Dot"/> sums them one entry at a time in order
    /// too (its vectors need two), so the bits are the same, and a narrow envelope's rows, a few entries, pay for no call.</summary>
    static readonly int Short = 2 * System.Numerics.Vector<double>.Count;

    /// <summary>x . y, as <see cref="VectorOps.Dot"/> computes it.</summary>
    internal static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length >= Short) return VectorOps.Dot(x, y);
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }

    /// <summary>
    /// The reverse Cuthill-McKee order of the level's rows (their coupling graph, nonzero couplings only): each component
    /// from a pseudo-peripheral row (the farthest of a breadth-first search from its row of least degree, repeated while
    /// that deepens the search), rows by breadth-first levels, neighbours by increasing degree; then reversed. Null as
    /// soon as the order's envelope passes <paramref name="maxEnvelope"/>: a row's envelope in the reversed order reaches
    /// back to its neighbour placed last by the search, which is known when the search takes the row, so a level too wide
    /// to factor is declined partway (a 3D level in its first components).
    /// </summary>
    /// <param name="quick">A try for a narrow level: two breadth-first searches for each component's start (they find a
    /// chain's end from any of its rows, where a wide level's searches may go on deepening: a random network's, four or
    /// more), and a stop at a search level wider than the budget allows. The usual order searches while depth grows.</param>
    internal static int[]? ReverseCuthillMcKee(AggregateLevel level, long maxEnvelope = long.MaxValue, bool quick = false)
    {
        int n = level.Rows, searches = quick ? 2 : int.MaxValue;
        // a search level of w rows puts about w^2 / 4 entries in the envelope of the rows before and in it: a wider one than
        // this declines a level with a tight budget in its first search (a random network's levels widen at once)
        int maxWidth = quick ? (int)Math.Min(int.MaxValue, 2 * Math.Sqrt(maxEnvelope) + 16) : int.MaxValue;
        var degree = new int[n];
        for (int i = 0; i < n; i++)
            for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
                if (level.Values[e] != 0) degree[i]++;
        var order = new int[n];
        var seen = new bool[n];
        var mark = new int[n]; // the search that last reached a row (pseudo-peripheral searches), 0: none
        var queue = new int[n];
        var position = new int[n]; // in the search's order, before the reversal
        var neighbours = new List<int>();
        int placed = 0, search = 0;
        long envelope = 0;
        for (int seed = 0; seed < n; seed++)
        {
            if (seen[seed]) continue;
            int start = seed, depth = -1;
            for (int pass = 0; pass < searches; pass++) // a pseudo-peripheral start: the least-degree row of the deepest level, while depth grows
            {
                var (far, levels) = Farthest(level, start, mark, ++search, queue, degree, maxWidth);
                if (levels < 0) return null;
                if (levels <= depth) break;
                depth = levels;
                if (far == start) break;
                start = far;
            }
            int head = placed, tail = placed;
            position[start] = tail;
            order[tail++] = start;
            seen[start] = true;
            while (head < tail)
            {
                int at = head, i = order[head++], last = at; // last: the row's neighbour placed last
                neighbours.Clear();
                for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
                {
                    int j = level.Columns[e];
                    if (level.Values[e] == 0) continue;
                    if (!seen[j]) { seen[j] = true; neighbours.Add(j); }
                    else last = Math.Max(last, position[j]);
                }
                neighbours.Sort((a, b) => degree[a] != degree[b] ? degree[a].CompareTo(degree[b]) : a.CompareTo(b));
                foreach (int j in neighbours) { position[j] = tail; order[tail++] = j; }
                if (neighbours.Count > 0) last = tail - 1;
                envelope += last - at; // the row's envelope once reversed
                if (envelope > maxEnvelope) return null;
            }
            placed = tail;
        }
        Array.Reverse(order);
        return order;
    }

    /// <summary>A breadth-first search from <paramref name="start"/>: the least-degree row of its last level, and how many
    /// levels (-1: a level wider than <paramref name="maxWidth"/>, where the search stops).</summary>
    static (int Far, int Levels) Farthest(AggregateLevel level, int start, int[] mark, int search, int[] queue, int[] degree, int maxWidth)
    {
        int head = 0, tail = 0, levels = 0, far = start;
        queue[tail++] = start;
        mark[start] = search;
        while (head < tail)
        {
            int end = tail;
            if (end - head > maxWidth) return (start, -1);
            levels++;
            far = queue[head];
            for (int q = head; q < end; q++) if (degree[queue[q]] < degree[far]) far = queue[q];
            for (; head < end; head++)
            {
                int i = queue[head];
                for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
                {
                    int j = level.Columns[e];
                    if (level.Values[e] != 0 && mark[j] != search) { mark[j] = search; queue[tail++] = j; }
                }
            }
        }
        return (far, levels);
    }
}
