using Dcdm.Solvers;

namespace Dcdm.Multigrid;

/// <summary>
/// One level of <see cref="Models.VCycleDirection"/> in float32 on its full grid: the operator as the diagonal byte per cell (0 off
/// the unknowns) times <see cref="Scale"/>, the learned relaxation weights of each sweep (none on the coarsest level),
/// and the vectors; <see cref="Half"/> and <see cref="Quarter"/> hold the separable transfers' partial results.
/// The kernels touch only the box around the unknowns (<see cref="Box"/>); every vector is 0 outside it.
/// </summary>
/// <param name="transfers">Whether the geometric transfers run from this level (<see cref="Half"/> and <see cref="Quarter"/>
/// allocated): not on a coarsest level (no weights), nor on the aggregate K-cycle's fine level, whose transfers are its own.</param>
internal sealed class VCycleLevel(int nx, int ny, int nz, byte[] diagonal, double scale, float[][] weights, bool transfers = true)
{
    public int Nx => nx;
    public int Ny => ny;
    public int Nz => nz;
    public int Cells => nx * ny * nz;
    /// <summary>The diagonal byte per cell (0 off the unknowns), the grid's own: the kernels widen it to float as they read it,
    /// which a set-up every time step does not have to convert and a sweep streams in a quarter of the bytes.</summary>
    public byte[] Diagonal => diagonal;
    /// <summary>The box around the unknowns: the kernels touch only that.</summary>
    public CellBox Box => _unknowns.Box;
    /// <summary>The unknowns by colour where they fill the box sparsely (the kernels walk these, not the box); else null.</summary>
    public SparseUnknowns? Sparse => _unknowns.Sparse;
    /// <summary>Which vectors of the box's rows hold an unknown, for the kernels that walk the box (made with the level
    /// where they do, else at the first call); null where no row is as long as a vector.</summary>
    public OccupiedVectors? Occupied => _unknowns.Occupied ?? (Volatile.Read(ref _occupiedMade) ? _occupiedLater : OccupiedNow());
    /// <summary>The first call's: the factory's closure is made here only, not at every kernel's read (a level whose rows are
    /// shorter than a vector has none, and read it once a plane: 10 KB a cycle on a 1 x 18 x 15 grid).</summary>
    OccupiedVectors? OccupiedNow() =>
        LazyInitializer.EnsureInitialized(ref _occupiedLater, ref _occupiedMade, ref _occupiedLock, () => OccupiedVectors.Of(diagonal, Box, nx, ny, nz));
    OccupiedVectors? _occupiedLater; // made once, also where it is null, by the first of the threads that ask
    bool _occupiedMade;
    object? _occupiedLock;
    readonly (CellBox Box, SparseUnknowns? Sparse, OccupiedVectors? Occupied) _unknowns = Unknowns(diagonal, nx, ny, nz);

    /// <summary>The box around the unknowns, found once, and their lists within it, or the vectors of the box holding one.</summary>
    static (CellBox, SparseUnknowns?, OccupiedVectors?) Unknowns(byte[] diagonal, int nx, int ny, int nz)
    {
        var box = CellBox.Around(diagonal, nx, ny, nz);
        var sparse = SparseUnknowns.Of(diagonal, box, nx, ny, nz);
        return (box, sparse, sparse is null ? OccupiedVectors.Of(diagonal, box, nx, ny, nz) : null);
    }

    public float Scale { get; } = (float)scale;
    /// <summary>Per sweep, per cell: the SOR weight in (0, 2).</summary>
    public float[][] Weights => weights;
    /// <summary>The level's right-hand side, its solution and a scratch vector.</summary>
    public float[] B { get; } = RebindCache.Array<float>(nx * ny * nz);
    public float[] X { get; } = RebindCache.Array<float>(nx * ny * nz);
    public float[] Work { get; } = RebindCache.Array<float>(nx * ny * nz);
    /// <summary>
    /// (nx + 1) / 2 x ny x nz and (nx + 1) / 2 x (ny + 1) / 2 x nz: restriction and prolongation one axis at a time. Both
    /// write the same entries (this level's box along the fine axes, the coarse level's along the coarse ones), so
    /// every other entry stays 0 and reads as the zero a vector holds outside its box.
    /// </summary>
    public float[] Half { get; } = transfers && weights.Length > 0 ? new float[(nx + 1) / 2 * ny * nz] : [];
    public float[] Quarter { get; } = transfers && weights.Length > 0 ? new float[(nx + 1) / 2 * ((ny + 1) / 2) * nz] : [];
    /// <summary>A row of zeros: the tap of a transfer that falls outside the grid.</summary>
    public float[] Zeros { get; } = new float[nx];
}
