using System.Diagnostics;
using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// A grid solver set up and run on the box around the fluid cells when that box is at most <see cref="MaxShare"/> of
/// the grid: the air above a free surface and the dry part of a dam break's domain then cost nothing, in set-up or
/// in solve. The box keeps one cell of margin (a boundary cell's air or solid neighbour stays in it, so every row is
/// the grid's own) and starts at a multiple of <see cref="Alignment"/> (the same 2x2x2 blocks and red-black colours
/// as on the whole grid). Its fluid cells keep their order, so compact vectors and a compact matrix serve it unchanged.
/// Full-grid vectors in and out: b outside the box falls on cells that are no unknowns, and x is 0 there.
/// </summary>
internal sealed class CroppedGridSolver : ILinearSolver
{
    /// <summary>Crop only when the box holds at most this share of the grid's cells (a smaller saving is not worth the copies).</summary>
    public const double MaxShare = 0.8;
    /// <summary>The box's origin is a multiple of this along every axis: the first three levels of 2x2x2 blocks stay the grid's.</summary>
    public const int Alignment = 8;

    readonly ILinearSolver _inner;
    readonly PoissonGrid _grid;
    readonly (int X, int Y, int Z) _origin;
    readonly double[] _b, _x;
    readonly TimeSpan _cropTime;

    CroppedGridSolver(ILinearSolver inner, PoissonGrid grid, PoissonGrid box, (int X, int Y, int Z) origin, TimeSpan cropTime)
    {
        (_inner, _grid, Box, _origin, _cropTime) = (inner, grid, box, origin, cropTime);
        _b = new double[box.CellCount];
        _x = new double[box.CellCount];
    }

    /// <summary>The grid of the box the solver runs on.</summary>
    public PoissonGrid Box { get; }
    /// <summary>The solver on <see cref="Box"/> (its vectors one entry per cell of the box).</summary>
    public ILinearSolver Inner => _inner;
    public string Method => _inner.Method;
    public int Size => _grid.CellCount;
    /// <summary>Making the box plus the solver's own set-up on it.</summary>
    public TimeSpan SetupTime => _cropTime + _inner.SetupTime;

    /// <summary>The solver <paramref name="create"/> makes for the grid, run on the box around its fluid cells where that pays.</summary>
    public static ILinearSolver Around(PoissonGrid grid, Func<PoissonGrid, ILinearSolver> create)
    {
        var clock = Stopwatch.StartNew();
        var crop = BoxOf(grid);
        if (crop is not { } c) return create(grid);
        var cropTime = clock.Elapsed;
        return new CroppedGridSolver(create(c.Box), grid, c.Box, c.Origin, cropTime);
    }

    /// <summary>The box around the fluid cells with its margin, aligned; null when it would not be at most <see cref="MaxShare"/> of the grid.</summary>
    internal static (PoissonGrid Box, (int X, int Y, int Z) Origin)? BoxOf(PoissonGrid grid)
    {
        var fluid = grid.FluidCells;
        if (fluid.Length == 0) return null;
        int nx = grid.Nx, ny = grid.Ny, plane = nx * ny;
        // z from the first and last fluid cell (ascending); x and y from every fluid cell
        int z0 = fluid[0] / plane, z1 = fluid[^1] / plane, x0 = nx, x1 = -1, y0 = ny, y1 = -1;
        foreach (int i in fluid)
        {
            int x = i % nx, y = i / nx % ny;
            if (x < x0) x0 = x;
            if (x > x1) x1 = x;
            if (y < y0) y0 = y;
            if (y > y1) y1 = y;
        }
        var (ox, sx) = AxisRange(x0, x1, nx);
        var (oy, sy) = AxisRange(y0, y1, ny);
        var (oz, sz) = AxisRange(z0, z1, grid.Nz);
        if ((double)sx * sy * sz > MaxShare * grid.CellCount) return null;
        var cells = new CellType[sx * sy * sz];
        var all = grid.CellArray;
        Parallel.For(0, sz, z =>
        {
            for (int y = 0; y < sy; y++)
                all.AsSpan(ox + nx * (oy + y + ny * (oz + z)), sx).CopyTo(cells.AsSpan(sx * (y + sy * z), sx));
        });
        return (new PoissonGrid(sx, sy, sz, cells), (ox, oy, oz));
    }

    /// <summary>Along one axis: the origin (first - 1, rounded down to the alignment) and the size (to last + 1), inside 0..n.</summary>
    static (int Origin, int Size) AxisRange(int first, int last, int n)
    {
        int origin = Math.Max(0, first - 1) / Alignment * Alignment;
        return (origin, Math.Min(n - 1, last + 1) - origin + 1);
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries (one per grid cell), got {b.Length} and {x.Length}");
        double outsideSq = VectorOps.Dot(b, b);
        Gather(b, _b);
        Gather(x, _x);
        outsideSq = Math.Max(0, outsideSq - VectorOps.Dot(_b, _b));
        var result = _inner.Solve(_b, _x, settings, cancellation);
        x.Clear();
        Scatter(_x, x);
        var details = new Dictionary<string, string>(result.Details)
        {
            ["grid"] = $"the box around the fluid cells, {Box.Nx}x{Box.Ny}x{Box.Nz} of {_grid.Nx}x{_grid.Ny}x{_grid.Nz}",
        };
        // b on cells outside the box is on no unknown: removed, as the whole grid's solver removes it
        var projection = outsideSq == 0 ? result.Projection
            : result.Projection is { } p
                ? p with { RemovedNorm = Math.Sqrt(p.RemovedNorm * p.RemovedNorm + outsideSq), OriginalNorm = Math.Sqrt(p.OriginalNorm * p.OriginalNorm + outsideSq) }
            : new RangeProjection(0, Math.Sqrt(outsideSq), Math.Sqrt(VectorOps.Dot(_b, _b) + outsideSq));
        return result with { Details = details, Projection = projection, SetupTime = SetupTime };
    }

    void Gather(ReadOnlySpan<double> full, double[] box)
    {
        int nx = _grid.Nx, ny = _grid.Ny, sx = Box.Nx, sy = Box.Ny;
        for (int z = 0; z < Box.Nz; z++)
            for (int y = 0; y < sy; y++)
                full.Slice(_origin.X + nx * (_origin.Y + y + ny * (_origin.Z + z)), sx).CopyTo(box.AsSpan(sx * (y + sy * z), sx));
    }

    void Scatter(double[] box, Span<double> full)
    {
        int nx = _grid.Nx, ny = _grid.Ny, sx = Box.Nx, sy = Box.Ny;
        for (int z = 0; z < Box.Nz; z++)
            for (int y = 0; y < sy; y++)
                box.AsSpan(sx * (y + sy * z), sx).CopyTo(full.Slice(_origin.X + nx * (_origin.Y + y + ny * (_origin.Z + z)), sx));
    }

    public void Dispose() => _inner.Dispose();
}
