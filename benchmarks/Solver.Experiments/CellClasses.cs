using Dcdm.Poisson;

namespace Dcdm.Experiments;

/// <summary>A fluid cell's class by its face neighbours: air 0, 1, 2 or more, times solid (a wall or the grid's edge) 0 to 3 or more.</summary>
public static class CellClasses
{
    public const int Count = 12;

    public static int Of(PoissonGrid grid, int i)
    {
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz, plane = nx * ny, x = i % nx, y = i / nx % ny, z = i / plane;
        var cells = grid.CellArray;
        int air = 0, solid = 0;
        void Neighbour(bool inside, int j)
        {
            var c = inside ? cells[j] : CellType.Solid;
            if (c == CellType.Air) air++;
            else if (c == CellType.Solid) solid++;
        }
        Neighbour(x > 0, i - 1); Neighbour(x < nx - 1, i + 1);
        Neighbour(y > 0, i - nx); Neighbour(y < ny - 1, i + nx);
        Neighbour(z > 0, i - plane); Neighbour(z < nz - 1, i + plane);
        return Math.Min(air, 2) * 4 + Math.Min(solid, 3);
    }

    /// <summary>A value per grid cell: the fluid cells' class's, <paramref name="outside"/> elsewhere.</summary>
    public static float[] PerCell(PoissonGrid grid, ReadOnlySpan<double> perClass, float outside = 0)
    {
        var values = new float[grid.CellCount];
        if (outside != 0) Array.Fill(values, outside);
        foreach (int i in grid.FluidCells) values[i] = (float)perClass[Of(grid, i)];
        return values;
    }

    public static string Describe(ReadOnlySpan<double> perClass)
    {
        var parts = new List<string>();
        for (int c = 0; c < Count; c++) parts.Add(FormattableString.Invariant($"air {c / 4} solid {c % 4}: {perClass[c]:F2}"));
        return string.Join(", ", parts);
    }
}
