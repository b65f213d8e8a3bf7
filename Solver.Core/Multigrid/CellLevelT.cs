using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Multigrid;

/// <summary>
/// A voxel operator's cells as the fine level of the CPU's K-cycle in precision T (<see cref="CellLevel.For"/> picks
/// it): red-black Gauss-Seidel by cell parity ((x + y + z) even first) and the residual, read in place from the faces,
/// each cell's sum taken in the order of its CSR row (-x, -y, -z, +x, +y, +z). In float the faces' coefficients and the
/// inverse diagonal are copied at set-up; in double the operator's own arrays are read; on the lists, each unknown's
/// row of them is copied instead (<see cref="_innerRows"/>). Vectors are one entry per
/// cell, 0 off the unknowns; the kernels touch only the box around the unknowns (<see cref="Box"/>: a free surface's
/// air above the liquid is never streamed), or only the unknowns where they fill the box sparsely (<see cref="Sparse"/>).
/// </summary>
internal sealed class CellLevel<T> : ICellLevel where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Below this many cells a kernel runs on the calling thread.</summary>
    const int ParallelCells = 1 << 14;

    readonly VoxelOperator _op;
    T[]? _faceX, _faceY, _faceZ; // the operator's faces in T; on the lists, made only when asked for (CellLines)
    T[]? _inverse; // 1 / the diagonal on the unknowns, 0 elsewhere

    /// <param name="diagonal">The operator's diagonal per cell (<see cref="CellLevel.DiagonalOf"/>).</param>
    public CellLevel(VoxelOperator op, double[] diagonal)
    {
        if (diagonal.Length != op.CellCount)
            throw new ArgumentException($"the diagonal has {diagonal.Length} entries; the operator has {op.CellCount} cells", nameof(diagonal));
        (_op, Diagonal) = (op, diagonal);
        (_zeros, _negativeZeros) = (new T[op.Nx], Enumerable.Repeat(T.NegativeZero, op.Nx).ToArray());
        Box = CellBox.Around(diagonal, op.Nx, op.Ny, op.Nz);
        Sparse = SparseUnknowns.Of(diagonal, Box, op.Nx, op.Ny, op.Nz);
        int n = op.CellCount;
        if (Sparse is { } sparse)
        {
            // the lists read each unknown's row, not the grid's faces: a tenth of the cells or less copied, not all
            var spans = new RowSpans();
            _innerRows = [Rows(sparse.Inner[0], spans, inner: true), Rows(sparse.Inner[1], spans, inner: true)];
            _edgeRows = [Rows(sparse.Edge[0], spans, inner: false), Rows(sparse.Edge[1], spans, inner: false)];
            (Faces, Diagonals) = typeof(T) == typeof(double) ? (Unknown, Unknown)
                : (CellLevel.Span([spans.FaceLo], [spans.FaceHi]), CellLevel.Span([spans.DiagonalLo], [spans.DiagonalHi]));
        }
        else (Faces, Diagonals) = CopyFaces();
        // B stays 0 off the unknowns; X is cleared by each cycle (on the lists only, so it starts 0 where they are walked);
        // Work is read on the unknowns only, after the residual wrote it
        (B, X, Work) = (RebindCache.Array<T>(n), Sparse is null ? Written(n) : RebindCache.Array<T>(n), Written(n));
    }

    /// <summary>
    /// The faces and the inverse diagonal of every cell in T (in double the operator's own faces serve), and the span
    /// of the open faces and of the unknowns' diagonals, found while copying them (NaN in double, which copies nothing).
    /// </summary>
    (PositiveRange Faces, PositiveRange Diagonals) CopyFaces()
    {
        var (op, diagonal) = (_op, Diagonal);
        int n = op.CellCount, plane = op.Nx * op.Ny;
        bool copied = typeof(T) != typeof(double);
        var (fx, fy, fz, inverse) = copied ? (Written(n), Written(n), Written(n), Written(n))
            : ((T[])(object)op.FaceX, (T[])(object)op.FaceY, (T[])(object)op.FaceZ, Written(n));
        var (smallest, largest) = (new double[op.Nz], new double[op.Nz]);
        var (smallestDiagonal, largestDiagonal) = (new double[op.Nz], new double[op.Nz]);
        Parallel.For(0, op.Nz, z =>
        {
            double lo = double.MaxValue, hi = 0, dlo = double.MaxValue, dhi = 0;
            int i = z * plane, end = i + plane;
            if (typeof(T) == typeof(float))
                i = CopiedInFloat(op, diagonal, (float[])(object)fx, (float[])(object)fy, (float[])(object)fz, (float[])(object)inverse, i, end,
                    ref lo, ref hi, ref dlo, ref dhi);
            for (; i < end; i++)
            {
                if (copied)
                {
                    (double cx, double cy, double cz) = (op.FaceX[i], op.FaceY[i], op.FaceZ[i]);
                    (fx[i], fy[i], fz[i]) = (T.CreateTruncating(cx), T.CreateTruncating(cy), T.CreateTruncating(cz));
                    foreach (double c in (ReadOnlySpan<double>)[cx, cy, cz])
                        if (c > 0) (lo, hi) = (Math.Min(lo, c), Math.Max(hi, c));
                    if (diagonal[i] > 0) (dlo, dhi) = (Math.Min(dlo, diagonal[i]), Math.Max(dhi, diagonal[i]));
                }
                inverse[i] = diagonal[i] > 0 ? T.CreateTruncating(1 / diagonal[i]) : T.Zero;
            }
            (smallest[z], largest[z], smallestDiagonal[z], largestDiagonal[z]) = (lo, hi, dlo, dhi);
        });
        (_faceY, _faceZ, _inverse) = (fy, fz, inverse);
        Volatile.Write(ref _faceX, fx); // published last: a thread that sees it sees the others (GridFaces)
        return copied ? (CellLevel.Span(smallest, largest), CellLevel.Span(smallestDiagonal, largestDiagonal)) : (Unknown, Unknown);
    }

    /// <summary>A span not found (in double, which copies nothing).</summary>
    static readonly PositiveRange Unknown = new(double.NaN, double.NaN);

    /// <summary>The grid's faces in T, copied at the first call where the lists made none.</summary>
    (T[] X, T[] Y, T[] Z) GridFaces()
    {
        if (Volatile.Read(ref _faceX) is null)
            lock (_copying)
                if (_faceX is null) CopyFaces();
        return (_faceX!, _faceY!, _faceZ!);
    }

    readonly Lock _copying = new();

    /// <summary>
    /// Per colour, where the lists are walked: each unknown's row in one place, <see cref="RowWidth"/> entries in the
    /// list's order (its faces -x, -y, -z, +x, +y, +z, its inverse diagonal, its diagonal in T; a face outside the grid
    /// 0), so a sweep reads one line of coefficients per cell instead of six scattered ones; the unknowns with every
    /// face inside the grid, and those on its faces.
    /// </summary>
    readonly T[][]? _innerRows, _edgeRows;

    /// <summary>Entries per row of <see cref="_innerRows"/> and <see cref="_edgeRows"/>.</summary>
    const int RowWidth = 8;

    /// <summary>The smallest open face and the largest, and the smallest diagonal and the largest, of the rows made.</summary>
    sealed class RowSpans
    {
        public double FaceLo = double.MaxValue, FaceHi, DiagonalLo = double.MaxValue, DiagonalHi;
        readonly Lock _merging = new();

        public void Merge(double faceLo, double faceHi, double diagonalLo, double diagonalHi)
        {
            lock (_merging)
                (FaceLo, FaceHi, DiagonalLo, DiagonalHi) = (Math.Min(FaceLo, faceLo), Math.Max(FaceHi, faceHi), Math.Min(DiagonalLo, diagonalLo), Math.Max(DiagonalHi, diagonalHi));
        }
    }

    /// <summary>The rows of <paramref name="cells"/> (unknowns) from the operator's doubles, rounded as the grid's copies
    /// round them; their open faces +x, +y, +z (each open face is one unknown's) and diagonals into <paramref name="spans"/>.</summary>
    /// <param name="inner">Every cell has its six neighbours inside the grid (no face to test against its edges).</param>
    T[] Rows(int[] cells, RowSpans spans, bool inner)
    {
        var (op, diagonal) = (_op, Diagonal);
        int nx = op.Nx, ny = op.Ny, plane = nx * ny;
        var (fx, fy, fz) = (op.FaceX, op.FaceY, op.FaceZ);
        var rows = new T[cells.Length * RowWidth];
        SparseUnknowns.ForChunks(cells.Length, (from, to) =>
        {
            double lo = double.MaxValue, hi = 0, dlo = double.MaxValue, dhi = 0;
            for (int k = from; k < to; k++)
            {
                int i = cells[k];
                var row = rows.AsSpan(k * RowWidth, RowWidth);
                bool low = inner; // x, y, z > 0 (the others' faces to +x, +y, +z are in the arrays, 0 past the grid)
                row[0] = low || i % nx > 0 ? T.CreateTruncating(fx[i - 1]) : T.Zero;
                row[1] = low || i / nx % ny > 0 ? T.CreateTruncating(fy[i - nx]) : T.Zero;
                row[2] = low || i / plane > 0 ? T.CreateTruncating(fz[i - plane]) : T.Zero;
                (row[3], row[4], row[5]) = (T.CreateTruncating(fx[i]), T.CreateTruncating(fy[i]), T.CreateTruncating(fz[i]));
                double d = diagonal[i];
                (row[6], row[7]) = (T.CreateTruncating(1 / d), T.CreateTruncating(d));
                foreach (double c in (ReadOnlySpan<double>)[fx[i], fy[i], fz[i]])
                    if (c > 0) (lo, hi) = (Math.Min(lo, c), Math.Max(hi, c));
                (dlo, dhi) = (Math.Min(dlo, d), Math.Max(dhi, d));
            }
            spans.Merge(lo, hi, dlo, dhi);
        });
        return rows;
    }

    /// <summary>
    /// The faces and the inverse diagonal of cells from..to-1 in float, two vectors of doubles to one of floats at a time
    /// (the same roundings as one at a time), the smallest open face and the largest face, and the smallest positive
    /// diagonal and the largest, kept as they go; returns the first cell left for the caller's loop.
    /// </summary>
    static int CopiedInFloat(VoxelOperator op, double[] diagonal, float[] fx, float[] fy, float[] fz, float[] inverse, int from, int to,
        ref double lo, ref double hi, ref double dlo, ref double dhi)
    {
        int w = Vector<double>.Count, i = from;
        if (!Vector.IsHardwareAccelerated) return i;
        var (smallest, largest) = (new Vector<double>(double.MaxValue), Vector<double>.Zero);
        var (smallestDiagonal, largestDiagonal) = (new Vector<double>(double.MaxValue), Vector<double>.Zero);
        void Face(double[] source, float[] into, int at, ref Vector<double> smallest, ref Vector<double> largest)
        {
            var (a, b) = (Vector.LoadUnsafe(ref source[at]), Vector.LoadUnsafe(ref source[at + w]));
            Vector.Narrow(a, b).StoreUnsafe(ref into[at]);
            var none = new Vector<double>(double.MaxValue);
            smallest = Vector.Min(smallest, Vector.Min(Vector.ConditionalSelect(Vector.GreaterThan(a, Vector<double>.Zero), a, none),
                Vector.ConditionalSelect(Vector.GreaterThan(b, Vector<double>.Zero), b, none)));
            largest = Vector.Max(largest, Vector.Max(a, b));
        }
        for (; i + 2 * w <= to; i += 2 * w)
        {
            Face(op.FaceX, fx, i, ref smallest, ref largest);
            Face(op.FaceY, fy, i, ref smallest, ref largest);
            Face(op.FaceZ, fz, i, ref smallest, ref largest);
            var (d, e) = (Vector.LoadUnsafe(ref diagonal[i]), Vector.LoadUnsafe(ref diagonal[i + w]));
            var none = new Vector<double>(double.MaxValue);
            smallestDiagonal = Vector.Min(smallestDiagonal, Vector.Min(Vector.ConditionalSelect(Vector.GreaterThan(d, Vector<double>.Zero), d, none),
                Vector.ConditionalSelect(Vector.GreaterThan(e, Vector<double>.Zero), e, none)));
            largestDiagonal = Vector.Max(largestDiagonal, Vector.Max(d, e));
            var (di, ei) = (Vector.ConditionalSelect(Vector.GreaterThan(d, Vector<double>.Zero), Vector<double>.One / d, Vector<double>.Zero),
                Vector.ConditionalSelect(Vector.GreaterThan(e, Vector<double>.Zero), Vector<double>.One / e, Vector<double>.Zero));
            Vector.Narrow(di, ei).StoreUnsafe(ref inverse[i]);
        }
        for (int k = 0; k < w; k++)
            (lo, hi, dlo, dhi) = (Math.Min(lo, smallest[k]), Math.Max(hi, largest[k]), Math.Min(dlo, smallestDiagonal[k]), Math.Max(dhi, largestDiagonal[k]));
        return i;
    }

    /// <summary>The smallest open face and the largest, found while copying them (NaN in double, which copies nothing).</summary>
    public PositiveRange Faces { get; }

    /// <summary>The unknowns' smallest diagonal and the largest, found while taking their inverses (NaN in double).</summary>
    public PositiveRange Diagonals { get; }

    static T[] Written(int n) => RebindCache.Array<T>(n, zeroed: false); // every entry written in the constructor

    /// <summary>The level's right-hand side, correction and residual (0 off the unknowns).</summary>
    public T[] B { get; }
    public T[] X { get; }
    public T[] Work { get; }

    public VoxelOperator Operator => _op;
    /// <summary>The operator's faces in T (its own arrays in double).</summary>
    internal T[] FaceX => GridFaces().X;
    internal T[] FaceY => GridFaces().Y;
    internal T[] FaceZ => GridFaces().Z;
    public bool Single => typeof(T) == typeof(float);

    /// <summary>The box around the unknowns: the kernels touch only that.</summary>
    public CellBox Box { get; }

    /// <summary>The unknowns by colour where they fill the box sparsely (the kernels walk these, not the box); else null.</summary>
    public SparseUnknowns? Sparse { get; }

    /// <summary>Per cell, the operator's diagonal (0 off the unknowns).</summary>
    public double[] Diagonal { get; }

    /// <summary>Gauss-Seidel on the cells of one colour (0: x + y + z even), in place; their neighbours are all of the other colour.</summary>
    public void GaussSeidelColour(T[] b, T[] x, int colour)
    {
        if (Sparse is { } sparse) RelaxUnknowns(sparse, b, x, colour);
        else Rows((z, y0, y1) => RelaxPlane(b, x, z, colour, y0, y1));
    }

    /// <summary>
    /// One red-black sweep, colour <paramref name="first"/> then the other: the same as the two colours one after the
    /// other, run as one wave through the planes (the first colour on plane z, the second on z - 1), so each sweep
    /// streams the faces once instead of twice. In parallel slabs, the second colour on each slab's first and last
    /// planes deferred until the neighbouring slab's first colour is done (as <see cref="VCycleKernels.Sweep"/>).
    /// </summary>
    public void Sweep(T[] b, T[] x, int first)
    {
        if (Box.IsEmpty) return;
        if (Sparse is { } sparse)
        {
            RelaxUnknowns(sparse, b, x, first);
            RelaxUnknowns(sparse, b, x, 1 - first);
            return;
        }
        int planes = Box.Z1 - Box.Z0 + 1, second = 1 - first;
        int slabs = Box.Cells < ParallelCells ? 1 : Math.Min(Environment.ProcessorCount, planes / 2);
        if (Box.Cells >= ParallelCells && planes < 4 && Environment.ProcessorCount > 1)
        {
            // too few planes for two slabs (a grid one or a few cells high), which ran on one thread: each colour in
            // parallel runs of rows; with more planes the wave's slabs stay, one per core where there are enough
            GaussSeidelColour(b, x, first);
            GaussSeidelColour(b, x, second);
            return;
        }
        if (slabs <= 1) { Wave(b, x, Box.Z0, Box.Z1, first, false, false); return; }
        int Start(int slab) => Box.Z0 + (int)((long)planes * slab / slabs);
        Parallel.For(0, slabs, slab => Wave(b, x, Start(slab), Start(slab + 1) - 1, first, slab > 0, slab < slabs - 1));
        for (int slab = 1; slab < slabs; slab++)
        {
            RelaxPlane(b, x, Start(slab) - 1, second);
            RelaxPlane(b, x, Start(slab), second);
        }
    }

    /// <summary>Planes lo..hi (at least two when a side is deferred): the first colour one plane ahead of the second.</summary>
    void Wave(T[] b, T[] x, int lo, int hi, int first, bool deferLo, bool deferHi)
    {
        int second = 1 - first;
        for (int z = lo; z <= hi; z++)
        {
            RelaxPlane(b, x, z, first);
            if (z > lo && !(deferLo && z - 1 == lo)) RelaxPlane(b, x, z - 1, second);
        }
        if (!deferHi && !(deferLo && hi == lo)) RelaxPlane(b, x, hi, second);
    }

    /// <summary>
    /// The cells of one colour on plane z (its box rows <paramref name="y0"/>..<paramref name="y1"/>; all by default). A row
    /// runs a vector of cells of both colours at a time, the other colour's lanes and the cells without an unknown (inverse
    /// diagonal 0) kept as they were, a neighbour row past the grid's faces read as zeros; each cell's sum in the same order
    /// as a cell on its own (<see cref="AddNeighbours(T, T[], int, int, bool, bool, bool, bool)"/>), so the values are the
    /// same bit for bit.
    /// </summary>
    void RelaxPlane(T[] b, T[] x, int z, int colour, int y0 = -1, int y1 = -1)
    {
        int nx = _op.Nx, ny = _op.Ny, width = Vector<T>.Count;
        bool below = z > 0, above = z < _op.Nz - 1;
        if (y0 < 0) (y0, y1) = (Box.Y0, Box.Y1);
        for (int y = y0; y <= y1; y++)
        {
            bool south = y > 0, north = y < ny - 1;
            int row = nx * (y + ny * z), from = Math.Max(Box.X0, 1), stop = Math.Min(Box.X1 + 1, nx - 1); // vectors: from..stop-1, both x faces inside
            if (stop - from >= width && Vector.IsHardwareAccelerated)
            {
                RelaxCells(b, x, row, Box.X0, from - 1, y, z, colour, south, north, below, above);
                RelaxVectors(b, x, row, from, stop, y + z + colour, new RowsBeside(this, x, row, y, z));
                RelaxCells(b, x, row, stop, Box.X1, y, z, colour, south, north, below, above);
            }
            else RelaxCells(b, x, row, Box.X0, Box.X1, y, z, colour, south, north, below, above);
        }
    }

    /// <summary>The cells lo..hi of one row in the colour, one at a time, their faces checked against the grid's edges.</summary>
    void RelaxCells(T[] b, T[] x, int row, int lo, int hi, int y, int z, int colour, bool south, bool north, bool below, bool above)
    {
        var inverse = _inverse!;
        for (int cx = lo + ((lo + colour + y + z) & 1), i = row + cx; cx <= hi; cx += 2, i += 2)
        {
            T w = inverse[i];
            if (w == T.Zero) continue; // no unknown
            x[i] = AddNeighbours(b[i], x, i, cx, south, north, below, above) * w;
        }
    }

    /// <summary>Cells from..stop-1 of a row, a vector at a time (at least one vector's width), its neighbour rows
    /// <paramref name="beside"/>; the cells of the colour are those whose lane parity is <paramref name="parity"/>'s
    /// (x + y + z + colour even). A vector is stored after the next one's loads (storing first would stall the next load,
    /// which overlaps it by a cell; the overlapped cells are of the other colour, unchanged).</summary>
    void RelaxVectors(T[] b, T[] x, int row, int from, int stop, int parity, RowsBeside beside)
    {
        int width = Vector<T>.Count;
        ref T rb = ref MemoryMarshal.GetArrayDataReference(b), rx = ref MemoryMarshal.GetArrayDataReference(x),
              inverse = ref MemoryMarshal.GetArrayDataReference(_inverse!);
        Vector<T> pending = default;
        int pendingAt = -1;
        for (int v = from; v < stop; v += width)
        {
            int at = Math.Min(v, stop - width); // the last vector overlaps the one before: the same inputs, the same values
            nuint i = (nuint)(row + at);
            var w = Vector.LoadUnsafe(ref inverse, i);
            if (w == Vector<T>.Zero) continue; // no unknown among these cells
            var s = AddNeighbours(Vector.LoadUnsafe(ref rb, i), ref rx, i, beside, (nuint)at);
            var relaxed = Vector.AndNot(((parity + at) & 1) == 0 ? EvenLanes : OddLanes, Vector.Equals(w, Vector<T>.Zero)); // the colour's unknowns
            var value = Vector.ConditionalSelect(relaxed, s * w, Vector.LoadUnsafe(ref rx, i));
            if (pendingAt >= 0) pending.StoreUnsafe(ref rx, (nuint)(row + pendingAt));
            (pending, pendingAt) = (value, at);
        }
        if (pendingAt >= 0) pending.StoreUnsafe(ref rx, (nuint)(row + pendingAt)); // none when every vector was skipped
    }

    /// <summary>All bits set on a vector's even lanes (odd lanes), 0 on the others.</summary>
    internal static readonly Vector<T> EvenLanes = Vector.Equals(Parities(), Vector<T>.Zero), OddLanes = Vector.Equals(Parities(), Vector<T>.One);

    static Vector<T> Parities()
    {
        Span<T> lanes = stackalloc T[Vector<T>.Count];
        for (int k = 0; k < lanes.Length; k++) lanes[k] = T.CreateTruncating(k & 1);
        return new Vector<T>(lanes);
    }

    /// <summary>
    /// The cells of one colour on the lists (<see cref="Sparse"/>): those with every face inside the grid in parallel
    /// chunks on long lists, then those on its faces; each cell's sum as <see cref="RelaxCells"/> and the vectors take it,
    /// so the values are the box's bit for bit. A colour's cells read only the other colour's.
    /// </summary>
    void RelaxUnknowns(SparseUnknowns sparse, T[] b, T[] x, int colour)
    {
        var (inner, rows) = (sparse.Inner[colour], _innerRows![colour]);
        SparseUnknowns.ForChunks(inner.Length, (from, to) =>
        {
            for (int k = from; k < to; k++)
            {
                int i = inner[k];
                var row = rows.AsSpan(k * RowWidth, RowWidth);
                x[i] = AddInnerNeighbours(b[i], x, i, row) * row[6];
            }
        });
        var (edge, edgeRows) = (sparse.Edge[colour], _edgeRows![colour]);
        for (int k = 0; k < edge.Length; k++)
        {
            int i = edge[k];
            var row = edgeRows.AsSpan(k * RowWidth, RowWidth);
            x[i] = AddEdgeNeighbours(b[i], x, i, row) * row[6];
        }
    }

    /// <summary>r = b - A x on the unknowns' lists (<see cref="Sparse"/>), as <see cref="ResidualCells"/> takes each; r is
    /// not written off the unknowns, where nothing reads it.</summary>
    void ResidualOnUnknowns(SparseUnknowns sparse, T[] b, T[] x, T[] r)
    {
        for (int colour = 0; colour < 2; colour++)
        {
            var (inner, rows) = (sparse.Inner[colour], _innerRows![colour]);
            SparseUnknowns.ForChunks(inner.Length, (from, to) =>
            {
                for (int k = from; k < to; k++)
                {
                    int i = inner[k];
                    var row = rows.AsSpan(k * RowWidth, RowWidth);
                    r[i] = AddInnerNeighbours(b[i] - row[7] * x[i], x, i, row);
                }
            });
            var (edge, edgeRows) = (sparse.Edge[colour], _edgeRows![colour]);
            for (int k = 0; k < edge.Length; k++)
            {
                int i = edge[k];
                var row = edgeRows.AsSpan(k * RowWidth, RowWidth);
                r[i] = AddEdgeNeighbours(b[i] - row[7] * x[i], x, i, row);
            }
        }
    }

    /// <summary><see cref="AddNeighbours(T, T[], int, int, bool, bool, bool, bool)"/> for an unknown on the grid's faces, its
    /// faces from its row: those outside the grid add nothing, as there.</summary>
    T AddEdgeNeighbours(T s, T[] x, int i, ReadOnlySpan<T> row)
    {
        int nx = _op.Nx, ny = _op.Ny, plane = nx * ny, cx = i % nx, y = i / nx % ny, z = i / plane;
        if (cx > 0) s += row[0] * x[i - 1];
        if (y > 0) s += row[1] * x[i - nx];
        if (z > 0) s += row[2] * x[i - plane];
        if (cx < nx - 1) s += row[3] * x[i + 1];
        if (y < ny - 1) s += row[4] * x[i + nx];
        if (z < _op.Nz - 1) s += row[5] * x[i + plane];
        return s;
    }

    /// <summary>r = b - A x on the box around the unknowns (0 at its other cells; those outside it are not written), or on
    /// the unknowns only where they fill the box sparsely (<see cref="Sparse"/>; the box's other cells not written).</summary>
    public void Residual(T[] b, T[] x, T[] r)
    {
        if (Sparse is { } sparse) ResidualOnUnknowns(sparse, b, x, r);
        else ResidualOnBox(b, x, r);
    }

    void ResidualOnBox(T[] b, T[] x, T[] r) => Rows((z, y0, y1) =>
    {
        int nx = _op.Nx, ny = _op.Ny, width = Vector<T>.Count;
        bool below = z > 0, above = z < _op.Nz - 1;
        for (int y = y0; y <= y1; y++)
        {
            bool south = y > 0, north = y < ny - 1;
            int row = nx * (y + ny * z), from = Math.Max(Box.X0, 1), stop = Math.Min(Box.X1 + 1, nx - 1); // vectors: from..stop-1
            if (stop - from >= width && Vector.IsHardwareAccelerated)
            {
                ResidualCells(b, x, r, row, Box.X0, from - 1, south, north, below, above);
                ResidualVectors(b, x, r, row, from, stop, new RowsBeside(this, x, row, y, z));
                ResidualCells(b, x, r, row, stop, Box.X1, south, north, below, above);
            }
            else ResidualCells(b, x, r, row, Box.X0, Box.X1, south, north, below, above);
        }
    });

    void ResidualCells(T[] b, T[] x, T[] r, int row, int lo, int hi, bool south, bool north, bool below, bool above)
    {
        var d = Diagonal;
        for (int cx = lo, i = row + lo; cx <= hi; cx++, i++)
        {
            double di = d[i];
            if (!(di > 0)) { r[i] = T.Zero; continue; }
            r[i] = AddNeighbours(b[i] - T.CreateTruncating(di) * x[i], x, i, cx, south, north, below, above);
        }
    }

    /// <summary>Cells from..stop-1 of a row, a vector at a time, its neighbour rows <paramref name="beside"/>: each cell's
    /// sum in the order of <see cref="ResidualCells"/>, the diagonal rounded to T as there (a float vector from two double ones).</summary>
    void ResidualVectors(T[] b, T[] x, T[] r, int row, int from, int stop, RowsBeside beside)
    {
        int width = Vector<T>.Count;
        ref T rb = ref MemoryMarshal.GetArrayDataReference(b), rx = ref MemoryMarshal.GetArrayDataReference(x), rr = ref MemoryMarshal.GetArrayDataReference(r);
        ref double diagonal = ref MemoryMarshal.GetArrayDataReference(Diagonal);
        for (int v = from; v < stop; v += width)
        {
            int at = Math.Min(v, stop - width); // the last vector overlaps the one before: the same values
            nuint i = (nuint)(row + at);
            Vector<T> d, unknown; // the diagonal in T, and where it is positive in double (as the cells test it)
            if (typeof(T) == typeof(float))
            {
                var (low, high) = (Vector.LoadUnsafe(ref diagonal, i), Vector.LoadUnsafe(ref diagonal, i + (nuint)Vector<double>.Count));
                d = (Vector<T>)(object)Vector.Narrow(low, high);
                unknown = (Vector<T>)(object)Vector.AsVectorSingle(Vector.Narrow(Vector.GreaterThan(low, Vector<double>.Zero), Vector.GreaterThan(high, Vector<double>.Zero)));
            }
            else
            {
                var wide = Vector.LoadUnsafe(ref diagonal, i);
                (d, unknown) = ((Vector<T>)(object)wide, (Vector<T>)(object)Vector.AsVectorDouble(Vector.GreaterThan(wide, Vector<double>.Zero)));
            }
            var s = AddNeighbours(Vector.LoadUnsafe(ref rb, i) - d * Vector.LoadUnsafe(ref rx, i), ref rx, i, beside, (nuint)at);
            Vector.ConditionalSelect(unknown, s, Vector<T>.Zero).StoreUnsafe(ref rr, i);
        }
    }

    /// <summary>
    /// s plus c_f x_j over cell i's faces, in its CSR row's order (-x, -y, -z, +x, +y, +z); a closed face's c is 0 and
    /// adds nothing, so only the grid's edges are tested (the row's flags, and x against the grid's ends).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    T AddNeighbours(T s, T[] x, int i, int cx, bool south, bool north, bool below, bool above)
    {
        int nx = _op.Nx, plane = nx * _op.Ny;
        var (fx, fy, fz) = (_faceX!, _faceY!, _faceZ!);
        if (cx > 0) s += fx[i - 1] * x[i - 1];
        if (south) s += fy[i - nx] * x[i - nx];
        if (below) s += fz[i - plane] * x[i - plane];
        if (cx < nx - 1) s += fx[i] * x[i + 1];
        if (north) s += fy[i] * x[i + nx];
        if (above) s += fz[i] * x[i + plane];
        return s;
    }

    /// <summary><see cref="AddNeighbours(T, T[], int, int, bool, bool, bool, bool)"/> for a cell with every face inside the grid,
    /// its faces from its row of <see cref="_innerRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    T AddInnerNeighbours(T s, T[] x, int i, ReadOnlySpan<T> row)
    {
        int nx = _op.Nx, plane = nx * _op.Ny;
        s += row[0] * x[i - 1];
        s += row[1] * x[i - nx];
        s += row[2] * x[i - plane];
        s += row[3] * x[i + 1];
        s += row[4] * x[i + nx];
        s += row[5] * x[i + plane];
        return s;
    }

    /// <summary><see cref="AddNeighbours(T, T[], int, int, bool, bool, bool, bool)"/> for the vector of cells from i (x = at
    /// in its row, both x faces inside the grid), in the same order; the y and z faces and their x from <paramref name="beside"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    Vector<T> AddNeighbours(Vector<T> s, ref T x, nuint i, RowsBeside beside, nuint at)
    {
        ref T fx = ref MemoryMarshal.GetArrayDataReference(_faceX!);
        s += Vector.LoadUnsafe(ref fx, i - 1) * Vector.LoadUnsafe(ref x, i - 1);
        s += Vector.LoadUnsafe(ref beside.SouthFace, at) * Vector.LoadUnsafe(ref beside.SouthX, at);
        s += Vector.LoadUnsafe(ref beside.BelowFace, at) * Vector.LoadUnsafe(ref beside.BelowX, at);
        s += Vector.LoadUnsafe(ref fx, i) * Vector.LoadUnsafe(ref x, i + 1);
        s += Vector.LoadUnsafe(ref beside.NorthFace, at) * Vector.LoadUnsafe(ref beside.NorthX, at);
        s += Vector.LoadUnsafe(ref beside.AboveFace, at) * Vector.LoadUnsafe(ref beside.AboveX, at);
        return s;
    }

    /// <summary>
    /// The y and z faces of a row (y, z) and the x of the rows beside it, each at the row's x = 0; past the grid's faces
    /// a row of -0 faces and one of +0 x, whose product -0 adds nothing to any sum (s + -0 is s, -0 and +0 too), so a
    /// row on the grid's faces takes the vectors with the values the cells on their own give, bit for bit.
    /// </summary>
    readonly ref struct RowsBeside
    {
        public readonly ref T SouthFace;
        public readonly ref T SouthX;
        public readonly ref T BelowFace;
        public readonly ref T BelowX;
        public readonly ref T NorthFace;
        public readonly ref T NorthX;
        public readonly ref T AboveFace;
        public readonly ref T AboveX;

        public RowsBeside(CellLevel<T> level, T[] x, int row, int y, int z)
        {
            int nx = level._op.Nx, plane = nx * level._op.Ny;
            ref T faceZeros = ref MemoryMarshal.GetArrayDataReference(level._negativeZeros), xZeros = ref MemoryMarshal.GetArrayDataReference(level._zeros);
            ref T fy = ref MemoryMarshal.GetArrayDataReference(level._faceY!), fz = ref MemoryMarshal.GetArrayDataReference(level._faceZ!);
            ref T rx = ref MemoryMarshal.GetArrayDataReference(x);
            bool south = y > 0, north = y < level._op.Ny - 1, below = z > 0, above = z < level._op.Nz - 1;
            SouthFace = ref south ? ref Unsafe.Add(ref fy, row - nx) : ref faceZeros;
            SouthX = ref south ? ref Unsafe.Add(ref rx, row - nx) : ref xZeros;
            BelowFace = ref below ? ref Unsafe.Add(ref fz, row - plane) : ref faceZeros;
            BelowX = ref below ? ref Unsafe.Add(ref rx, row - plane) : ref xZeros;
            NorthFace = ref north ? ref Unsafe.Add(ref fy, row) : ref faceZeros;
            NorthX = ref north ? ref Unsafe.Add(ref rx, row + nx) : ref xZeros;
            AboveFace = ref above ? ref Unsafe.Add(ref fz, row) : ref faceZeros;
            AboveX = ref above ? ref Unsafe.Add(ref rx, row + plane) : ref xZeros;
        }
    }

    /// <summary>A row of +0 (x past the grid's faces) and one of -0 (the faces there): see <see cref="RowsBeside"/>.</summary>
    readonly T[] _zeros, _negativeZeros;

    /// <summary>body(z, y0, y1) over the box's rows (<see cref="RowRuns"/>), in parallel when the box is large.</summary>
    void Rows(Action<int, int, int> body) => RowRuns.For(Box.Z0, Box.Z1, Box.Y0, Box.Y1, Box.Cells >= ParallelCells, body);
}
