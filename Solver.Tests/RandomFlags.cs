namespace Dcdm.Tests;

/// <summary>Grids of random cell flags: at these densities isolated fluid cells and closed pockets appear.</summary>
public static class RandomFlags
{
    /// <summary>Each cell solid with probability <paramref name="solid"/>, air with <paramref name="air"/>, else fluid.</summary>
    public static PoissonGrid Grid(int seed, double solid, double air, int nx, int ny, int nz)
    {
        var rng = new Random(seed);
        var cells = Enumerable.Range(0, nx * ny * nz).Select(_ => rng.NextDouble() switch
        {
            var u when u < solid => CellType.Solid,
            var u when u < solid + air => CellType.Air,
            _ => CellType.Fluid,
        }).ToArray();
        return new PoissonGrid(nx, ny, nz, cells);
    }
}
