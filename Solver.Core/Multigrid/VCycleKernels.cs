using Dcdm.Multigrid;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dcdm.Multigrid;

/// <summary>
/// The float32 kernels of <see cref="Models.VCycleDirection"/> on one level, over the box around its unknowns only (every vector
/// is 0 outside it), parallel over z-planes on large boxes. Restriction and prolongation are the trilinear weights
/// (3/4 to a fine cell's own coarse cell, 1/4 to the one on its side, none past the grid's edge) applied one axis at a
/// time: 4 taps per output and axis instead of 64 per coarse cell, the y and z passes vectorised along x rows.
/// Each is checked against LevelOps (double) in the tests.
/// </summary>
internal static class VCycleKernels
{
    /// <summary>Below this many cells a level runs on the calling thread: fork and join (and the task state each
    /// parallel loop allocates) cost more than a second core gains on the coarse levels of a V-cycle.</summary>
    internal const int ParallelCells = 1 << 16;

    /// <summary>1 on lanes 1, 3, 5, ..., 0 on the others: a vector's cells of one colour.</summary>
    static readonly Vector<float> OddLanes = new(Enumerable.Range(0, Vector<float>.Count).Select(k => (float)(k & 1)).ToArray());

    /// <summary>
    /// Vector&lt;float&gt;.Count diagonal bytes from <paramref name="first"/> on as floats, reading no byte past them:
    /// one widening load where the vector holds 8 or 4 floats, one lane at a time at other widths.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector<float> Widened(ref byte first)
    {
        if (Vector<float>.Count == 8 && Avx2.IsSupported)
            return Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref first)).AsByte())).AsVector();
        if (Vector<float>.Count == 4)
        {
            var bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(ref first)).AsByte();
            return Vector128.ConvertToSingle(Vector128.WidenLower(Vector128.WidenLower(bytes)).AsInt32()).AsVector();
        }
        Span<float> lanes = stackalloc float[Vector<float>.Count];
        for (int k = 0; k < lanes.Length; k++) lanes[k] = Unsafe.Add(ref first, k);
        return new Vector<float>(lanes);
    }

    /// <summary>The z-planes of the level's box, in parallel when the box is large.</summary>
    static void ForPlanes(VCycleLevel l, Action<int> body)
    {
        if (l.Box.IsEmpty) return;
        long cells = l.Box.Cells;
        if (cells < ParallelCells) for (int z = l.Box.Z0; z <= l.Box.Z1; z++) body(z);
        else Parallel.For(l.Box.Z0, l.Box.Z1 + 1, body);
    }

    /// <summary>v = 0 in the level's box (outside it v is 0 already); on its unknowns only where they fill the box sparsely
    /// (a level's vectors are 0 off them: no kernel writes there).</summary>
    public static void Clear(VCycleLevel l, float[] v)
    {
        if (l.Box.IsEmpty) return;
        if (l.Sparse is { } sparse) { sparse.Clear(v); return; }
        for (int z = l.Box.Z0; z <= l.Box.Z1; z++)
            for (int y = l.Box.Y0; y <= l.Box.Y1; y++) Array.Clear(v, (z * l.Ny + y) * l.Nx + l.Box.X0, l.Box.X1 - l.Box.X0 + 1);
    }

    /// <summary>Work = B - s (d X - sum of the 6 neighbours' X) on the unknowns, 0 elsewhere; vectorised inside the grid, or
    /// walking the unknowns where they fill the box sparsely (<see cref="SparseUnknowns"/>).</summary>
    public static void Residual(VCycleLevel l)
    {
        if (l.Sparse is { } sparse) ResidualOnUnknowns(l, sparse);
        else ResidualOnBox(l);
    }

    /// <summary><see cref="Residual"/> on the unknowns' lists, in parallel chunks on long ones: the same values as the box's
    /// (the same sums in the same order); Work stays 0 off the unknowns, where nothing writes it.</summary>
    internal static unsafe void ResidualOnUnknowns(VCycleLevel l, SparseUnknowns sparse)
    {
        int nx = l.Nx, plane = nx * l.Ny;
        float s = l.Scale;
        for (int colour = 0; colour < 2; colour++)
        {
            var inner = sparse.Inner[colour];
            SparseUnknowns.ForChunks(inner.Length, (from, to) =>
            {
                fixed (float* b = l.B, x = l.X, r = l.Work)
                fixed (byte* d = l.Diagonal)
                fixed (int* cells = inner)
                    for (int k = from; k < to; k++)
                    {
                        int i = cells[k];
                        float sides = x[i - 1] + x[i + 1] + x[i - nx] + x[i + nx] + x[i - plane] + x[i + plane];
                        r[i] = b[i] - s * (d[i] * x[i] - sides);
                    }
            });
            fixed (float* b = l.B, x = l.X, r = l.Work)
            fixed (byte* d = l.Diagonal)
                foreach (int i in sparse.Edge[colour]) Edge(l, i - i % nx, i % nx, i / nx % l.Ny, i / plane, b, x, r, d, s);
        }
    }

    /// <summary><see cref="Residual"/> over the box: every row's vectors, a neighbour row past the grid's faces read as the
    /// level's row of zeros, so a grid one or two cells thick (a 2D code's) takes them too.</summary>
    internal static unsafe void ResidualOnBox(VCycleLevel l)
    {
        int nx = l.Nx, ny = l.Ny, nz = l.Nz, width = Vector<float>.Count;
        float s = l.Scale;
        var occupied = l.Occupied;
        ForRows(l, (z, y0, y1) =>
        {
            fixed (float* b = l.B, x = l.X, r = l.Work, zeros = l.Zeros)
            fixed (byte* d = l.Diagonal)
                for (int y = y0; y <= y1; y++)
                {
                    int row = (z * ny + y) * nx, xx = l.Box.X0, end = l.Box.X1 + 1;
                    if (Vector.IsHardwareAccelerated)
                    {
                        if (xx == 0) Edge(l, row, xx++, y, z, b, x, r, d, s);
                        var vs = new Vector<float>(s);
                        int stop = Math.Min(end, nx - 1); // the vectors' cells: xx..stop-1, inside the grid
                        if (stop - xx >= width) // none when the row is shorter than a vector
                        {
                            var beside = new RowsBeside(x, zeros, row, y, z, nx, ny, nz);
                            // the vectors holding an unknown: Work stays 0 on the others (never written elsewhere)
                            var words = occupied!.Bits.AsSpan(occupied.Row(y, z) * occupied.Words, occupied.Words);
                            for (int word = 0; word < words.Length; word++)
                                for (ulong set = words[word]; set != 0; set &= set - 1)
                                {
                                    int at = Math.Min(xx + (64 * word + BitOperations.TrailingZeroCount(set)) * width, stop - width); // the last vector overlaps the one before: same values
                                    int i = row + at;
                                    var dv = Widened(ref d[i]);
                                    var sides = Vector.Load(x + i - 1) + Vector.Load(x + i + 1) + Vector.Load(beside.South + at) + Vector.Load(beside.North + at)
                                              + Vector.Load(beside.Below + at) + Vector.Load(beside.Above + at);
                                    var value = Vector.Load(b + i) - vs * (dv * Vector.Load(x + i) - sides);
                                    Vector.ConditionalSelect(Vector.GreaterThan(dv, Vector<float>.Zero), value, Vector<float>.Zero).Store(r + i);
                                }
                            xx = stop;
                        }
                    }
                    for (; xx < end; xx++) Edge(l, row, xx, y, z, b, x, r, d, s);
                }
        });
    }

    /// <summary>
    /// The rows beside row (y, z) along y and z, each pointing at its x = 0, or the level's row of zeros past the grid's
    /// faces: a sum over the six neighbours then adds a zero for each one the grid lacks, the same value as the edge
    /// path's sum over those it has (x + 0 is x).
    /// </summary>
    readonly unsafe struct RowsBeside(float* x, float* zeros, int row, int y, int z, int nx, int ny, int nz)
    {
        public readonly float* South = y > 0 ? x + row - nx : zeros, North = y < ny - 1 ? x + row + nx : zeros;
        public readonly float* Below = z > 0 ? x + row - nx * ny : zeros, Above = z < nz - 1 ? x + row + nx * ny : zeros;
    }

    /// <summary>body(z, y0, y1) over the box's rows (<see cref="RowRuns"/>), in parallel when the box is large.</summary>
    static void ForRows(VCycleLevel l, Action<int, int, int> body)
    {
        if (l.Box.IsEmpty) return;
        var box = l.Box;
        RowRuns.For(box.Z0, box.Z1, box.Y0, box.Y1, box.Cells >= ParallelCells, body);
    }

    static unsafe void Edge(VCycleLevel l, int row, int xx, int y, int z, float* b, float* x, float* r, byte* d, float s)
    {
        int i = row + xx;
        r[i] = d[i] == 0 ? 0 : b[i] - s * (d[i] * x[i] - Sides(l, x, i, xx, y, z));
    }

    /// <summary>The sum of x over the in-grid face neighbours of cell i = (xx, y, z): the scalar path at the grid's edges.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe float Sides(VCycleLevel l, float* x, int i, int xx, int y, int z)
    {
        int nx = l.Nx, ny = l.Ny, plane = nx * ny;
        float sides = 0;
        if (xx > 0) sides += x[i - 1];
        if (xx < nx - 1) sides += x[i + 1];
        if (y > 0) sides += x[i - nx];
        if (y < ny - 1) sides += x[i + nx];
        if (z > 0) sides += x[i - plane];
        if (z < l.Nz - 1) sides += x[i + plane];
        return sides;
    }

    /// <summary>
    /// One red-black successive over-relaxation sweep on the unknowns, in place: first the cells of colour
    /// <paramref name="first"/> ((x + y + z) % 2), then the others, each x += w (x_GS - x) with
    /// x_GS = (b / s + sum of the neighbours' x) / d; w = <paramref name="constant"/> (1: Gauss-Seidel) when no weights are given.
    /// The two colours run as one wave through the planes (first colour on plane z, second on plane z - 1), so each
    /// plane is read from memory once per sweep instead of twice. Large boxes are cut into one slab of planes per core;
    /// the second colour on the planes where two slabs meet waits until both slabs are done.
    /// </summary>
    public static void Sweep(VCycleLevel l, int first, float[]? weight, float constant = 1)
    {
        if (l.Sparse is { } sparse) SweepOnUnknowns(l, sparse, first, weight, constant);
        else SweepOnBox(l, first, weight, constant);
    }

    /// <summary>
    /// <see cref="Sweep"/> on the unknowns' lists (<see cref="SparseUnknowns"/>): the first colour's cells, then the
    /// second's, each in parallel chunks on long lists (a colour's cells read only the other colour's). Each cell takes
    /// the formula every path of the box takes, x + w (x_GS - x), at w = 1 too, so the values are the box's bit for bit.
    /// </summary>
    internal static unsafe void SweepOnUnknowns(VCycleLevel l, SparseUnknowns sparse, int first, float[]? weight, float constant)
    {
        int nx = l.Nx, plane = nx * l.Ny;
        float inverseScale = 1 / l.Scale;
        for (int pass = 0; pass < 2; pass++)
        {
            int colour = pass == 0 ? first : 1 - first;
            var inner = sparse.Inner[colour];
            SparseUnknowns.ForChunks(inner.Length, (from, to) =>
            {
                fixed (float* b = l.B, x = l.X, w = weight)
                fixed (byte* d = l.Diagonal)
                fixed (int* cells = inner)
                    for (int k = from; k < to; k++)
                    {
                        int i = cells[k];
                        float sides = x[i - 1] + x[i + 1] + x[i - nx] + x[i + nx] + x[i - plane] + x[i + plane];
                        float gaussSeidel = (b[i] * inverseScale + sides) * (1f / d[i]);
                        x[i] += (w == null ? constant : w[i]) * (gaussSeidel - x[i]);
                    }
            });
            fixed (float* b = l.B, x = l.X, w = weight)
            fixed (byte* d = l.Diagonal)
                foreach (int i in sparse.Edge[colour])
                {
                    float gaussSeidel = (b[i] * inverseScale + Sides(l, x, i, i % nx, i / nx % l.Ny, i / plane)) * (1f / d[i]);
                    x[i] += (w == null ? constant : w[i]) * (gaussSeidel - x[i]); // the vectors' formula, w = 1 too: the same bits on every path
                }
        }
    }

    /// <summary><see cref="Sweep"/> over the box, as one wave through its planes.</summary>
    internal static void SweepOnBox(VCycleLevel l, int first, float[]? weight, float constant)
    {
        if (l.Box.IsEmpty) return;
        int planes = l.Box.Z1 - l.Box.Z0 + 1, second = 1 - first;
        long cells = l.Box.Cells;
        int slabs = cells < ParallelCells ? 1 : Math.Min(Environment.ProcessorCount, planes / 2);
        if (cells >= ParallelCells && planes < 4 && Environment.ProcessorCount > 1)
        {
            // too few planes for two slabs (a grid one or a few cells high), which ran on one thread: each colour in
            // parallel runs of rows, the first colour everywhere before the second (a colour's cells read only the
            // other's); with more planes the wave's slabs stay, one per core where there are enough
            foreach (int colour in new[] { first, second })
                ForRows(l, (z, y0, y1) => RelaxPlane(l, z, colour, weight, constant, y0, y1));
            return;
        }
        if (slabs <= 1) { Wave(l, l.Box.Z0, l.Box.Z1, first, weight, constant, false, false); return; }
        int Start(int slab) => l.Box.Z0 + (int)((long)planes * slab / slabs);
        Parallel.For(0, slabs, slab => Wave(l, Start(slab), Start(slab + 1) - 1, first, weight, constant, slab > 0, slab < slabs - 1));
        for (int slab = 1; slab < slabs; slab++)
        {
            RelaxPlane(l, Start(slab) - 1, second, weight, constant);
            RelaxPlane(l, Start(slab), second, weight, constant);
        }
    }

    /// <summary>Planes lo..hi (at least two when a side is deferred): the first colour one plane ahead of the second.</summary>
    static void Wave(VCycleLevel l, int lo, int hi, int first, float[]? weight, float constant, bool deferLo, bool deferHi)
    {
        int second = 1 - first;
        for (int z = lo; z <= hi; z++)
        {
            RelaxPlane(l, z, first, weight, constant);
            if (z > lo && !(deferLo && z - 1 == lo)) RelaxPlane(l, z - 1, second, weight, constant);
        }
        if (!deferHi && !(deferLo && hi == lo)) RelaxPlane(l, hi, second, weight, constant);
    }

    /// <summary>
    /// The cells of one colour on plane z (its box rows <paramref name="y0"/>..<paramref name="y1"/>; all by default). A
    /// vector of cells of both colours is updated at once with w masked to 0 on the other colour (and off the unknowns,
    /// where 1/d and w are 0), which leaves those cells as they were; a neighbour row past the grid's faces reads as zeros.
    /// </summary>
    static unsafe void RelaxPlane(VCycleLevel l, int z, int colour, float[]? weight, float constant, int y0 = -1, int y1 = -1)
    {
        int nx = l.Nx, ny = l.Ny, nz = l.Nz, width = Vector<float>.Count;
        float inverseScale = 1 / l.Scale;
        var occupied = l.Occupied;
        if (y0 < 0) (y0, y1) = (l.Box.Y0, l.Box.Y1);
        fixed (float* x = l.X, b = l.B, w = weight, zeros = l.Zeros)
        fixed (byte* d = l.Diagonal)
            for (int y = y0; y <= y1; y++)
            {
                int row = (z * ny + y) * nx, xx = l.Box.X0, end = l.Box.X1 + 1;
                if (Vector.IsHardwareAccelerated)
                {
                    if (xx == 0) { RelaxRow(l, colour, row, 0, 0, y, z, x, b, d, w, constant, inverseScale); xx = 1; }
                    int stop = Math.Min(end, nx - 1); // the vectors' cells: xx..stop-1, inside the grid
                    if (stop - xx >= width)
                    {
                        fixed (ulong* bits = occupied!.Bits)
                            RelaxVectors(x, b, w, d, bits + occupied.Row(y, z) * occupied.Words, occupied.Words, row, xx, stop,
                                new RowsBeside(x, zeros, row, y, z, nx, ny, nz), colour + y + z, constant, inverseScale);
                        xx = stop;
                    }
                }
                RelaxRow(l, colour, row, xx, end - 1, y, z, x, b, d, w, constant, inverseScale);
            }
    }

    /// <summary>
    /// The vectors of row <paramref name="row"/> that hold an unknown (bit k of <paramref name="bits"/>' words: the vector at
    /// <paramref name="first"/> + k width, the last moved back to end at <paramref name="stop"/>), in
    /// <see cref="RelaxPlane"/>'s colour (cells whose x + <paramref name="parity"/> is even). A method of its own: inside
    /// the plane's loop its vectors and indices did not fit the registers, and a sweep of a full box took 20% longer.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static unsafe void RelaxVectors(float* x, float* b, float* w, byte* d, ulong* bits, int words, int row, int first, int stop,
        RowsBeside beside, int parity, float constant, float inverseScale)
    {
        float* south = beside.South, north = beside.North, below = beside.Below, above = beside.Above;
        int width = Vector<float>.Count;
        var odd = OddLanes;
        var even = Vector<float>.One - odd;
        var vis = new Vector<float>(inverseScale);
        // each vector is stored after the next one's loads: storing first would stall the next load, which overlaps it by
        // a cell, on the store (the overlapped cells have the other colour: their values stay)
        Vector<float> pending = default;
        int pendingAt = -1;
        for (int word = 0; word < words; word++)
            for (ulong set = bits[word]; set != 0; set &= set - 1)
            {
                int at = Math.Min(first + (64 * word + BitOperations.TrailingZeroCount(set)) * width, stop - width); // the last vector overlaps the one before: same inputs, same values
                int i = row + at;
                var diagonal = Widened(ref d[i]);
                // 1 / d, 0 off the unknowns (the division a lane of 0 makes infinite is not selected)
                var inverse = Vector.ConditionalSelect(Vector.GreaterThan(diagonal, Vector<float>.Zero), Vector<float>.One / diagonal, Vector<float>.Zero);
                var mask = ((parity + at) & 1) == 0 ? even : odd;
                var sides = Vector.Load(x + i - 1) + Vector.Load(x + i + 1) + Vector.Load(south + at) + Vector.Load(north + at)
                          + Vector.Load(below + at) + Vector.Load(above + at);
                var gaussSeidel = (Vector.Load(b + i) * vis + sides) * inverse;
                var xv = Vector.Load(x + i);
                var wv = w == null ? mask * constant : Vector.Load(w + i) * mask;
                if (pendingAt >= 0) pending.Store(x + row + pendingAt);
                (pending, pendingAt) = (xv + wv * (gaussSeidel - xv), at);
            }
        if (pendingAt >= 0) pending.Store(x + row + pendingAt); // none in a row of solid
    }

    /// <summary>The cells from..to of one row in <see cref="RelaxPlane"/>'s colour, one at a time, their neighbours checked against the grid's edges.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void RelaxRow(VCycleLevel l, int colour, int row, int from, int to, int y, int z, float* x, float* b, byte* d, float* w, float constant,
        float inverseScale)
    {
        for (int xx = from + ((colour + y + z + from) & 1), i = row + xx; xx <= to; xx += 2, i += 2)
        {
            if (d[i] == 0) continue;
            float gaussSeidel = (b[i] * inverseScale + Sides(l, x, i, xx, y, z)) * (1f / d[i]); // as the vectors: times the rounded inverse
            x[i] += (w == null ? constant : w[i]) * (gaussSeidel - x[i]); // the vectors' formula, w = 1 too: the same bits on every path
        }
    }

    /// <summary>
    /// coarse.B = P^T fine.Work / 8 on the coarse unknowns: along x into Half, along y into Quarter, along z into B.
    /// Each pass covers the fine box along the axes not yet restricted and the coarse box along the others.
    /// </summary>
    public static void Restrict(VCycleLevel fine, VCycleLevel coarse)
    {
        if (coarse.Box.IsEmpty) return;
        int fx = fine.Nx, fy = fine.Ny, fz = fine.Nz, cx = coarse.Nx, cy = coarse.Ny;
        var w = fine.Work; var half = fine.Half; var quarter = fine.Quarter; var zeros = fine.Zeros;
        int from = coarse.Box.X0, count = coarse.Box.X1 - coarse.Box.X0 + 1;
        ForPlanes(fine, z =>
        {
            for (int y = fine.Box.Y0; y <= fine.Box.Y1; y++)
            {
                int row = (z * fy + y) * fx, to = (z * fy + y) * cx;
                // all four taps inside the grid for 1 <= j <= (fx - 3) / 2
                int lo = Math.Max(coarse.Box.X0, 1), hi = Math.Min(coarse.Box.X1, (fx - 3) / 2);
                for (int j = coarse.Box.X0; j < Math.Min(lo, coarse.Box.X1 + 1); j++) half[to + j] = Gather(w, row, fx, j);
                for (int j = lo, i = row + 2 * lo; j <= hi; j++, i += 2) half[to + j] = 0.25f * (w[i - 1] + w[i + 2]) + 0.75f * (w[i] + w[i + 1]);
                for (int j = Math.Max(hi + 1, lo); j <= coarse.Box.X1; j++) half[to + j] = Gather(w, row, fx, j);
            }
            for (int j = coarse.Box.Y0; j <= coarse.Box.Y1; j++)
                Taps(quarter.AsSpan((z * cy + j) * cx + from, count), Row(half, zeros, z * fy, 2 * j - 1, fy, cx, from, count),
                     Row(half, zeros, z * fy, 2 * j, fy, cx, from, count), Row(half, zeros, z * fy, 2 * j + 1, fy, cx, from, count),
                     Row(half, zeros, z * fy, 2 * j + 2, fy, cx, from, count), default, 1);
        });
        var b = coarse.B; var d = coarse.Diagonal;
        ForPlanes(coarse, j =>
        {
            for (int y = coarse.Box.Y0; y <= coarse.Box.Y1; y++)
                Taps(b.AsSpan((j * cy + y) * cx + from, count), Plane(quarter, zeros, 2 * j - 1, fz, y, cy, cx, from, count),
                     Plane(quarter, zeros, 2 * j, fz, y, cy, cx, from, count), Plane(quarter, zeros, 2 * j + 1, fz, y, cy, cx, from, count),
                     Plane(quarter, zeros, 2 * j + 2, fz, y, cy, cx, from, count), d.AsSpan((j * cy + y) * cx + from, count), 1f / 8);
        });
    }

    /// <summary>Row y (of n) of the rows starting at row first, columns from..from+count of each width-long row; zeros outside 0..n-1.</summary>
    static ReadOnlySpan<float> Row(float[] v, float[] zeros, int first, int y, int n, int width, int from, int count) =>
        y >= 0 && y < n ? v.AsSpan((first + y) * width + from, count) : zeros.AsSpan(0, count);

    /// <summary>Row y of plane z (of n planes of rows x width); zeros outside 0..n-1.</summary>
    static ReadOnlySpan<float> Plane(float[] v, float[] zeros, int z, int n, int y, int rows, int width, int from, int count) =>
        z >= 0 && z < n ? v.AsSpan((z * rows + y) * width + from, count) : zeros.AsSpan(0, count);

    /// <summary>
    /// output = factor (a/4 + 3b/4 + 3c/4 + d/4), 0 where mask is 0 (no mask: everywhere); a vector at a time.
    /// </summary>
    static void Taps(Span<float> output, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ReadOnlySpan<float> d,
                     ReadOnlySpan<byte> mask, float factor)
    {
        float outer = 0.25f * factor, inner = 0.75f * factor;
        int width = Vector<float>.Count, n = output.Length, x = 0;
        ref float ra = ref MemoryMarshal.GetReference(a), rb = ref MemoryMarshal.GetReference(b), rc = ref MemoryMarshal.GetReference(c),
                  rd = ref MemoryMarshal.GetReference(d), ro = ref MemoryMarshal.GetReference(output);
        if (Vector.IsHardwareAccelerated)
        {
            var vo = new Vector<float>(outer); var vi = new Vector<float>(inner);
            for (; x + width <= n; x += width)
            {
                nuint at = (nuint)x;
                var value = vo * (Vector.LoadUnsafe(ref ra, at) + Vector.LoadUnsafe(ref rd, at)) + vi * (Vector.LoadUnsafe(ref rb, at) + Vector.LoadUnsafe(ref rc, at));
                if (!mask.IsEmpty)
                    value = Vector.ConditionalSelect(Vector.GreaterThan(Widened(ref Unsafe.Add(ref MemoryMarshal.GetReference(mask), at)), Vector<float>.Zero),
                        value, Vector<float>.Zero);
                value.StoreUnsafe(ref ro, at);
            }
        }
        for (; x < n; x++)
            output[x] = !mask.IsEmpty && mask[x] == 0 ? 0 : outer * (a[x] + d[x]) + inner * (b[x] + c[x]);
    }

    /// <summary>output = 3a/4 + b/4, a vector at a time.</summary>
    static void Taps(Span<float> output, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int width = Vector<float>.Count, n = output.Length, x = 0;
        ref float ra = ref MemoryMarshal.GetReference(a), rb = ref MemoryMarshal.GetReference(b), ro = ref MemoryMarshal.GetReference(output);
        if (Vector.IsHardwareAccelerated)
        {
            var near = new Vector<float>(0.75f); var far = new Vector<float>(0.25f);
            for (; x + width <= n; x += width)
                (near * Vector.LoadUnsafe(ref ra, (nuint)x) + far * Vector.LoadUnsafe(ref rb, (nuint)x)).StoreUnsafe(ref ro, (nuint)x);
        }
        for (; x < n; x++) output[x] = 0.75f * a[x] + 0.25f * b[x];
    }

    /// <summary>3/4 v at coarse index i / 2 plus 1/4 v at the coarse index on i's side (if inside 0..n-1): the x pass at the grid's edges.</summary>
    static float Spread(float[] v, int start, int n, int i)
    {
        int near = i / 2, far = (i & 1) == 0 ? near - 1 : near + 1;
        float value = 0.75f * v[start + near];
        return far >= 0 && far < n ? value + 0.25f * v[start + far] : value;
    }

    /// <summary>Sum over the fine indices i = 2j - 1 .. 2j + 2 inside 0..n-1 of (1/4, 3/4, 3/4, 1/4) v[start + i]: the x pass at the grid's edges.</summary>
    static float Gather(float[] v, int start, int n, int j)
    {
        int i = 2 * j - 1;
        float sum = 0;
        if (i >= 0) sum += 0.25f * v[start + i];
        if (i + 1 < n) sum += 0.75f * v[start + i + 1];
        if (i + 2 < n) sum += 0.75f * v[start + i + 2];
        if (i + 3 < n) sum += 0.25f * v[start + i + 3];
        return sum;
    }

    /// <summary>
    /// fine.X += P coarse.X on the fine unknowns: along z into Quarter, along y into Half, along x into X. Each pass covers
    /// the coarse box along the axes not yet prolonged and the fine box along the others, as restriction does.
    /// </summary>
    public static void ProlongAdd(VCycleLevel coarse, VCycleLevel fine)
    {
        if (coarse.Box.IsEmpty) return;
        int fx = fine.Nx, fy = fine.Ny, cx = coarse.Nx, cy = coarse.Ny, cz = coarse.Nz;
        var e = coarse.X; var half = fine.Half; var quarter = fine.Quarter; var x = fine.X; var d = fine.Diagonal; var zeros = fine.Zeros;
        int from = coarse.Box.X0, count = coarse.Box.X1 - coarse.Box.X0 + 1;
        ForPlanes(fine, z =>
        {
            int near = z / 2, far = (z & 1) == 0 ? near - 1 : near + 1;
            for (int y = coarse.Box.Y0; y <= coarse.Box.Y1; y++)
                Taps(quarter.AsSpan((z * cy + y) * cx + from, count), Plane(e, zeros, near, cz, y, cy, cx, from, count), Plane(e, zeros, far, cz, y, cy, cx, from, count));
            for (int y = fine.Box.Y0; y <= fine.Box.Y1; y++)
            {
                int nearRow = y / 2, farRow = (y & 1) == 0 ? nearRow - 1 : nearRow + 1;
                Taps(half.AsSpan((z * fy + y) * cx + from, count), Row(quarter, zeros, z * cy, nearRow, cy, cx, from, count),
                     Row(quarter, zeros, z * cy, farRow, cy, cx, from, count));
            }
            for (int y = fine.Box.Y0; y <= fine.Box.Y1; y++)
            {
                int row = (z * fy + y) * fx, start = (z * fy + y) * cx;
                // both sides inside the grid for 2 <= i <= 2 cx - 3; the cells off the unknowns are left as they are (0: a
                // correction of NaN or infinity, times 0, would leave NaN there, which a sparse level's Clear never clears)
                int lo = Math.Max(fine.Box.X0, 2), hi = Math.Min(fine.Box.X1, 2 * cx - 3);
                for (int i = fine.Box.X0; i < Math.Min(lo, fine.Box.X1 + 1); i++) if (d[row + i] != 0) x[row + i] += Spread(half, start, cx, i);
                for (int i = lo; i <= hi; i++)
                {
                    int c = start + (i >> 1), side = c + ((i & 1) << 1) - 1;
                    float value = x[row + i] + (0.75f * half[c] + 0.25f * half[side]);
                    x[row + i] = d[row + i] != 0 ? value : x[row + i];
                }
                for (int i = Math.Max(hi + 1, lo); i <= fine.Box.X1; i++) if (d[row + i] != 0) x[row + i] += Spread(half, start, cx, i);
            }
        });
    }
}
