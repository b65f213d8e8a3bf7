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

    /// <summary>The families <see cref="Families"/> knows: every generated family of <see cref="PoissonDomains"/> and "pool".</summary>
    public static IReadOnlyList<string> FamilyNames { get; } = [.. PoissonDomains.Families, "pool"];

    /// <summary>
    /// <paramref name="geometries"/> geometries of each named family at size n, named family1, family2, ...: the
    /// generators of <see cref="PoissonDomains.Named"/> with seeds hashed from (seed, geometry) (consecutive seeds give
    /// Random nearly equal first values; never the evaluation suite's seed 7), and for "pool" a flat surface at a height
    /// from 30% to 70% spread by the golden ratio.
    /// </summary>
    public static IReadOnlyList<TrainingDomain> Families(IReadOnlyList<string> families, int n, int geometries, int seed)
    {
        var domains = new List<TrainingDomain>();
        foreach (var family in families)
        {
            if (!FamilyNames.Contains(family))
                throw new ArgumentException($"training family '{family}' is unknown; use some of {string.Join(", ", FamilyNames)}", nameof(families));
            for (int g = 0; g < geometries; g++)
            {
                int s = Mix(1000 * seed + g + 1);
                double fill = 0.3 + 0.4 * ((0.381966 * seed + 0.618034 * (g + 1)) % 1);
                var grid = family == "pool" ? Pool(n, fill) : PoissonDomains.Named(family, n, n, n, s);
                domains.Add(new($"{family}{g + 1}", grid));
            }
        }
        return domains;
    }

    /// <summary>An integer hash (a multiply-xorshift mix) onto positive seeds other than 7.</summary>
    static int Mix(int value)
    {
        uint x = (uint)value * 0x9E3779B1u;
        x ^= x >> 15; x *= 0x85EBCA77u; x ^= x >> 13;
        int seed = (int)(x & 0x7FFFFFFF);
        return seed == 7 ? 8 : seed;
    }

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
