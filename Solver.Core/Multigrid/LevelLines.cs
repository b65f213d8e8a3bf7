using System.Buffers;
using Dcdm.Solvers;

namespace Dcdm.Multigrid;

/// <summary>
/// Line Gauss-Seidel on a coarse level along the strong axis (<see cref="LineAxis"/>), as <see cref="CellLines{T}"/>
/// on the cells: the level's blocks along the axis make lines, whose rows neighbouring blocks link into chains (one-row
/// blocks always; the pieces of a split block by their strongest couplings first, each row linked at most once each
/// way), each chain solved exactly for its couplings along it (Thomas, factored once here), the chains of a line in the
/// order of their first rows. Lines in two colours by the parity of the blocks' two other coordinates:
/// rows couple only within a block and to the six face-adjacent blocks (<see cref="AggregateLevel"/>), so lines of one
/// colour never touch and run in parallel.
/// </summary>
internal sealed class LevelLines
{
    readonly AggregateLevel _level;
    readonly int[] _acrossStart; // per position (as _order), the first of its row's couplings but its chain's own; then their count
    readonly int[] _acrossColumns; // those couplings' rows, position after position (a sweep reads them in order)
    readonly double[] _acrossValues; // and their values
    readonly int[] _order; // the rows in line order: each line's segments in turn, each segment's rows along the axis
    readonly double[] _lower, _inverse, _upper; // per position: the coupling to the previous row of its chain, 1 / pivot, the coupling to the next over the pivot
    readonly int[] _segments; // each segment's first position, then _order.Length
    readonly int[][] _lines; // per colour: each line's first segment
    readonly int[][] _lineEnds; // per colour: each line's end segment
    readonly int[][] _chunks; // per colour: parallel chunks of lines

    /// <summary>Below this many rows a sweep runs on the calling thread.</summary>
    const int ParallelRows = 1 << 14;

    public int Axis { get; }
    /// <summary>The level swept.</summary>
    internal AggregateLevel Level => _level;
    /// <summary>Each position's couplings but its chain's own (what its row's sum reads), in position order: position
    /// k's are entries <c>AcrossStart[k]</c> to <c>AcrossStart[k + 1]</c> of <see cref="AcrossColumns"/> and <see cref="AcrossValues"/>.</summary>
    internal int[] AcrossStart => _acrossStart;
    internal int[] AcrossColumns => _acrossColumns;
    internal double[] AcrossValues => _acrossValues;
    /// <summary>The rows in line order, and per position its chain's factor: the coupling to the previous row, 1 / the
    /// pivot, the coupling to the next over the pivot (forward: y_k = (s_k - lower_k y_{k-1}) inverse_k; backward:
    /// x_k = y_k - upper_k x_{k+1}).</summary>
    internal int[] Order => _order;
    internal double[] Lower => _lower;
    internal double[] Inverse => _inverse;
    internal double[] Upper => _upper;
    /// <summary>Each segment's first position, then the positions' count.</summary>
    internal int[] Segments => _segments;
    /// <summary>Colour c's lines: each one's first segment and the segment after its last.</summary>
    internal int[] LineFirsts(int colour) => _lines[colour];
    internal int[] LineEnds(int colour) => _lineEnds[colour];

    public LevelLines(AggregateLevel level, int axis)
    {
        if (axis is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(axis), $"an axis 0, 1 or 2, got {axis}");
        (_level, Axis) = (level, axis);
        var (bx, by, bz) = level.Blocks;
        int[] extents = [bx, by, bz], strides = [1, bx, bx * by];
        int p = axis == 0 ? 1 : 0, q = axis == 2 ? 1 : 2, np = extents[p], length = extents[axis];
        int n = level.Rows, count = np * extents[q];
        // each line's rows and segments: counted, then written in place (lines in parallel rows of lines)
        var lineRows = new int[count + 1];
        var lineSegments = new int[count + 1];
        int Block(int line, int k) => line % np * strides[p] + line / np * strides[q] + k * strides[axis];
        int Walk(int line, int[]? rows, int row0, int[]? segments, int segment0, LineScratch scratch) // returns the segments
        {
            bool pieces = false;
            for (int k = 0; k < length && !pieces; k++) pieces = level.BlockRows[Block(line, k)] > 1;
            if (pieces) return WalkPieces(line, rows, row0, segments, segment0, scratch);
            int segmentCount = 0, rowCount = 0;
            bool chain = false; // whether the last block was one row, which the next one-row block extends
            for (int k = 0; k < length; k++)
            {
                int b = Block(line, k);
                if (level.BlockRows[b] == 0) { chain = false; continue; }
                if (!chain)
                {
                    if (segments is not null) segments[segment0 + segmentCount] = row0 + rowCount;
                    segmentCount++;
                }
                if (rows is not null) rows[row0 + rowCount] = level.BlockFirstRow[b];
                rowCount++;
                chain = true;
            }
            return segmentCount;
        }
        // a line through split blocks: each pair of neighbouring blocks links its rows into chains, one-row blocks always,
        // pieces the most strongly coupled pairs first (each row at most one link each way), so a phase or a chamber
        // keeps its chain through the blocks a jump splits; each chain a segment, in the order of its first row
        int WalkPieces(int line, int[]? rows, int row0, int[]? segments, int segment0, LineScratch scratch)
        {
            var offset = scratch.Offset;
            for (int k = 0; k < length; k++) offset[k + 1] = offset[k] + level.BlockRows[Block(line, k)];
            int total = offset[length];
            var (next, linked, row, pairs) = scratch.For(total);
            for (int k = 0; k < length; k++)
                for (int r = 0; r < offset[k + 1] - offset[k]; r++) row[offset[k] + r] = level.BlockFirstRow[Block(line, k)] + r;
            for (int k = 0; k + 1 < length; k++)
            {
                var (a, na, c, nc) = (offset[k], offset[k + 1] - offset[k], offset[k + 1], offset[k + 2] - offset[k + 1]);
                if (na == 0 || nc == 0) continue;
                if (na == 1 && nc == 1) { (next[a], linked[c]) = (c, true); continue; }
                pairs.Clear();
                for (int i = a; i < a + na; i++)
                    for (int j = c; j < c + nc; j++)
                        if (Coupling(level, row[i], row[j]) is var v && v != 0) pairs.Add((Math.Abs(v), i, j));
                pairs.Sort((u, w) => u.Strength != w.Strength ? w.Strength.CompareTo(u.Strength) : u.From != w.From ? u.From.CompareTo(w.From) : u.To.CompareTo(w.To));
                foreach (var (_, i, j) in pairs)
                    if (next[i] < 0 && !linked[j]) (next[i], linked[j]) = (j, true);
            }
            int segmentCount = 0, rowCount = 0;
            for (int start = 0; start < total; start++)
            {
                if (linked[start]) continue;
                if (segments is not null) segments[segment0 + segmentCount] = row0 + rowCount;
                segmentCount++;
                for (int i = start; i >= 0; i = next[i])
                {
                    if (rows is not null) rows[row0 + rowCount] = row[i];
                    rowCount++;
                }
            }
            return segmentCount;
        }
        Parallel.For(0, extents[q], vq =>
        {
            var scratch = new LineScratch(length);
            for (int line = vq * np; line < (vq + 1) * np; line++)
            {
                lineSegments[line + 1] = Walk(line, null, 0, null, 0, scratch);
                for (int k = 0; k < length; k++) lineRows[line + 1] += level.BlockRows[Block(line, k)];
            }
        });
        for (int line = 0; line < count; line++) { lineRows[line + 1] += lineRows[line]; lineSegments[line + 1] += lineSegments[line]; }
        // the set-up's own arrays (a re-bind's where the level keeps its size), every entry written below
        (_order, _segments) = (RebindCache.Array<int>(n, zeroed: false), RebindCache.Array<int>(lineSegments[count] + 1, zeroed: false));
        Parallel.For(0, extents[q], vq =>
        {
            var scratch = new LineScratch(length);
            for (int line = vq * np; line < (vq + 1) * np; line++) Walk(line, _order, lineRows[line], _segments, lineSegments[line], scratch);
        });
        _segments[^1] = n;
        // each colour's lines as ranges of segments
        var (firsts, ends) = (new[] { new List<int>(), new List<int>() }, new[] { new List<int>(), new List<int>() });
        for (int line = 0; line < count; line++)
            if (lineSegments[line + 1] > lineSegments[line])
            {
                int colour = (line % np + line / np) & 1;
                firsts[colour].Add(lineSegments[line]);
                ends[colour].Add(lineSegments[line + 1]);
            }
        (_lines, _lineEnds) = ([[.. firsts[0]], [.. firsts[1]]], [[.. ends[0]], [.. ends[1]]]);
        // the chains' factors, and which of each position's couplings its chain takes (the entries of the level's row)
        (_lower, _inverse, _upper) = (RebindCache.Array<double>(n, zeroed: false), RebindCache.Array<double>(n, zeroed: false), RebindCache.Array<double>(n, zeroed: false));
        var (takenBefore, takenAfter) = (ArrayPool<int>.Shared.Rent(n), ArrayPool<int>.Shared.Rent(n)); // set-up's own, returned below
        _acrossStart = RebindCache.Array<int>(n + 1, zeroed: false);
        var (diagonal, rowStart) = (level.Diagonal, level.RowStart);
        int segmentTotal = _segments.Length - 1;
        int chunks = Math.Max(1, Math.Min(4 * Environment.ProcessorCount, segmentTotal / 256));
        (int From, int To) Positions(int chunk) => (_segments[(int)((long)segmentTotal * chunk / chunks)], _segments[(int)((long)segmentTotal * (chunk + 1) / chunks)]);
        Parallel.For(0, chunks, chunk =>
        {
            for (int s = (int)((long)segmentTotal * chunk / chunks), end = (int)((long)segmentTotal * (chunk + 1) / chunks); s < end; s++)
            {
                double lastUpper = 0;
                for (int k = _segments[s]; k < _segments[s + 1]; k++)
                {
                    int row = _order[k];
                    takenBefore[k] = k > _segments[s] ? Entry(level, row, _order[k - 1]) : -1;
                    takenAfter[k] = k + 1 < _segments[s + 1] ? Entry(level, row, _order[k + 1]) : -1;
                    double lower = takenBefore[k] >= 0 ? level.Values[takenBefore[k]] : 0;
                    double upper = takenAfter[k] >= 0 ? level.Values[takenAfter[k]] : 0;
                    double pivot = diagonal[row] - lower * lastUpper;
                    _lower[k] = lower;
                    _inverse[k] = pivot > 0 ? 1 / pivot : 0;
                    _upper[k] = pivot > 0 ? upper / pivot : 0;
                    lastUpper = _upper[k];
                    _acrossStart[k + 1] = rowStart[row + 1] - rowStart[row] - (takenBefore[k] >= 0 ? 1 : 0) - (takenAfter[k] >= 0 ? 1 : 0);
                }
            }
        });
        _acrossStart[0] = 0;
        for (int k = 0; k < n; k++) _acrossStart[k + 1] += _acrossStart[k];
        (_acrossColumns, _acrossValues) = (RebindCache.Array<int>(_acrossStart[n], zeroed: false), RebindCache.Array<double>(_acrossStart[n], zeroed: false));
        Parallel.For(0, chunks, chunk =>
        {
            var (from, to) = Positions(chunk);
            for (int k = from; k < to; k++)
                for (int e = rowStart[_order[k]], end = rowStart[_order[k] + 1], at = _acrossStart[k]; e < end; e++)
                    if (e != takenBefore[k] && e != takenAfter[k]) (_acrossColumns[at], _acrossValues[at++]) = (level.Columns[e], level.Values[e]);
        });
        ArrayPool<int>.Shared.Return(takenBefore);
        ArrayPool<int>.Shared.Return(takenAfter);
        _chunks = [Chunks(_lines[0].Length), Chunks(_lines[1].Length)];
    }

    /// <summary>A line's working arrays through split blocks, kept for the lines of one row of lines (grown as needed):
    /// the blocks' first positions, and per row of the line its link to the next, whether one links to it, its level row.</summary>
    sealed class LineScratch(int length)
    {
        public readonly int[] Offset = new int[length + 1];
        int[] _next = [], _row = [];
        bool[] _linked = [];
        readonly List<(double Strength, int From, int To)> _pairs = [];

        /// <summary>The arrays for a line of <paramref name="rows"/> rows: next -1, linked false.</summary>
        public (int[] Next, bool[] Linked, int[] Row, List<(double Strength, int From, int To)> Pairs) For(int rows)
        {
            if (_next.Length < rows) (_next, _linked, _row) = (new int[2 * rows], new bool[2 * rows], new int[2 * rows]);
            Array.Fill(_next, -1, 0, rows);
            Array.Clear(_linked, 0, rows);
            return (_next, _linked, _row, _pairs);
        }
    }

    /// <summary>a_ij from row i's couplings (0 where there is none).</summary>
    static double Coupling(AggregateLevel level, int i, int j) => Entry(level, i, j) is int e and >= 0 ? level.Values[e] : 0;

    /// <summary>The entry of row i's coupling to row j in the level (-1 where there is none).</summary>
    static int Entry(AggregateLevel level, int i, int j)
    {
        for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
            if (level.Columns[e] == j) return e;
        return -1;
    }

    int[] Chunks(int lines)
    {
        int chunks = _level.Rows < ParallelRows ? 1 : Math.Min(4 * Environment.ProcessorCount, Math.Max(1, lines / 64));
        var bounds = new int[chunks + 1];
        for (int c = 0; c <= chunks; c++) bounds[c] = (int)((long)lines * c / chunks);
        return bounds;
    }

    /// <summary>Pre-smoothing: colour 0 then 1, each line's segments in order.</summary>
    public void SweepForward(double[] b, double[] x)
    {
        Colour(b, x, 0, forward: true);
        Colour(b, x, 1, forward: true);
    }

    /// <summary>Post-smoothing: the forward sweep's reverse (colour 1 then 0, each line's segments from its end).</summary>
    public void SweepBackward(double[] b, double[] x)
    {
        Colour(b, x, 1, forward: false);
        Colour(b, x, 0, forward: false);
    }

    unsafe void Colour(double[] b, double[] x, int colour, bool forward)
    {
        var (firsts, ends, bounds) = (_lines[colour], _lineEnds[colour], _chunks[colour]);
        void Chunk(int lo, int hi)
        {
            fixed (int* start = _acrossStart, columns = _acrossColumns, order = _order, segments = _segments)
            fixed (double* values = _acrossValues, rhs = b, solution = x, lower = _lower, inverse = _inverse, upper = _upper)
            {
                var line = new LineArrays(start, columns, order, values, rhs, solution, lower, inverse, upper);
                for (int l = lo; l < hi; l++)
                {
                    int first = firsts[l], end = ends[l];
                    if (forward) for (int s = first; s < end; s++) Segment(line, segments[s], segments[s + 1]);
                    else for (int s = end - 1; s >= first; s--) Segment(line, segments[s], segments[s + 1]);
                }
            }
        }
        if (bounds.Length == 2) Chunk(0, firsts.Length);
        else Parallel.For(0, bounds.Length - 1, c => Chunk(bounds[c], bounds[c + 1]));
    }

    /// <summary>A sweep's arrays, pinned for one chunk of lines.</summary>
    readonly unsafe struct LineArrays(int* start, int* columns, int* order, double* values, double* rhs, double* solution, double* lower, double* inverse, double* upper)
    {
        public readonly int* Start = start, Columns = columns, Order = order;
        public readonly double* Values = values, Rhs = rhs, Solution = solution, Lower = lower, Inverse = inverse, Upper = upper;
    }

    /// <summary>
    /// The segment at positions <paramref name="from"/> to <paramref name="to"/> solved for its chain's couplings, the
    /// rest of each row's couplings held: read in position order (<see cref="AcrossStart"/>), and the running value of
    /// each pass kept in a register, not read back.
    /// </summary>
    static unsafe void Segment(in LineArrays a, int from, int to)
    {
        double last = 0;
        for (int k = from; k < to; k++)
        {
            double v = a.Rhs[a.Order[k]];
            for (int e = a.Start[k], end = a.Start[k + 1]; e < end; e++) v -= a.Values[e] * a.Solution[a.Columns[e]];
            last = (v - a.Lower[k] * last) * a.Inverse[k];
            a.Solution[a.Order[k]] = last;
        }
        for (int k = to - 2; k >= from; k--) a.Solution[a.Order[k]] = last = a.Solution[a.Order[k]] - a.Upper[k] * last;
    }
}
