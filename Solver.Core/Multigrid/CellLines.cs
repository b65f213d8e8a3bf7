using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

using Dcdm.Solvers;

namespace Dcdm.Multigrid;

/// <summary>
/// Line Gauss-Seidel on a voxel operator's cells along its strong axis (<see cref="LineAxis"/>): each line of cells along
/// that axis is solved exactly for its own couplings, its neighbours across held, lines in two colours by the parity of
/// their two other coordinates (a line's four neighbour lines are of the other colour). Where the faces along one axis
/// are much stronger than across it (flat cells), a point sweep smooths the error along the lines only; the line solve
/// takes that direction whole, so the error left is smooth across the lines too and coarse levels of full 2x2x2 blocks
/// serve (docs/methods.md, "Per-face coefficients", flat cells). Each line's tridiagonal factor (Thomas) is made once, in set-up.
/// </summary>
internal sealed class CellLines<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    readonly CellLevel<T> _cells;
    readonly T[] _inverse; // per cell, 1 / its pivot in its line's factor (0 off the unknowns)
    readonly T[] _next; // per cell, the face to the next cell along the line over its pivot: x_k = y_k + next_k x_{k+1}
    readonly T[] _along, _acrossP, _acrossQ; // the faces along the axis and across it (the first and second other axes)
    readonly int _along1, _p1, _q1; // the strides of the axis and of the other two
    readonly int _np, _nq; // the grid's extent along the other two axes
    readonly (int Lo, int Hi) _a, _p, _q; // the box's range along the axis and the other two

    /// <summary>Below this many cells a sweep runs on the calling thread.</summary>
    const int ParallelCells = 1 << 14;

    public int Axis { get; }

    /// <param name="axis">0, 1 or 2: x, y or z.</param>
    public CellLines(CellLevel<T> cells, int axis)
    {
        if (axis is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(axis), $"an axis 0, 1 or 2, got {axis}");
        (_cells, Axis) = (cells, axis);
        var op = cells.Operator;
        int nx = op.Nx, ny = op.Ny, plane = nx * ny;
        var box = cells.Box;
        T[][] faces = [cells.FaceX, cells.FaceY, cells.FaceZ];
        int[] strides = [1, nx, plane], extents = [op.Nx, op.Ny, op.Nz];
        (int, int)[] ranges = [(box.X0, box.X1), (box.Y0, box.Y1), (box.Z0, box.Z1)];
        int axisP = axis == 0 ? 1 : 0, axisQ = axis == 2 ? 1 : 2; // the other two axes, the lower first
        (_along, _acrossP, _acrossQ) = (faces[axis], faces[axisP], faces[axisQ]);
        (_along1, _p1, _q1) = (strides[axis], strides[axisP], strides[axisQ]);
        (_np, _nq) = (extents[axisP], extents[axisQ]);
        (_a, _p, _q) = (ranges[axis], ranges[axisP], ranges[axisQ]);
        int n = op.CellCount;
        _inverse = RebindCache.Array<T>(n);
        _next = RebindCache.Array<T>(n);
        if (box.IsEmpty) return;
        var diagonal = cells.Diagonal;
        var along = axis switch { 0 => op.FaceX, 1 => op.FaceY, _ => op.FaceZ }; // in double, for the factor
        // a row of lines steps along the axis together: each line's pivot waits on its last (a division), so one line
        // at a time runs at that latency, a row's lines overlap it (the same operations per line)
        ForRows(q =>
        {
            int lines = _p.Hi - _p.Lo + 1;
            var last = ArrayPool<double>.Shared.Rent(2 * lines); // per line: f_{k-1}, then f_{k-1} / pivot_{k-1}
            Array.Clear(last, 0, 2 * lines);
            for (int k = _a.Lo; k <= _a.Hi; k++)
                for (int pp = _p.Lo, j = 0; pp <= _p.Hi; pp++, j += 2)
                {
                    int i = pp * _p1 + q * _q1 + k * _along1;
                    double d = diagonal[i];
                    if (!(d > 0)) { (last[j], last[j + 1]) = (0, 0); continue; } // no unknown: the line breaks here
                    double pivot = d - last[j] * last[j + 1], face = k < _a.Hi ? along[i] : 0;
                    _inverse[i] = T.CreateTruncating(1 / pivot);
                    double next = face / pivot;
                    _next[i] = T.CreateTruncating(next);
                    (last[j], last[j + 1]) = (face, next);
                }
            ArrayPool<double>.Shared.Return(last);
        });
    }

    /// <summary>One sweep: the lines of colour <paramref name="first"/>, then the others'.</summary>
    public void Sweep(T[] b, T[] x, int first)
    {
        Colour(b, x, first);
        Colour(b, x, 1 - first);
    }

    /// <summary>
    /// Every line of one colour ((p + q) % 2, p and q the other two coordinates) solved for its own couplings: a row of
    /// lines (one q) steps along the axis together, a forward pass then a backward one. Where p is x (lines along y or
    /// z) the row's cells inside the grid run a vector at a time, both colours' lanes computed and the other colour's
    /// kept, as the point sweep does; lines along x, contiguous, take their neighbours' sums a vector at a time first
    /// (<see cref="ColourAlongX"/>).
    /// </summary>
    public void Colour(T[] b, T[] x, int colour)
    {
        if (_along1 == 1) ColourAlongX(b, x, colour);
        else ColourAcrossX(b, x, colour);
    }

    /// <summary>
    /// Lines along x, four of a row at a time: s_k (b and the four faces across, whose cells are other lines') for each
    /// whole line a vector at a time into x (the line's own x is not read), then the factor's forward and backward passes
    /// along the four together (<see cref="SolveFour"/>). A line's cells without an unknown come out 0 (x is 0 there by
    /// the level's convention; the other axes leave them).
    /// </summary>
    void ColourAlongX(T[] b, T[] x, int colour) => ForRows(q =>
    {
        int length = _a.Hi - _a.Lo + 1, apart = 2 * _p1; // a row's lines of one colour are two rows of cells apart
        for (int pp = _p.Lo + ((_p.Lo + q + colour) & 1); pp <= _p.Hi; pp += 8)
        {
            int count = Math.Min(4, (_p.Hi - pp) / 2 + 1), first = pp * _p1 + q * _q1 + _a.Lo;
            for (int j = 0; j < count; j++) AcrossSums(b, x, pp + 2 * j, q);
            if (count == 4) SolveFour(x, first, apart, length);
            else for (int j = 0; j < count; j++) SolveOne(x, first + j * apart, length);
        }
    });

    /// <summary>s_k of the line along x at (p, q) into x: b and its four faces across times their cells (other lines').</summary>
    void AcrossSums(T[] b, T[] x, int pp, int q)
    {
        int width = Vector<T>.Count, sp = _p1, sq = _q1;
        var (fp, fq) = (_acrossP, _acrossQ);
        int first = pp * sp + q * sq + _a.Lo, last = pp * sp + q * sq + _a.Hi, i = first;
        bool pLow = pp > 0, pHigh = pp < _np - 1, qLow = q > 0, qHigh = q < _nq - 1;
        if (pLow && pHigh && qLow && qHigh && Vector.IsHardwareAccelerated)
        {
            ref T rb = ref MemoryMarshal.GetArrayDataReference(b), rx = ref MemoryMarshal.GetArrayDataReference(x),
                  rp = ref MemoryMarshal.GetArrayDataReference(fp), rq = ref MemoryMarshal.GetArrayDataReference(fq);
            for (; i + width <= last + 1; i += width)
            {
                nuint at = (nuint)i;
                var v = Vector.LoadUnsafe(ref rb, at);
                v += Vector.LoadUnsafe(ref rp, at - (nuint)sp) * Vector.LoadUnsafe(ref rx, at - (nuint)sp);
                v += Vector.LoadUnsafe(ref rp, at) * Vector.LoadUnsafe(ref rx, at + (nuint)sp);
                v += Vector.LoadUnsafe(ref rq, at - (nuint)sq) * Vector.LoadUnsafe(ref rx, at - (nuint)sq);
                v += Vector.LoadUnsafe(ref rq, at) * Vector.LoadUnsafe(ref rx, at + (nuint)sq);
                v.StoreUnsafe(ref rx, at);
            }
        }
        for (; i <= last; i++)
        {
            T v = b[i];
            if (pLow) v += fp[i - sp] * x[i - sp];
            if (pHigh) v += fp[i] * x[i + sp];
            if (qLow) v += fq[i - sq] * x[i - sq];
            if (qHigh) v += fq[i] * x[i + sq];
            x[i] = v;
        }
    }

    /// <summary>
    /// The factor's passes along one line of <paramref name="length"/> cells from <paramref name="first"/> (x holds its
    /// s_k): forward y_k = (s_k + f_{k-1} y_{k-1}) / pivot_k (0 off the unknowns: their inverse is 0), backward
    /// x_k = y_k + next_k x_{k+1}; the running value stays in a register, not read back from x.
    /// </summary>
    unsafe void SolveOne(T[] x, int first, int length)
    {
        fixed (T* v = &x[first], along = &_along[first], inverse = &_inverse[first], next = &_next[first])
        {
            T y = v[0] * inverse[0];
            v[0] = y;
            for (int k = 1; k < length; k++) v[k] = y = (v[k] + along[k - 1] * y) * inverse[k];
            for (int k = length - 2; k >= 0; k--) v[k] = y = v[k] + next[k] * y;
        }
    }

    /// <summary>
    /// <see cref="SolveOne"/> on four lines <paramref name="apart"/> cells apart, their steps interleaved: each line's
    /// step waits on its last (a multiply, an add and a multiply), so one line at a time runs at that latency, four run
    /// in about the time of one. The same operations per line, so the same bits.
    /// </summary>
    unsafe void SolveFour(T[] x, int first, int apart, int length)
    {
        int a1 = apart, a2 = 2 * apart, a3 = 3 * apart;
        fixed (T* v = &x[first], along = &_along[first], inverse = &_inverse[first], next = &_next[first])
        {
            T y0 = v[0] * inverse[0], y1 = v[a1] * inverse[a1], y2 = v[a2] * inverse[a2], y3 = v[a3] * inverse[a3];
            (v[0], v[a1], v[a2], v[a3]) = (y0, y1, y2, y3);
            for (int k = 1; k < length; k++)
            {
                v[k] = y0 = (v[k] + along[k - 1] * y0) * inverse[k];
                v[k + a1] = y1 = (v[k + a1] + along[k + a1 - 1] * y1) * inverse[k + a1];
                v[k + a2] = y2 = (v[k + a2] + along[k + a2 - 1] * y2) * inverse[k + a2];
                v[k + a3] = y3 = (v[k + a3] + along[k + a3 - 1] * y3) * inverse[k + a3];
            }
            for (int k = length - 2; k >= 0; k--)
            {
                v[k] = y0 = v[k] + next[k] * y0;
                v[k + a1] = y1 = v[k + a1] + next[k + a1] * y1;
                v[k + a2] = y2 = v[k + a2] + next[k + a2] * y2;
                v[k + a3] = y3 = v[k + a3] + next[k + a3] * y3;
            }
        }
    }

    /// <summary>Lines along y or z: a row of lines steps along the axis together (<see cref="Colour"/>).</summary>
    void ColourAcrossX(T[] b, T[] x, int colour) => ForRows(q =>
    {
        int lo = _p.Lo + ((_p.Lo + q + colour) & 1), width = Vector<T>.Count;
        bool qLow = q > 0, qHigh = q < _nq - 1;
        // the vectors' cells: from..stop-1, every face across inside the grid: whole vectors, then one more ending at
        // stop whose lanes the whole ones took are masked off (a backward step adds, so no lane may run twice)
        int from = Math.Max(_p.Lo, 1), stop = Math.Min(_p.Hi + 1, _np - 1);
        int vectors = _p1 == 1 && qLow && qHigh && Vector.IsHardwareAccelerated ? Math.Max(0, stop - from) / width : 0;
        int vectorEnd = from + vectors * width, tailAt = stop - width;
        bool tail = vectors > 0 && vectorEnd < stop;
        var lanes = ((from + q + colour) & 1) == 0 ? CellLevel<T>.EvenLanes : CellLevel<T>.OddLanes; // width is even: the same lanes in every vector
        var tailLanes = tail ? (((tailAt + q + colour) & 1) == 0 ? CellLevel<T>.EvenLanes : CellLevel<T>.OddLanes)
            & Vector.GreaterThanOrEqual(LaneIndex, new Vector<T>(T.CreateTruncating(vectorEnd - tailAt))) : default;
        int rest = tail ? stop : vectorEnd; // the first cell after the vectors
        for (int k = _a.Lo; k <= _a.Hi; k++)
        {
            int row = q * _q1 + k * _along1;
            if (vectors == 0) { ForwardCells(b, x, row, lo, _p.Hi, qLow, qHigh, k > _a.Lo); continue; }
            ForwardCells(b, x, row, lo, from - 1, qLow, qHigh, k > _a.Lo);
            ForwardVectors(b, x, row + from, vectors, lanes, k > _a.Lo);
            if (tail) ForwardVectors(b, x, row + tailAt, 1, tailLanes, k > _a.Lo);
            ForwardCells(b, x, row, rest + ((rest + q + colour) & 1), _p.Hi, qLow, qHigh, k > _a.Lo);
        }
        for (int k = _a.Hi - 1; k >= _a.Lo; k--)
        {
            int row = q * _q1 + k * _along1;
            if (vectors == 0) { BackwardCells(x, row, lo, _p.Hi); continue; }
            BackwardCells(x, row, lo, from - 1);
            BackwardVectors(x, row + from, vectors, lanes);
            if (tail) BackwardVectors(x, row + tailAt, 1, tailLanes);
            BackwardCells(x, row, rest + ((rest + q + colour) & 1), _p.Hi);
        }
    });

    /// <summary>Each lane's index (0, 1, 2, ..) in T.</summary>
    static readonly Vector<T> LaneIndex = LaneIndices();

    static Vector<T> LaneIndices()
    {
        Span<T> lanes = stackalloc T[Vector<T>.Count];
        for (int k = 0; k < lanes.Length; k++) lanes[k] = T.CreateTruncating(k);
        return new Vector<T>(lanes);
    }

    /// <summary>y_k = (s_k + f_{k-1} y_{k-1}) / pivot_k into x at cells p = lo, lo + 2, .. hi of a row of lines at step k.</summary>
    void ForwardCells(T[] b, T[] x, int row, int lo, int hi, bool qLow, bool qHigh, bool before)
    {
        var (along, fp, fq, inverse) = (_along, _acrossP, _acrossQ, _inverse);
        int sa = _along1, sp = _p1, sq = _q1;
        for (int pp = lo; pp <= hi; pp += 2)
        {
            int i = row + pp * sp;
            T w = inverse[i];
            if (w == T.Zero) continue;
            T s = b[i];
            if (pp > 0) s += fp[i - sp] * x[i - sp];
            if (pp < _np - 1) s += fp[i] * x[i + sp];
            if (qLow) s += fq[i - sq] * x[i - sq];
            if (qHigh) s += fq[i] * x[i + sq];
            if (before) s += along[i - sa] * x[i - sa];
            x[i] = s * w;
        }
    }

    /// <summary><see cref="ForwardCells"/> for <paramref name="vectors"/> vectors of cells from i (p along x, every face
    /// across inside the grid). A vector is stored after the next one's loads, as the point sweep does: storing first
    /// would stall the next load of x at its -1 neighbours, which overlaps the stored cells by one (cells of the other
    /// colour, unchanged by the store).</summary>
    void ForwardVectors(T[] b, T[] x, int i, int vectors, Vector<T> lanes, bool before)
    {
        int width = Vector<T>.Count;
        nuint sa = (nuint)_along1, sq = (nuint)_q1;
        ref T rb = ref MemoryMarshal.GetArrayDataReference(b), rx = ref MemoryMarshal.GetArrayDataReference(x),
              inverse = ref MemoryMarshal.GetArrayDataReference(_inverse), along = ref MemoryMarshal.GetArrayDataReference(_along),
              fp = ref MemoryMarshal.GetArrayDataReference(_acrossP), fq = ref MemoryMarshal.GetArrayDataReference(_acrossQ);
        Vector<T> pending = default;
        nuint pendingAt = 0;
        bool stored = true; // nothing pending
        for (int v = 0; v < vectors; v++)
        {
            nuint at = (nuint)(i + v * width);
            var w = Vector.LoadUnsafe(ref inverse, at);
            if (w == Vector<T>.Zero) continue;
            var s = Vector.LoadUnsafe(ref rb, at);
            s += Vector.LoadUnsafe(ref fp, at - 1) * Vector.LoadUnsafe(ref rx, at - 1);
            s += Vector.LoadUnsafe(ref fp, at) * Vector.LoadUnsafe(ref rx, at + 1);
            s += Vector.LoadUnsafe(ref fq, at - sq) * Vector.LoadUnsafe(ref rx, at - sq);
            s += Vector.LoadUnsafe(ref fq, at) * Vector.LoadUnsafe(ref rx, at + sq);
            if (before) s += Vector.LoadUnsafe(ref along, at - sa) * Vector.LoadUnsafe(ref rx, at - sa);
            var relaxed = Vector.AndNot(lanes, Vector.Equals(w, Vector<T>.Zero));
            var value = Vector.ConditionalSelect(relaxed, s * w, Vector.LoadUnsafe(ref rx, at));
            if (!stored) pending.StoreUnsafe(ref rx, pendingAt);
            (pending, pendingAt, stored) = (value, at, false);
        }
        if (!stored) pending.StoreUnsafe(ref rx, pendingAt);
    }

    /// <summary>x_k = y_k + (f_k / pivot_k) x_{k+1} at cells p = lo, lo + 2, .. hi of a row of lines at step k.</summary>
    void BackwardCells(T[] x, int row, int lo, int hi)
    {
        var next = _next;
        int sa = _along1, sp = _p1;
        for (int pp = lo; pp <= hi; pp += 2)
        {
            int i = row + pp * sp;
            x[i] += next[i] * x[i + sa];
        }
    }

    /// <summary><see cref="BackwardCells"/> for <paramref name="vectors"/> vectors of cells from i, the colour's lanes only.</summary>
    void BackwardVectors(T[] x, int i, int vectors, Vector<T> lanes)
    {
        int width = Vector<T>.Count;
        nuint sa = (nuint)_along1;
        ref T rx = ref MemoryMarshal.GetArrayDataReference(x), next = ref MemoryMarshal.GetArrayDataReference(_next);
        for (int v = 0; v < vectors; v++)
        {
            nuint at = (nuint)(i + v * width);
            var old = Vector.LoadUnsafe(ref rx, at);
            var value = old + Vector.LoadUnsafe(ref next, at) * Vector.LoadUnsafe(ref rx, at + sa);
            Vector.ConditionalSelect(lanes, value, old).StoreUnsafe(ref rx, at);
        }
    }

    /// <summary>Each row of lines (one q) in parallel when the box is large: lines of one colour in two rows never touch.</summary>
    void ForRows(Action<int> row)
    {
        if (_cells.Box.Cells < ParallelCells) for (int q = _q.Lo; q <= _q.Hi; q++) row(q);
        else Parallel.For(_q.Lo, _q.Hi + 1, row);
    }
}
