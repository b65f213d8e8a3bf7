using Dcdm.Poisson;

namespace Dcdm.Training.Data;

/// <summary>A named generated geometry for training or validation.</summary>
public sealed record TrainingDomain(string Name, PoissonGrid Grid)
{
    /// <summary>
    /// The training geometries at size n: a smoke box (air on top), a box with solid spheres, and a
    /// half-full pool with a flat surface. Validation uses other families (random block obstacles, a
    /// wavy free surface), so it measures generalisation.
    /// </summary>
    public static IReadOnlyList<TrainingDomain> Training(int n) =>
    [
        new("smoke", PoissonDomains.SmokeBox(n, n, n)),
        new("spheres", PoissonDomains.Spheres(n, n, n, 5, seed: 11)),
        new("pool", Pool(n, 0.5)),
    ];

    public static IReadOnlyList<TrainingDomain> Validation(int n) =>
    [
        new("obstacles", PoissonDomains.RandomObstacles(n, n, n, 0.15, seed: 1)),
        new("tank", PoissonDomains.FreeSurfaceTank(n, n, n, 0.6, seed: 3)),
    ];

    /// <summary>Fluid below a flat surface at fill * n, air above; walls on the sides and bottom.</summary>
    public static PoissonGrid Pool(int n, double fill)
    {
        var cells = new CellType[n * n * n];
        for (int z = 0; z < n; z++)
            for (int i = 0; i < n * n; i++)
                cells[z * n * n + i] = z + 0.5 < fill * n ? CellType.Fluid : CellType.Air;
        return new PoissonGrid(n, n, n, cells);
    }
}
