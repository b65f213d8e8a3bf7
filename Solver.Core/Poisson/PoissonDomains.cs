namespace Dcdm.Poisson;

/// <summary>
/// Generated voxel domains of the kinds a CFD code meets. Every generator is deterministic for a
/// given seed. "Open top" means the top z-layer is air (p = 0), which makes the system non-singular.
/// </summary>
public static class PoissonDomains
{
    /// <summary>All fluid, walls all round: pure Neumann, singular (constants in the null space).</summary>
    public static PoissonGrid ClosedBox(int nx, int ny, int nz) => PoissonGrid.Filled(nx, ny, nz, CellType.Fluid);

    /// <summary>A smoke box: walls on five sides, an air layer on top.</summary>
    public static PoissonGrid SmokeBox(int nx, int ny, int nz)
    {
        var cells = Fluid(nx, ny, nz);
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>A smoke box with solid spheres of random centre and radius (4% to 15% of the box).</summary>
    public static PoissonGrid Spheres(int nx, int ny, int nz, int count, int seed)
    {
        var cells = Fluid(nx, ny, nz);
        var rng = new Random(seed);
        int n = Math.Min(nx, Math.Min(ny, nz));
        for (int s = 0; s < count; s++)
        {
            double r = n * (0.04 + 0.11 * rng.NextDouble());
            double cx = nx * (0.15 + 0.7 * rng.NextDouble()), cy = ny * (0.15 + 0.7 * rng.NextDouble()), cz = nz * (0.1 + 0.6 * rng.NextDouble());
            ForEach(nx, ny, nz, (x, y, z, i) =>
            {
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy, dz = z + 0.5 - cz;
                if (dx * dx + dy * dy + dz * dz <= r * r) cells[i] = CellType.Solid;
            });
        }
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// A smoke box cluttered with random solid blocks covering about <paramref name="solidFraction"/>
    /// of the cells. Pockets cut off from the air are closed (singular) components.
    /// </summary>
    public static PoissonGrid RandomObstacles(int nx, int ny, int nz, double solidFraction, int seed)
    {
        if (solidFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(solidFraction), $"solid fraction {solidFraction} must be in [0, 1)");
        var cells = Fluid(nx, ny, nz);
        var rng = new Random(seed);
        long target = (long)(solidFraction * cells.Length), solid = 0;
        int maxEdge = Math.Max(1, Math.Min(nx, Math.Min(ny, nz)) / 6);
        while (solid < target)
        {
            int ex = rng.Next(1, maxEdge + 1), ey = rng.Next(1, maxEdge + 1), ez = rng.Next(1, maxEdge + 1);
            int x0 = rng.Next(0, nx), y0 = rng.Next(0, ny), z0 = rng.Next(0, nz);
            for (int z = z0; z < Math.Min(nz, z0 + ez); z++)
                for (int y = y0; y < Math.Min(ny, y0 + ey); y++)
                    for (int x = x0; x < Math.Min(nx, x0 + ex); x++)
                    {
                        int i = x + nx * (y + ny * z);
                        if (cells[i] == CellType.Fluid) { cells[i] = CellType.Solid; solid++; }
                    }
        }
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// A tank filled to about <paramref name="fillFraction"/> of its height with a wavy free
    /// surface; air above it. Walls on the sides and bottom.
    /// </summary>
    public static PoissonGrid FreeSurfaceTank(int nx, int ny, int nz, double fillFraction, int seed)
    {
        if (fillFraction is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(fillFraction), $"fill fraction {fillFraction} must be in (0, 1]");
        var rng = new Random(seed);
        double ax = 0.08 * nz * rng.NextDouble(), ay = 0.08 * nz * rng.NextDouble();
        double kx = 2 * Math.PI * (1 + rng.Next(3)) / nx, ky = 2 * Math.PI * (1 + rng.Next(3)) / ny;
        double phase = 2 * Math.PI * rng.NextDouble();
        var cells = new CellType[(long)nx * ny * nz];
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            double surface = fillFraction * nz + ax * Math.Sin(kx * x + phase) + ay * Math.Cos(ky * y);
            cells[i] = z + 0.5 < surface ? CellType.Fluid : CellType.Air;
        });
        return new PoissonGrid(nx, ny, nz, cells);
    }

    static CellType[] Fluid(int nx, int ny, int nz)
    {
        var cells = new CellType[(long)nx * ny * nz];
        Array.Fill(cells, CellType.Fluid);
        return cells;
    }

    static void AirTop(CellType[] cells, int nx, int ny, int nz)
    {
        int top = nx * ny * (nz - 1);
        for (int i = 0; i < nx * ny; i++) cells[top + i] = CellType.Air;
    }

    static void ForEach(int nx, int ny, int nz, Action<int, int, int, int> body)
    {
        int i = 0;
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                    body(x, y, z, i++);
    }
}
