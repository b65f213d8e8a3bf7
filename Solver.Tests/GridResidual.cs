
namespace Dcdm.Tests;

/// <summary>
/// ||P b - A x|| / ||P b|| over the unknowns of a grid, with the 7-point stencil written out from the flags (not a
/// solver's operator code): diagonal = non-solid neighbours inside the grid, -1 to each fluid neighbour. P removes
/// b's mean on each closed fluid pocket, as the solvers do.
/// </summary>
public static class GridResidual
{
    public static double Relative(PoissonGrid grid, double[] b, double[] x)
    {
        var prepared = new double[b.Length];
        var (_, norm) = ReducedSystem.FromGrid(grid).PrepareRightHandSideOnRows(b, prepared);
        double rr = 0;
        for (int z = 0; z < grid.Nz; z++)
        for (int y = 0; y < grid.Ny; y++)
        for (int i = 0; i < grid.Nx; i++)
        {
            if (grid[i, y, z] != CellType.Fluid) continue;
            double ax = 0;
            int open = 0;
            foreach (var (u, v, w) in new[] { (i + 1, y, z), (i - 1, y, z), (i, y + 1, z), (i, y - 1, z), (i, y, z + 1), (i, y, z - 1) })
            {
                if (u < 0 || v < 0 || w < 0 || u >= grid.Nx || v >= grid.Ny || w >= grid.Nz || grid[u, v, w] == CellType.Solid) continue;
                open++;
                ax += x[grid.Index(i, y, z)];
                if (grid[u, v, w] == CellType.Fluid) ax -= x[grid.Index(u, v, w)];
            }
            if (open == 0) continue; // an isolated fluid cell is no unknown
            double r = prepared[grid.Index(i, y, z)] - ax;
            rr += r * r;
        }
        return Math.Sqrt(rr) / norm;
    }
}
