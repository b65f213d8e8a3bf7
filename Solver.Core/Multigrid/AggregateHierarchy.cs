namespace Dcdm.Multigrid;

/// <summary>
/// The coarse levels of <see cref="AggregateMultigrid"/> for one grid, as the CPU cycle and the device cycle both run
/// them: each level (<see cref="AggregateLevel"/>), the parent maps between them, and the coarsest level's direct factor.
/// Coarsening stops at <see cref="AggregateMultigrid.CoarsestRows"/> rows or when a level would not be 1.5x smaller.
/// </summary>
internal sealed class AggregateHierarchy
{
    /// <summary>Coarse levels, finest first.</summary>
    public AggregateLevel[] Levels { get; }
    /// <summary>The fine grid's cells to the first coarse level's rows (-1: not an unknown).</summary>
    public int[] FineParent { get; }
    /// <summary>Parents[c]: level c's rows to level c + 1's.</summary>
    public int[][] Parents { get; }
    /// <summary>
    /// The coarsest level's factor; null when coarsening stalled (many small pieces that never merge: droplets, isolated
    /// pockets) and left it larger than 4x <see cref="AggregateMultigrid.CoarsestRows"/>: nearly block-diagonal, relaxed instead.
    /// </summary>
    public SemidefiniteCholesky? Coarsest { get; }

    public AggregateHierarchy(int nx, int ny, int nz, byte[] diagonal, double galerkinScale)
    {
        var levels = new List<AggregateLevel>();
        var parents = new List<int[]>();
        var level = Aggregation.FromGrid(nx, ny, nz, diagonal, galerkinScale, out var fineParent);
        levels.Add(level);
        while (level.Rows > AggregateMultigrid.CoarsestRows && Aggregation.Coarsen(level, galerkinScale, out var parent) is { } next)
        {
            parents.Add(parent);
            levels.Add(next);
            level = next;
        }
        (Levels, Parents, FineParent) = ([.. levels], [.. parents], fineParent);
        Coarsest = level.Rows <= 4 * AggregateMultigrid.CoarsestRows ? new SemidefiniteCholesky(level.Dense()) : null;
    }
}
