namespace Dcdm.Poisson;

/// <summary>Right-hand sides on a grid (one value per cell, 0 outside fluid), deterministic per seed.</summary>
public static class RightHandSides
{
    /// <summary>Independent N(0, 1) values on fluid cells.</summary>
    public static double[] Random(PoissonGrid grid, int seed)
    {
        var rng = new Random(seed);
        var b = new double[grid.CellCount];
        var cells = grid.Cells;
        for (int i = 0; i < b.Length; i++) if (cells[i] == CellType.Fluid) b[i] = Gaussian(rng);
        return b;
    }

    /// <summary>A smooth field: a product of low-frequency sines, the slowly converging end of the spectrum.</summary>
    public static double[] Smooth(PoissonGrid grid)
    {
        var b = new double[grid.CellCount];
        var cells = grid.Cells;
        for (int z = 0; z < grid.Nz; z++)
            for (int y = 0; y < grid.Ny; y++)
                for (int x = 0; x < grid.Nx; x++)
                {
                    int i = grid.Index(x, y, z);
                    if (cells[i] != CellType.Fluid) continue;
                    b[i] = Math.Sin(Math.PI * (x + 0.5) / grid.Nx) * Math.Sin(2 * Math.PI * (y + 0.5) / grid.Ny) * Math.Cos(Math.PI * (z + 0.5) / grid.Nz);
                }
        return b;
    }

    /// <summary>
    /// b = -div u for a random face velocity field u (N(0,1) per face, zero on faces touching a
    /// solid cell or the grid boundary): the right-hand side of a pressure projection. It is
    /// compatible with every closed fluid pocket, since the fluxes of a pocket cancel.
    /// </summary>
    public static double[] VelocityDivergence(PoissonGrid grid, int seed)
    {
        var rng = new Random(seed);
        var b = new double[grid.CellCount];
        var cells = grid.Cells;
        int[] stride = { 1, grid.Nx, grid.Nx * grid.Ny };
        for (int z = 0; z < grid.Nz; z++)
            for (int y = 0; y < grid.Ny; y++)
                for (int x = 0; x < grid.Nx; x++)
                {
                    int i = grid.Index(x, y, z);
                    // the face between cell i and its +x, +y, +z neighbour
                    for (int d = 0; d < 3; d++)
                    {
                        double u = Gaussian(rng); // drawn for every face so the field does not depend on the flags
                        bool inside = d switch { 0 => x < grid.Nx - 1, 1 => y < grid.Ny - 1, _ => z < grid.Nz - 1 };
                        if (!inside) continue;
                        int j = i + stride[d];
                        if (cells[i] == CellType.Solid || cells[j] == CellType.Solid) continue;
                        // flux u leaves i and enters j: div(i) += u, div(j) -= u; b = -div
                        if (cells[i] == CellType.Fluid) b[i] -= u;
                        if (cells[j] == CellType.Fluid) b[j] += u;
                    }
                }
        return b;
    }

    static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
