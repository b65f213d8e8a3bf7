using System.Numerics;
using Dcdm.Sparse;

namespace Dcdm.Poisson;

/// <summary>
/// A voxel pressure operator with a coefficient per face: (A p)_i = sum over open faces f of c_f (p_i - p_j) + d_i p_i,
/// on an nx*ny*nz grid (cell x + nx (y + ny z)). It covers what CFD pressure solves assemble:
/// <list type="bullet">
/// <item>two-phase flow: c_f = 2 / (rho_i + rho_j), both phases unknowns;</item>
/// <item>cut-cell solids (Batty, Bertails and Bridson 2007): c_f = the open fraction of the face;</item>
/// <item>ghost-fluid free surfaces (Gibou et al. 2002): d_i = sum over air neighbours of 1 / theta;</item>
/// <item>the unit operator of a <see cref="PoissonGrid"/> (c = 1 between fluid cells, d = its air neighbours): <see cref="FromGrid"/>.</item>
/// </list>
/// The unknowns are the cells with a positive diagonal; every face of a cell that is no unknown has c = 0. SPD when
/// every connected piece of unknowns has some d &gt; 0, else semi-definite with constants in its null space (solvers
/// project them out, as for a closed fluid pocket).
/// </summary>
public sealed class VoxelOperator
{
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public int CellCount => Nx * Ny * Nz;
    /// <summary>Per cell i, the coefficient of the face to cell i + 1 (0 when closed or at the grid's +x side).</summary>
    public double[] FaceX { get; }
    /// <summary>Per cell i, the coefficient of the face to cell i + nx.</summary>
    public double[] FaceY { get; }
    /// <summary>Per cell i, the coefficient of the face to cell i + nx ny.</summary>
    public double[] FaceZ { get; }
    /// <summary>Per cell, the diagonal term of its Dirichlet faces (air neighbours: 1 each on the unit operator, 1 / theta with ghost fluid).</summary>
    public double[] Dirichlet { get; }

    /// <exception cref="ArgumentException">An array of the wrong length, a coefficient that is negative or not finite, or an open face leaving the grid.</exception>
    public VoxelOperator(int nx, int ny, int nz, double[] faceX, double[] faceY, double[] faceZ, double[] dirichlet)
        : this((nx, ny, nz), faceX, faceY, faceZ, dirichlet)
    {
        long cells = (long)nx * ny * nz;
        foreach (var (values, name) in new[] { (faceX, nameof(faceX)), (faceY, nameof(faceY)), (faceZ, nameof(faceZ)), (dirichlet, nameof(dirichlet)) })
            if (values.Length != cells) throw new ArgumentException($"{name} has {values.Length} entries; the {nx}x{ny}x{nz} grid has {cells} cells", name);
        Check(planeFrom: null);
    }

    /// <summary>An operator on arrays of the grid's length that are not checked here: the public constructor checks them,
    /// <see cref="CheckedCopy"/> as it copies them, and a box cut from a checked operator needs no check.</summary>
    VoxelOperator((int X, int Y, int Z) size, double[] faceX, double[] faceY, double[] faceZ, double[] dirichlet)
    {
        var (nx, ny, nz) = size;
        if (nx < 1 || ny < 1 || nz < 1) throw new ArgumentOutOfRangeException(nameof(nx), $"grid size {nx} x {ny} x {nz} must be at least 1 in every direction");
        long cells = (long)nx * ny * nz;
        if (cells > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(nx), $"grid {nx} x {ny} x {nz} has more than {int.MaxValue} cells");
        (Nx, Ny, Nz) = (nx, ny, nz);
        (FaceX, FaceY, FaceZ, Dirichlet) = (faceX, faceY, faceZ, dirichlet);
    }

    /// <summary>
    /// A box cut from a checked operator (its coefficients are that operator's, and every face leaving the box is closed,
    /// since an open face joins two unknowns and the box holds them all): nothing is checked again.
    /// </summary>
    internal static VoxelOperator CutFromChecked(int nx, int ny, int nz, double[] faceX, double[] faceY, double[] faceZ, double[] dirichlet)
        => new((nx, ny, nz), faceX, faceY, faceZ, dirichlet);

    /// <summary>
    /// A copy of this operator on new arrays, each plane checked as it is copied (planes in parallel): one pass over the
    /// coefficients where copying and then constructing would read them twice. A caller's arrays may have been refilled
    /// since this operator was made, so they are checked again.
    /// </summary>
    /// <exception cref="ArgumentException">As the constructor: a coefficient that is negative or not finite, or an open face leaving the grid.</exception>
    internal VoxelOperator CheckedCopy()
    {
        int n = CellCount;
        var copy = new VoxelOperator((Nx, Ny, Nz), GC.AllocateUninitializedArray<double>(n), GC.AllocateUninitializedArray<double>(n),
            GC.AllocateUninitializedArray<double>(n), GC.AllocateUninitializedArray<double>(n));
        copy.Check(planeFrom: this);
        return copy;
    }

    /// <summary>
    /// This operator times <paramref name="powerOfTwo"/> on new arrays (exact: each coefficient's exponent moves, its
    /// digits stay), planes in parallel; null where a coefficient would overflow or fall below double's normal range.
    /// </summary>
    internal VoxelOperator? TimesPowerOfTwo(double powerOfTwo)
    {
        int n = CellCount, plane = Nx * Ny;
        double[][] from = [FaceX, FaceY, FaceZ, Dirichlet];
        double[][] to = [.. from.Select(_ => GC.AllocateUninitializedArray<double>(n))];
        bool exact = true;
        Parallel.For(0, Nz, z =>
        {
            for (int a = 0; a < 4; a++)
                for (int i = z * plane, end = i + plane; i < end; i++)
                {
                    double v = from[a][i], w = v * powerOfTwo;
                    to[a][i] = w;
                    if (v != 0 && !double.IsNormal(w)) exact = false;
                }
        });
        return exact ? new VoxelOperator((Nx, Ny, Nz), to[0], to[1], to[2], to[3]) : null;
    }

    /// <summary>
    /// Checks every coefficient (finite, at least 0) and that no open face leaves the grid, planes in parallel, each plane
    /// first copied from <paramref name="planeFrom"/> where one is given. The error named is the one a pass over faceX,
    /// faceY, faceZ and the Dirichlet terms in turn, then over the sides, finds first.
    /// </summary>
    void Check(VoxelOperator? planeFrom)
    {
        int nx = Nx, ny = Ny, nz = Nz, plane = nx * ny;
        double[][] arrays = [FaceX, FaceY, FaceZ, Dirichlet];
        var bad = new int[4 * nz]; // per array and plane, its first bad entry in the plane (-1: none)
        var side = new (string Message, string Array)?[nz];
        Parallel.For(0, nz, z =>
        {
            if (planeFrom is not null)
            {
                double[][] from = [planeFrom.FaceX, planeFrom.FaceY, planeFrom.FaceZ, planeFrom.Dirichlet];
                for (int a = 0; a < 4; a++) from[a].AsSpan(z * plane, plane).CopyTo(arrays[a].AsSpan(z * plane, plane));
            }
            for (int a = 0; a < 4; a++)
            {
                int k = FirstBadCoefficient(arrays[a].AsSpan(z * plane, plane));
                bad[4 * z + a] = k < 0 ? -1 : z * plane + k;
            }
            side[z] = ClosedSides(z);
        });
        string[] names = ["faceX", "faceY", "faceZ", "dirichlet"];
        for (int a = 0; a < 4; a++)
            for (int z = 0; z < nz; z++)
                if (bad[4 * z + a] is int i and >= 0)
                    throw new ArgumentException($"{names[a]}[{i}] = {arrays[a][i]}: coefficients must be finite and >= 0", names[a]);
        for (int z = 0; z < nz; z++)
            if (side[z] is var (message, array)) throw new ArgumentException(message, array);
    }

    /// <summary>Why plane z has an open face leaving the grid (the first, row by row) and the array holding it, or null.</summary>
    (string Message, string Array)? ClosedSides(int z)
    {
        int nx = Nx, ny = Ny, nz = Nz;
        for (int y = 0; y < ny; y++)
        {
            int row = nx * (y + ny * z);
            if (FaceX[row + nx - 1] != 0) return ($"faceX at cell ({nx - 1}, {y}, {z}) is open but leads out of the grid", "faceX");
            if (y == ny - 1)
                for (int x = 0; x < nx; x++) if (FaceY[row + x] != 0) return ($"faceY at cell ({x}, {y}, {z}) is open but leads out of the grid", "faceY");
            if (z == nz - 1)
                for (int x = 0; x < nx; x++) if (FaceZ[row + x] != 0) return ($"faceZ at cell ({x}, {y}, {z}) is open but leads out of the grid", "faceZ");
        }
        return null;
    }

    /// <summary>The first entry that is negative, NaN or infinite, or -1: a vector at a time (a delegate per entry cost 3%
    /// of a 128^3 ghost-fluid set-up).</summary>
    static int FirstBadCoefficient(ReadOnlySpan<double> values)
    {
        int i = 0, width = Vector<double>.Count;
        var zero = Vector<double>.Zero;
        var infinity = new Vector<double>(double.PositiveInfinity);
        for (; i <= values.Length - width; i += width)
        {
            var v = new Vector<double>(values[i..]);
            if (!Vector.EqualsAll(Vector.GreaterThanOrEqual(v, zero) & Vector.LessThan(v, infinity), Vector<long>.AllBitsSet)) break; // NaN fails both
        }
        for (; i < values.Length; i++) if (!(values[i] >= 0) || double.IsInfinity(values[i])) return i;
        return -1;
    }

    /// <summary>
    /// The diagonals of the row of cells (y, z), x = 0 to nx - 1, into <paramref name="into"/>: each
    /// <see cref="Diagonal(int, int, int, int)"/>'s sum in its order (a term past the grid's side left out, as its 0 adds
    /// nothing), a vector of cells at a time.
    /// </summary>
    internal void RowDiagonals(int y, int z, Span<double> into)
    {
        int nx = Nx, row = nx * (y + Ny * z);
        ReadOnlySpan<double> d = Dirichlet.AsSpan(row, nx), fx = FaceX.AsSpan(row, nx), fy = FaceY.AsSpan(row, nx), fz = FaceZ.AsSpan(row, nx);
        into[0] = Diagonal(row, 0, y, z);
        int x = 1, width = Vector<double>.Count;
        if (y > 0 && z > 0) // the usual row: every term there
        {
            ReadOnlySpan<double> below = FaceZ.AsSpan(row - nx * Ny, nx), front = FaceY.AsSpan(row - nx, nx);
            for (; x <= nx - width; x += width)
            {
                var sum = new Vector<double>(d[x..]) + new Vector<double>(fx[x..]) + new Vector<double>(fy[x..]) + new Vector<double>(fz[x..])
                    + new Vector<double>(fx[(x - 1)..]) + new Vector<double>(front[x..]) + new Vector<double>(below[x..]);
                sum.CopyTo(into[x..]);
            }
        }
        for (; x < nx; x++) into[x] = Diagonal(row + x, x, y, z);
    }

    /// <summary>A grid's unit operator: c = 1 between two fluid cells, d = the fluid cell's air neighbours.</summary>
    public static VoxelOperator FromGrid(PoissonGrid grid)
    {
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz, n = grid.CellCount, plane = nx * ny;
        var cells = grid.CellArray;
        var fx = new double[n]; var fy = new double[n]; var fz = new double[n]; var d = new double[n];
        Parallel.For(0, nz, z =>
        {
            for (int y = 0; y < ny; y++)
                for (int x = 0, i = nx * (y + ny * z); x < nx; x++, i++)
                {
                    if (cells[i] != CellType.Fluid) continue;
                    if (x + 1 < nx) Face(i, i + 1, fx);
                    if (y + 1 < ny) Face(i, i + nx, fy);
                    if (z + 1 < nz) Face(i, i + plane, fz);
                    if (x > 0 && cells[i - 1] == CellType.Air) d[i]++;
                    if (y > 0 && cells[i - nx] == CellType.Air) d[i]++;
                    if (z > 0 && cells[i - plane] == CellType.Air) d[i]++;
                }
        });
        return new VoxelOperator(nx, ny, nz, fx, fy, fz, d);

        // a cell writes only its own entries, so the planes run in parallel
        void Face(int i, int j, double[] face)
        {
            if (cells[j] == CellType.Fluid) face[i] = 1;
            else if (cells[j] == CellType.Air) d[i]++;
        }
    }

    /// <summary>Row i's diagonal: the sum of its open faces' coefficients and its Dirichlet term.</summary>
    public double Diagonal(int i) => Diagonal(i, i % Nx, i / Nx % Ny, i / (Nx * Ny));

    /// <summary>Row i's diagonal when the caller knows the cell's coordinates (no divisions).</summary>
    internal double Diagonal(int i, int x, int y, int z) => Dirichlet[i] + FaceX[i] + FaceY[i] + FaceZ[i]
        + (x > 0 ? FaceX[i - 1] : 0) + (y > 0 ? FaceY[i - Nx] : 0) + (z > 0 ? FaceZ[i - Nx * Ny] : 0);

    /// <summary>The operator as a matrix in the full-grid layout (one row per cell, zero rows off the unknowns): <see cref="ToCsr(int[], int[])"/> with every cell a row.</summary>
    public CsrMatrix ToCsr()
    {
        var every = new int[CellCount]; // each cell its own row, every coupling kept
        for (int i = 0; i < every.Length; i++) every[i] = i;
        return ToCsr(every, every);
    }

    /// <summary>
    /// The operator on some of its cells as a matrix (the compact layout): row k is cell <paramref name="rows"/>[k], a
    /// column the row of its cell in <paramref name="rowOfCell"/>; a coupling to a cell without a row is dropped, as a
    /// submatrix of <see cref="ToCsr()"/> drops it. Built in parallel chunks of rows without the full-grid matrix.
    /// </summary>
    internal CsrMatrix ToCsr(int[] rows, int[] rowOfCell)
    {
        int nx = Nx, ny = Ny, plane = nx * ny, n = rows.Length;
        const int Chunk = 1 << 14;
        int chunks = (n + Chunk - 1) / Chunk;
        var rowStart = new int[n + 1];
        Parallel.For(0, chunks, c =>
        {
            Span<int> columns = stackalloc int[7];
            Span<double> values = stackalloc double[7];
            for (int k = c * Chunk, end = Math.Min(n, k + Chunk); k < end; k++)
            {
                int i = rows[k], count = Row(i, i % nx, i / nx % ny, i / plane, columns, values), kept = 0;
                for (int e = 0; e < count; e++) if (rowOfCell[columns[e]] >= 0) kept++;
                rowStart[k + 1] = kept;
            }
        });
        for (int k = 0; k < n; k++) rowStart[k + 1] += rowStart[k];
        var allColumns = new int[rowStart[n]];
        var allValues = new double[rowStart[n]];
        Parallel.For(0, chunks, c =>
        {
            Span<int> columns = stackalloc int[7];
            Span<double> values = stackalloc double[7];
            for (int k = c * Chunk, end = Math.Min(n, k + Chunk); k < end; k++)
            {
                int i = rows[k], count = Row(i, i % nx, i / nx % ny, i / plane, columns, values), w = rowStart[k];
                for (int e = 0; e < count; e++)
                    if (rowOfCell[columns[e]] is int j and >= 0) { allColumns[w] = j; allValues[w++] = values[e]; }
            }
        });
        return new CsrMatrix(n, n, rowStart, allColumns, allValues);
    }

    /// <summary>Row i's entries, columns ascending (-plane, -nx, -1, the diagonal, +1, +nx, +plane); returns how many.</summary>
    int Row(int i, int x, int y, int z, Span<int> columns, Span<double> values)
    {
        int plane = Nx * Ny, count = 0;
        double below = z > 0 ? FaceZ[i - plane] : 0, south = y > 0 ? FaceY[i - Nx] : 0, west = x > 0 ? FaceX[i - 1] : 0;
        double d = Diagonal(i, x, y, z);
        Put(below > 0, i - plane, -below, columns, values, ref count);
        Put(south > 0, i - Nx, -south, columns, values, ref count);
        Put(west > 0, i - 1, -west, columns, values, ref count);
        Put(d > 0, i, d, columns, values, ref count);
        Put(FaceX[i] > 0, i + 1, -FaceX[i], columns, values, ref count);
        Put(FaceY[i] > 0, i + Nx, -FaceY[i], columns, values, ref count);
        Put(FaceZ[i] > 0, i + plane, -FaceZ[i], columns, values, ref count);
        return count;
    }

    static void Put(bool present, int column, double value, Span<int> columns, Span<double> values, ref int count)
    {
        if (!present) return;
        columns[count] = column;
        values[count++] = value;
    }

    /// <summary>Calls <paramref name="open"/> with each open face's neighbour cell and coefficient.</summary>
    public void OpenFaces(int i, Action<int, double> open)
    {
        int plane = Nx * Ny, x = i % Nx, y = i / Nx % Ny, z = i / plane;
        if (z > 0 && FaceZ[i - plane] > 0) open(i - plane, FaceZ[i - plane]);
        if (y > 0 && FaceY[i - Nx] > 0) open(i - Nx, FaceY[i - Nx]);
        if (x > 0 && FaceX[i - 1] > 0) open(i - 1, FaceX[i - 1]);
        if (FaceX[i] > 0) open(i + 1, FaceX[i]);
        if (FaceY[i] > 0) open(i + Nx, FaceY[i]);
        if (FaceZ[i] > 0) open(i + plane, FaceZ[i]);
    }

    /// <summary>The coefficient of cell i's face on a side, in <see cref="OpenFaces"/>' order (0..5: -z, -y, -x, +x, +y, +z),
    /// 0 where closed; the side must not leave the grid.</summary>
    internal double FaceCoefficient(int i, int side) => side switch
    {
        0 => FaceZ[i - Nx * Ny],
        1 => FaceY[i - Nx],
        2 => FaceX[i - 1],
        3 => FaceX[i],
        4 => FaceY[i],
        _ => FaceZ[i],
    };

    /// <summary>The axis (0: x, 1: y, 2: z) along which cell (x, y, z) shares a face with the cell <paramref name="offset"/>
    /// further in the index, or -1 when they share none (an offset of 1 from the last cell of a row is the next row's first).
    /// The axes are tried in turn, so a grid one cell wide along x (offset 1 = nx) finds y.</summary>
    static int FaceAxis(int offset, int x, int y, int z, int nx, int ny, int nz)
    {
        int plane = nx * ny;
        if (offset == 1 && x + 1 < nx || offset == -1 && x > 0) return 0;
        if (offset == nx && y + 1 < ny || offset == -nx && y > 0) return 1;
        if (offset == plane && z + 1 < nz || offset == -plane && z > 0) return 2;
        return -1;
    }

    /// <summary>
    /// <paramref name="check"/> on every row (the row, its cell's x, y, z, and the cell: <paramref name="rowCells"/>' entry,
    /// or the row itself) in parallel chunks; the message of the first row, by index, that fails, or null. Each chunk
    /// stops at its own first failure, so the first chunk's that has one is the first overall.
    /// </summary>
    static string? FirstFailure(int rows, int[]? rowCells, int nx, int ny, Func<int, int, int, int, int, string?> check)
    {
        const int Chunk = 1 << 14;
        int chunks = (rows + Chunk - 1) / Chunk, plane = nx * ny;
        var failures = new string?[chunks];
        Parallel.For(0, chunks, c =>
        {
            for (int row = c * Chunk, end = Math.Min(rows, row + Chunk); row < end; row++)
            {
                int i = rowCells?[row] ?? row, z = i / plane, inPlane = i - z * plane, y = inPlane / nx, x = inPlane - y * nx;
                if (check(row, x, y, z, i) is { } failure) { failures[c] = failure; return; }
            }
        });
        return Array.Find(failures, f => f is not null);
    }

    /// <summary>
    /// The voxel operator a matrix is, or null with the first row that is not one and why: couplings only between face
    /// neighbours, each negative and symmetric, and a diagonal at least the sum of the row's couplings (the rest is the
    /// Dirichlet term). <paramref name="rowCells"/>: the cell of each matrix row (the compact layout, e.g. a flags file's
    /// <see cref="PoissonGrid.FluidCells"/>); null: the full-grid layout, one row per cell.
    /// </summary>
    public static VoxelOperator? Recognise(CsrMatrix a, int nx, int ny, int nz, int[]? rowCells, out string why)
    {
        long cells = (long)nx * ny * nz;
        int expected = rowCells?.Length ?? (int)Math.Min(cells, int.MaxValue);
        if (!a.IsSquare || a.Rows != expected || cells > int.MaxValue)
        {
            why = $"the matrix is {a.Rows} x {a.Columns}; the {nx}x{ny}x{nz} grid needs {expected} rows ({(rowCells is null ? "one per cell" : "one per fluid cell")})";
            return null;
        }
        int n = (int)cells, plane = nx * ny;
        var fx = new double[n]; var fy = new double[n]; var fz = new double[n]; var d = new double[n];
        // rows in parallel chunks, each writing its own cell's entries only; the first row that fails, over all chunks
        string? firstFailure = FirstFailure(a.Rows, rowCells, nx, ny, (row, x, y, z, i) =>
        {
            double diagonal = 0, couplings = 0;
            bool any = false;
            for (int k = a.RowPointers[row]; k < a.RowPointers[row + 1]; k++)
            {
                int column = a.ColumnIndices[k];
                double v = a.Values[k];
                if (v == 0) continue;
                any = true;
                if (column == row) { diagonal = v; continue; }
                int j = rowCells?[column] ?? column, axis = FaceAxis(j - i, x, y, z, nx, ny, nz);
                if (axis < 0)
                    return $"row {row + 1}: a coupling to column {column + 1}, which is not a face neighbour of cell ({x}, {y}, {z}) in the {nx}x{ny}x{nz} grid";
                if (v > 0) return $"row {row + 1}: a positive off-diagonal {v:g6} at column {column + 1}; a pressure operator's couplings are negative";
                couplings -= v;
                if (j < i) continue; // the face is stored once, from its lower cell; the upper row's copy is checked against it
                (axis == 0 ? fx : axis == 1 ? fy : fz)[i] = -v;
            }
            if (!any) return null; // no unknown: a solid cell, or an air one outside the system
            if (!(diagonal > 0))
                return $"row {row + 1}: diagonal {diagonal:g6} with couplings {couplings:g6}; each row of a pressure operator needs a positive diagonal";
            double rest = diagonal - couplings;
            if (rest < -1e-12 * diagonal)
                return $"row {row + 1}: diagonal {diagonal:g6} below the sum of its couplings {couplings:g6}; a pressure operator's diagonal is at least that "
                    + "(a Dirichlet or ghost-fluid face adds to it)";
            d[i] = Math.Max(0, rest);
            return null;
        });
        if (firstFailure is not null) { why = firstFailure; return null; }
        var op = new VoxelOperator(nx, ny, nz, fx, fy, fz, d);
        // symmetry: each upper row's coupling equals the face stored from the lower row, and every row has all its faces
        firstFailure = FirstFailure(a.Rows, rowCells, nx, ny, (row, x, y, z, i) =>
        {
            Span<int> entryColumns = stackalloc int[7];
            Span<double> entryValues = stackalloc double[7];
            int count = 0, faces = 0;
            int entries = op.Row(i, x, y, z, entryColumns, entryValues); // the operator's row of cell i
            foreach (int column in entryColumns[..entries]) if (column != i) faces++;
            for (int k = a.RowPointers[row]; k < a.RowPointers[row + 1]; k++)
            {
                int column = a.ColumnIndices[k];
                if (column == row || a.Values[k] == 0) continue;
                count++;
                int j = rowCells?[column] ?? column;
                if (j > i) continue;
                int axis = FaceAxis(j - i, x, y, z, nx, ny, nz);
                double face = (axis == 0 ? fx : axis == 1 ? fy : fz)[j];
                if (Math.Abs(face + a.Values[k]) > 1e-12 * Math.Max(face, -a.Values[k]))
                    return $"rows {row + 1} and {column + 1}: their couplings differ ({a.Values[k]:g6} and {-face:g6}); the matrix is not symmetric";
            }
            return count != faces ? $"row {row + 1}: {count} couplings where its neighbours' rows give it {faces}; the matrix is not symmetric" : null;
        });
        if (firstFailure is not null) { why = firstFailure; return null; }
        why = "";
        return op;
    }
}
