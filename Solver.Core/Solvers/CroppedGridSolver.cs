using System.Diagnostics;
using Dcdm.Multigrid;
using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// A grid solver set up and run on the box around the fluid cells (<see cref="BoxOf"/>) when that box is at most
/// <see cref="MaxShare"/> of the grid: the air above a free surface and the dry part of a dam break's domain then cost
/// nothing, in set-up or in solve. Full-grid vectors in and out (b outside the box falls on cells that are no unknowns,
/// and x is 0 there), or compact ones (<see cref="ServingCompactVectors"/>).
/// </summary>
/// <remarks>The box keeps one cell of margin (a boundary cell's air or solid neighbour stays in it, so every row is the
/// grid's own) and starts at a multiple of <see cref="Alignment"/>: the cells' red-black colours and the first two levels'
/// blocks and colours are the whole grid's (deeper levels may differ, so may the iterations, by one at most where
/// measured). Its fluid cells keep their order, so compact vectors and a compact matrix serve it unchanged.</remarks>
internal sealed class CroppedGridSolver(ILinearSolver inner, PoissonGrid grid, PoissonGrid box, (int X, int Y, int Z) origin, TimeSpan cropTime,
    bool compact = false) : ILinearSolver
{
    /// <summary>Crop only when the box holds at most this share of the grid's cells (a smaller saving is not worth the copies).</summary>
    public const double MaxShare = 0.8;
    /// <summary>The box's origin is a multiple of this along every axis: the first two levels of blocks and their colours stay the grid's.</summary>
    public const int Alignment = 8;

    // full-grid vectors carried to the box (compact ones go to the inner solver as they are)
    readonly BoxVectors _map = new(new CroppedBox((grid.Nx, grid.Ny, grid.Nz), origin, (box.Nx, box.Ny, box.Nz)), vectors: !compact);

    public string Method => inner.Method;
    /// <summary>One entry per grid cell, or per fluid cell when serving compact vectors.</summary>
    public int Size => compact ? grid.FluidCount : grid.CellCount;
    /// <summary>Making the box plus the solver's own set-up on it.</summary>
    public TimeSpan SetupTime => cropTime + inner.SetupTime;

    /// <summary>The solver <paramref name="create"/> makes for the grid, run on the box around its fluid cells where that pays.</summary>
    public static ILinearSolver Around(PoissonGrid grid, Func<PoissonGrid, ILinearSolver> create)
    {
        var clock = Stopwatch.StartNew();
        var crop = BoxOf(grid); // a vectorised search per row (CellBox), planes in parallel: 0.06-0.22 ms at 128^3 (measured)
        if (crop is not { } c) return create(grid);
        var cropTime = clock.Elapsed;
        ILinearSolver inner;
        try { inner = create(c.Box); }
        catch (InvalidSystemException) { return create(grid); } // the same refusal, naming the caller's grid, not the box
        return new CroppedGridSolver(inner, grid, c.Box, c.Origin, cropTime);
    }

    /// <summary>
    /// The same solver taking compact vectors (one entry per fluid cell, in the grid's order, which the box keeps): the
    /// box's own <see cref="CompactGridSolver"/> takes them, not the whole grid. The inner solver moves to the returned
    /// one, which disposes it.
    /// </summary>
    public CroppedGridSolver ServingCompactVectors() => new(new CompactGridSolver(inner, box), grid, box, origin, cropTime, compact: true);

    /// <summary>
    /// The box around the fluid cells with its margin, aligned; null when it would not be at most <see cref="MaxShare"/> of
    /// the grid. In a re-bind (<see cref="RebindCache"/>) the last box while it holds that box and is at most
    /// <see cref="MaxLooseness"/> of it, else that box with its far ends on the alignment.
    /// </summary>
    internal static (PoissonGrid Box, (int X, int Y, int Z) Origin)? BoxOf(PoissonGrid grid)
    {
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz;
        var fluid = CellBox.AroundFluid(grid);
        if (fluid.IsEmpty) return null;
        var (ox, sx) = AxisRange(fluid.X0, fluid.X1, nx);
        var (oy, sy) = AxisRange(fluid.Y0, fluid.Y1, ny);
        var (oz, sz) = AxisRange(fluid.Z0, fluid.Z1, nz);
        if ((double)sx * sy * sz > MaxShare * grid.CellCount) return null;
        var kept = Kept(new CroppedBox((nx, ny, nz), (ox, oy, oz), (sx, sy, sz)), grid.CellCount);
        ((ox, oy, oz), (sx, sy, sz)) = (kept.Origin, kept.Size);
        var cells = new CellType[sx * sy * sz];
        kept.Cut(grid.CellArray, cells);
        return (new PoissonGrid(sx, sy, sz, cells), (ox, oy, oz));
    }

    /// <summary>A box kept in a time loop holds at most this many times the cells of the tightest box.</summary>
    public const double MaxLooseness = 1.25;

    /// <summary>
    /// The box a binding runs on, given the tightest (aligned) one: outside a re-bind that one; in a time loop
    /// (<see cref="RebindCache"/>) the last box while it holds the tightest and is at most <see cref="MaxLooseness"/> of
    /// it, else the tightest with its far ends on the alignment, so the box (and every array sized by it) keeps its size
    /// for several steps; never more than <see cref="MaxShare"/> of the grid's <paramref name="gridCells"/>.
    /// </summary>
    internal static CroppedBox Kept(CroppedBox tight, long gridCells)
    {
        if (RebindCache.Active is not { } cache) return tight;
        var ((nx, ny, nz), (ox, oy, oz), (sx, sy, sz)) = tight;
        var kept = cache.Box is { } last && Holds(last, tight) && last.Cells <= MaxLooseness * tight.Cells ? last
            : new CroppedBox((nx, ny, nz), (ox, oy, oz), (Extended(ox, sx, nx), Extended(oy, sy, ny), Extended(oz, sz, nz)));
        if (kept.Cells > MaxShare * gridCells) kept = tight;
        cache.Box = kept;
        return kept;
    }

    static bool Holds(CroppedBox outer, CroppedBox inner) => outer.Grid == inner.Grid
        && outer.Origin.X <= inner.Origin.X && outer.Origin.Y <= inner.Origin.Y && outer.Origin.Z <= inner.Origin.Z
        && outer.Origin.X + outer.Size.X >= inner.Origin.X + inner.Size.X && outer.Origin.Y + outer.Size.Y >= inner.Origin.Y + inner.Size.Y
        && outer.Origin.Z + outer.Size.Z >= inner.Origin.Z + inner.Size.Z;

    /// <summary>A size whose far end is on the alignment (or the grid's end).</summary>
    static int Extended(int origin, int size, int n) => Math.Min(n, (origin + size + Alignment - 1) / Alignment * Alignment) - origin;

    /// <summary>Along one axis: the origin (first - 1, rounded down to the alignment) and the size (to last + 1), inside 0..n.</summary>
    static (int Origin, int Size) AxisRange(int first, int last, int n)
    {
        int origin = Math.Max(0, first - 1) / Alignment * Alignment;
        return (origin, Math.Min(n - 1, last + 1) - origin + 1);
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries (one per {(compact ? "fluid" : "grid")} cell), got {b.Length} and {x.Length}");
        string note = $"the box around the fluid cells, {box.Nx}x{box.Ny}x{box.Nz} of {grid.Nx}x{grid.Ny}x{grid.Nz}";
        return compact ? _map.AsTheGrids(inner.Solve(b, x, settings, cancellation), 0, [], note, SetupTime)
            : _map.Solve(inner, b, x, settings, cancellation, note, SetupTime);
    }

    public void Dispose() => inner.Dispose();
}
