using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Dcdm.Poisson;

/// <summary>
/// A voxel domain for the pressure Poisson equation: nx*ny*nz cells, each Fluid, Solid or Air.
/// Cell (x, y, z) has index x + nx*(y + ny*z). For a fluid cell the 7-point operator has
/// diagonal = number of non-solid face neighbours and -1 to each fluid neighbour; air
/// neighbours add to the diagonal only (p = 0 there), solid ones and the grid boundary add nothing.
/// </summary>
public sealed class PoissonGrid
{
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public int CellCount { get; }
    readonly CellType[] _cells;
    int[]? _fluidCells;
    int[]? _unknownCells;
    int[]? _surfaceCells;
    int[]? _compactIndex;
    byte[]? _diagonal;
    int[]? _unknownsPerPlane; // with the diagonal: each plane's unknowns, for the unknowns' list

    public PoissonGrid(int nx, int ny, int nz, CellType[] cells)
    {
        if (nx < 1 || ny < 1 || nz < 1) throw new ArgumentOutOfRangeException(nameof(nx), $"grid size {nx} x {ny} x {nz} must be at least 1 in every direction");
        long count = (long)nx * ny * nz;
        if (count > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(nx), $"grid {nx} x {ny} x {nz} has more than {int.MaxValue} cells");
        if (cells.Length != count) throw new ArgumentException($"{cells.Length} cell flags given for a {nx} x {ny} x {nz} grid ({count} cells)");
        Nx = nx; Ny = ny; Nz = nz; CellCount = (int)count;
        _cells = cells;
    }

    /// <summary>A grid of the given size with every cell of one type.</summary>
    public static PoissonGrid Filled(int nx, int ny, int nz, CellType type)
    {
        var cells = new CellType[(long)nx * ny * nz];
        Array.Fill(cells, type);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    public ReadOnlySpan<CellType> Cells => _cells;
    /// <summary>The cells' own array, for parallel kernels (a span cannot be captured); never written.</summary>
    internal CellType[] CellArray => _cells;
    public int Index(int x, int y, int z) => x + Nx * (y + Ny * z);
    public CellType this[int x, int y, int z] => _cells[Index(x, y, z)];

    /// <summary>Grid indices of the fluid cells, ascending: row k of the compact matrix is cell FluidCells[k].</summary>
    public int[] FluidCells => _fluidCells ??= BuildFluidCells();

    /// <summary>
    /// <see cref="CellDiagonal.Of"/> of this grid, made once: the unknowns, the multigrid hierarchy and the direction
    /// models of one set-up all read it (the flags never change). Never written by its readers.
    /// </summary>
    internal byte[] Diagonal
    {
        get
        {
            if (_diagonal is null) BuildOperatorView();
            return _diagonal!;
        }
    }

    /// <summary>
    /// The fluid cells with a diagonal (an open neighbour), ascending: the operator's unknowns, made once for the
    /// unknowns' numbering and the multigrid of one set-up. <see cref="FluidCells"/> itself when every fluid cell has one.
    /// </summary>
    internal int[] UnknownCells => _unknownCells ??= BuildUnknownCells();

    /// <summary>
    /// The fluid cells with an air neighbour (a face to a p = 0 cell), ascending: the unknowns whose row sum is not zero,
    /// and the cells the multigrid's prolongation weighs (<see cref="Multigrid.ProlongationShape"/>). Made once, planes in
    /// parallel; empty without air.
    /// </summary>
    internal int[] SurfaceCells
    {
        get
        {
            if (_surfaceCells is null) BuildOperatorView();
            return _surfaceCells!;
        }
    }

    /// <summary>For each cell its compact row, or -1 for solid and air cells.</summary>
    public int[] CompactIndex => _compactIndex ??= BuildCompactIndex();

    public int FluidCount => FluidCells.Length;
    public bool HasAir => Array.IndexOf(_cells, CellType.Air) >= 0;

    /// <summary>Cells per chunk of the parallel passes below (a 128^3 grid: 32 chunks).</summary>
    const int Chunk = 1 << 16;

    /// <summary>
    /// The entries 0..count-1 that countIn counts and writeIn writes (ascending), at the exact size: counted per chunk
    /// in parallel, then written per chunk from its offset. Null when every entry is selected (nothing written).
    /// </summary>
    static int[]? Select(int count, Func<int, int, int> countIn, Action<int, int, int[], int> writeIn)
    {
        int chunks = (count + Chunk - 1) / Chunk;
        var start = new int[chunks + 1];
        Parallel.For(0, chunks, c => start[c + 1] = countIn(c * Chunk, Math.Min(count, (c + 1) * Chunk)));
        for (int c = 0; c < chunks; c++) start[c + 1] += start[c];
        if (start[chunks] == count) return null;
        var selected = new int[start[chunks]]; // exact size: no growing list at 10^7 cells
        Parallel.For(0, chunks, c => writeIn(c * Chunk, Math.Min(count, (c + 1) * Chunk), selected, start[c]));
        return selected;
    }

    int[] BuildFluidCells()
    {
        var cells = _cells;
        // the unknowns when they are as many (they are fluid cells): one array for both
        if (_unknownCells is { } unknowns && unknowns.Length == cells.AsSpan().Count(CellType.Fluid)) return unknowns;
        return Select(cells.Length, (from, to) => cells.AsSpan(from, to - from).Count(CellType.Fluid), (from, to, fluid, k) =>
        {
            for (int i = from; i < to; i++) if (cells[i] == CellType.Fluid) fluid[k++] = i;
        }) ?? [.. Enumerable.Range(0, cells.Length)]; // every cell fluid
    }

    /// <summary>The cells with a diagonal, plane by plane from the counts the operator's view made.</summary>
    int[] BuildUnknownCells()
    {
        var diagonal = Diagonal;
        var start = new int[Nz + 1];
        for (int z = 0; z < Nz; z++) start[z + 1] = start[z] + _unknownsPerPlane![z];
        int count = start[Nz];
        if (_fluidCells is { } fluid && fluid.Length == count) return fluid; // every fluid cell an unknown: the same list
        var unknowns = new int[count];
        int plane = Nx * Ny;
        void Plane(int z)
        {
            int at = start[z];
            for (int i = z * plane, end = i + plane; i < end; i++) if (diagonal[i] > 0) unknowns[at++] = i;
        }
        if (CellCount < Chunk) for (int z = 0; z < Nz; z++) Plane(z);
        else Parallel.For(0, Nz, Plane);
        return unknowns;
    }

    /// <summary>
    /// One pass over the planes (in parallel) for what the operator needs of the flags: each cell's diagonal (as
    /// <see cref="CellDiagonal.Of"/>), the fluid cells with an air neighbour (the same neighbour reads), and each plane's
    /// count of unknowns.
    /// </summary>
    void BuildOperatorView()
    {
        int nx = Nx, ny = Ny, nz = Nz, plane = nx * ny;
        var cells = _cells;
        var diagonal = new byte[CellCount];
        var surface = new List<int>?[nz];
        var unknowns = new int[nz];
        void Plane(int z)
        {
            List<int>? list = null;
            int count = 0;
            for (int y = 0, row = z * plane; y < ny; y++, row += nx)
            {
                int x = 0;
                if (Vector128.IsHardwareAccelerated && nx >= Vector128<byte>.Count + 2)
                {
                    // the cells 1..nx-2 a vector at a time: each neighbour row is a shifted load; y and z edges drop a term
                    Cell(row, 0, y, z, ref count, ref list);
                    for (x = 1; x + Vector128<byte>.Count <= nx - 1; x += Vector128<byte>.Count)
                        Vectors(row + x, y > 0, y < ny - 1, z > 0, z < nz - 1, ref count, ref list);
                }
                for (; x < nx; x++) Cell(row, x, y, z, ref count, ref list);
            }
            (surface[z], unknowns[z]) = (list, count);
        }
        // cell row + x one at a time, its neighbours checked against the grid's edges
        void Cell(int row, int x, int y, int z, ref int count, ref List<int>? list)
        {
            int i = row + x;
            if (cells[i] != CellType.Fluid) return;
            int open = 0, air = 0;
            if (x > 0) Face(cells[i - 1], ref open, ref air);
            if (x < nx - 1) Face(cells[i + 1], ref open, ref air);
            if (y > 0) Face(cells[i - nx], ref open, ref air);
            if (y < ny - 1) Face(cells[i + nx], ref open, ref air);
            if (z > 0) Face(cells[i - plane], ref open, ref air);
            if (z < nz - 1) Face(cells[i + plane], ref open, ref air);
            diagonal[i] = (byte)open;
            if (open > 0) count++;
            if (air > 0) (list ??= []).Add(i);
        }
        // 16 cells from i, none on an x edge: open faces counted by lanes (a not-solid lane is -1 as a byte)
        void Vectors(int i, bool below, bool above, bool front, bool back, ref int count, ref List<int>? list)
        {
            var flags = MemoryMarshal.Cast<CellType, byte>(cells.AsSpan());
            var open = Vector128<byte>.Zero;
            var air = Vector128<byte>.Zero;
            static void Side(ReadOnlySpan<byte> neighbours, ref Vector128<byte> openFaces, ref Vector128<byte> airFaces)
            {
                var n = Vector128.Create(neighbours);
                openFaces -= ~Vector128.Equals(n, Vector128.Create((byte)CellType.Solid));
                airFaces |= Vector128.Equals(n, Vector128.Create((byte)CellType.Air));
            }
            Side(flags.Slice(i - 1), ref open, ref air);
            Side(flags.Slice(i + 1), ref open, ref air);
            if (below) Side(flags.Slice(i - nx), ref open, ref air);
            if (above) Side(flags.Slice(i + nx), ref open, ref air);
            if (front) Side(flags.Slice(i - plane), ref open, ref air);
            if (back) Side(flags.Slice(i + plane), ref open, ref air);
            var fluid = Vector128.Equals(Vector128.Create(flags.Slice(i)), Vector128.Create((byte)CellType.Fluid));
            var d = open & fluid;
            d.CopyTo(diagonal.AsSpan(i));
            count += BitOperations.PopCount(Vector128.GreaterThan(d, Vector128<byte>.Zero).ExtractMostSignificantBits());
            for (uint bits = (air & fluid).ExtractMostSignificantBits(); bits != 0; bits &= bits - 1)
                (list ??= []).Add(i + BitOperations.TrailingZeroCount(bits));
        }
        if (CellCount < Chunk) for (int z = 0; z < nz; z++) Plane(z);
        else Parallel.For(0, nz, Plane);
        (_diagonal, _unknownsPerPlane) = (diagonal, unknowns);
        _surfaceCells = [.. surface.Where(l => l is not null).SelectMany(l => l!)];
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static void Face(CellType neighbour, ref int open, ref int air)
    {
        if (neighbour != CellType.Solid) open++;
        if (neighbour == CellType.Air) air++;
    }

    int[] BuildCompactIndex()
    {
        var map = new int[CellCount];
        Array.Fill(map, -1);
        var fluid = FluidCells;
        for (int k = 0; k < fluid.Length; k++) map[fluid[k]] = k;
        return map;
    }

    /// <summary>
    /// Matrix-free y = A x on the full grid: y is 0 at non-fluid cells, and x there is ignored.
    /// Parallel over z-slices.
    /// </summary>
    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != CellCount || y.Length != CellCount) throw new ArgumentException($"vectors must have {CellCount} entries (one per cell), got {x.Length} and {y.Length}");
        unsafe
        {
            fixed (double* px = x, py = y)
            {
                var (ax, ay) = ((nint)px, (nint)py);
                Parallel.For(0, Nz, z => ApplySlice(z, new ReadOnlySpan<double>((double*)ax, CellCount), new Span<double>((double*)ay, CellCount)));
            }
        }
    }

    void ApplySlice(int z, ReadOnlySpan<double> x, Span<double> y)
    {
        var c = _cells;
        int sx = 1, sy = Nx, sz = Nx * Ny;
        for (int yy = 0; yy < Ny; yy++)
        {
            int row = Index(0, yy, z);
            for (int xx = 0; xx < Nx; xx++)
            {
                int i = row + xx;
                if (c[i] != CellType.Fluid) { y[i] = 0; continue; }
                double diag = 0, off = 0;
                Neighbour(xx > 0, i - sx, ref diag, ref off, c, x);
                Neighbour(xx < Nx - 1, i + sx, ref diag, ref off, c, x);
                Neighbour(yy > 0, i - sy, ref diag, ref off, c, x);
                Neighbour(yy < Ny - 1, i + sy, ref diag, ref off, c, x);
                Neighbour(z > 0, i - sz, ref diag, ref off, c, x);
                Neighbour(z < Nz - 1, i + sz, ref diag, ref off, c, x);
                y[i] = diag * x[i] - off;
            }
        }
    }

    static void Neighbour(bool inside, int j, ref double diag, ref double off, CellType[] c, ReadOnlySpan<double> x)
    {
        if (!inside) return;
        var t = c[j];
        if (t == CellType.Solid) return;
        diag += 1;
        if (t == CellType.Fluid) off += x[j];
    }

    /// <summary>Expands a compact vector (one entry per fluid cell) to the grid, 0 elsewhere.</summary>
    public double[] ToGrid(ReadOnlySpan<double> compact)
    {
        var fluid = FluidCells;
        if (compact.Length != fluid.Length) throw new ArgumentException($"expected {fluid.Length} values (one per fluid cell), got {compact.Length}");
        var g = new double[CellCount];
        for (int k = 0; k < fluid.Length; k++) g[fluid[k]] = compact[k];
        return g;
    }

    /// <summary>Takes the fluid-cell entries of a grid vector.</summary>
    public double[] ToCompact(ReadOnlySpan<double> grid)
    {
        if (grid.Length != CellCount) throw new ArgumentException($"expected {CellCount} values (one per cell), got {grid.Length}");
        var fluid = FluidCells;
        var c = new double[fluid.Length];
        for (int k = 0; k < fluid.Length; k++) c[k] = grid[fluid[k]];
        return c;
    }
}
