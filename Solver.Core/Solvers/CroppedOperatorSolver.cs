using System.Diagnostics;
using Dcdm.Multigrid;
using Dcdm.Poisson;

namespace Dcdm.Solvers;

/// <summary>
/// A voxel operator's solver set up and run on the box around its unknowns (<see cref="BoxOf"/>) when that box is at
/// most <see cref="CroppedGridSolver.MaxShare"/> of the grid, as <see cref="CroppedGridSolver"/> does for a grid: the
/// air above a ghost-fluid surface costs nothing in set-up or solve, and a box the unknowns fill enough runs
/// matrix-free (<see cref="FaceStencil"/>). Full-grid vectors in and out (b outside the box falls on no unknown, x is 0
/// there).
/// </summary>
/// <remarks>Every open face joins two unknowns, so the box needs no margin (its faces that leave it are closed); it keeps
/// one cell past the last unknown, as a grid's does, for a time loop's moving front. Its origin is a multiple of
/// <see cref="CroppedGridSolver.Alignment"/>, so the cells' colours and the first levels' blocks are the whole grid's.</remarks>
internal sealed class CroppedOperatorSolver(ILinearSolver inner, CroppedBox crop, TimeSpan cropTime) : ILinearSolver
{
    readonly BoxVectors _map = new(crop);

    public string Method => inner.Method;
    /// <summary>One entry per grid cell.</summary>
    public int Size => crop.Grid.X * crop.Grid.Y * crop.Grid.Z;
    /// <summary>Finding and copying the box plus the solver's own set-up on it.</summary>
    public TimeSpan SetupTime => cropTime + inner.SetupTime;

    /// <summary>The solver <paramref name="create"/> makes for the operator, run on the box around its unknowns where that pays.</summary>
    public static ILinearSolver Around(VoxelOperator op, Func<VoxelOperator, ILinearSolver> create)
    {
        var clock = Stopwatch.StartNew();
        if (BoxOf(op) is not var (box, crop)) return create(op);
        var cropTime = clock.Elapsed;
        ILinearSolver inner;
        try { inner = create(box); }
        catch (InvalidSystemException) { return create(op); } // the same refusal, naming the caller's operator, not the box
        return new CroppedOperatorSolver(inner, crop, cropTime);
    }

    /// <summary>The operator on the box around its unknowns, from an aligned origin (in a re-bind, the last box while it
    /// serves: <see cref="CroppedGridSolver.Kept"/>); null when the box would be more than
    /// <see cref="CroppedGridSolver.MaxShare"/> of the grid, or there is no unknown.</summary>
    internal static (VoxelOperator Box, CroppedBox Crop)? BoxOf(VoxelOperator op)
    {
        int nx = op.Nx, ny = op.Ny, nz = op.Nz;
        var unknowns = CellBox.AroundUnknowns(op);
        if (unknowns.IsEmpty) return null;
        int Origin(int first) => first / CroppedGridSolver.Alignment * CroppedGridSolver.Alignment;
        var origin = (X: Origin(unknowns.X0), Y: Origin(unknowns.Y0), Z: Origin(unknowns.Z0));
        // one cell past the last unknown where the grid goes on, as a grid's box keeps (so a front that moves by a cell
        // still fits a box kept in a time loop)
        var size = (X: Math.Min(nx, unknowns.X1 + 2) - origin.X, Y: Math.Min(ny, unknowns.Y1 + 2) - origin.Y, Z: Math.Min(nz, unknowns.Z1 + 2) - origin.Z);
        var tight = new CroppedBox((nx, ny, nz), origin, size);
        if (tight.Cells > CroppedGridSolver.MaxShare * op.CellCount) return null;
        var crop = CroppedGridSolver.Kept(tight, op.CellCount); // in a time loop, kept while it serves, as a grid's
        size = crop.Size;
        int cells = (int)crop.Cells;
        // every entry written below; the solver's own, so a re-bind's arrays where the box keeps its size
        double[] fx = RebindCache.Array<double>(cells, zeroed: false), fy = RebindCache.Array<double>(cells, zeroed: false);
        double[] fz = RebindCache.Array<double>(cells, zeroed: false), dirichlet = RebindCache.Array<double>(cells, zeroed: false);
        // the faces that leave the box are closed: every open face joins two unknowns, all inside it
        crop.Cut(op.FaceX, fx); crop.Cut(op.FaceY, fy); crop.Cut(op.FaceZ, fz); crop.Cut(op.Dirichlet, dirichlet);
        return (VoxelOperator.CutFromChecked(size.X, size.Y, size.Z, fx, fy, fz, dirichlet), crop);
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries (one per grid cell), got {b.Length} and {x.Length}");
        var (g, s) = (crop.Grid, crop.Size);
        return _map.Solve(inner, b, x, settings, cancellation, $"the box around the unknowns, {s.X}x{s.Y}x{s.Z} of {g.X}x{g.Y}x{g.Z}", SetupTime);
    }

    public void Dispose() => inner.Dispose();
}
