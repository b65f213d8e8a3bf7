using Dcdm.Poisson;

namespace Dcdm.Multigrid;

/// <summary>
/// The geometric hierarchy of a voxel grid: coarse grids of 2x2x2 blocks with rediscretised flags (air wins over fluid,
/// fluid over solid). The vcycle model's V-cycle runs on it (<see cref="Models.VCycleDirectionModel"/>, on the CPU, on a
/// device and in training); pcg-mg's hierarchy is <see cref="AggregateHierarchy"/>, which keeps thin walls.
/// </summary>
internal static class GeometricGrids
{
    /// <summary>
    /// The grids of the levels, finest first, each with its diagonal (the grid's own, read only): the coarsening stops when the
    /// largest size is at most 4 or the next level would have no unknowns (a fluid layer one cell thin under air).
    /// </summary>
    public static List<(PoissonGrid Grid, byte[] Diagonal)> Of(PoissonGrid grid)
    {
        var grids = new List<(PoissonGrid Grid, byte[] Diagonal)> { (grid, grid.Diagonal) };
        while (Math.Max(grids[^1].Grid.Nx, Math.Max(grids[^1].Grid.Ny, grids[^1].Grid.Nz)) > 4)
        {
            var coarse = Coarsen(grids[^1].Grid);
            var diagonal = coarse.Diagonal;
            if (Array.TrueForAll(diagonal, d => d == 0)) break; // no unknowns left to correct
            grids.Add((coarse, diagonal));
        }
        return grids;
    }

    /// <summary>The next coarser grid: 2x2x2 blocks (sizes rounded up); air wins over fluid, fluid over solid.</summary>
    public static PoissonGrid Coarsen(PoissonGrid fine)
    {
        int nx = fine.Nx, ny = fine.Ny, nz = fine.Nz;
        var flags = fine.Cells;
        int cx = (nx + 1) / 2, cy = (ny + 1) / 2, cz = (nz + 1) / 2;
        var cells = new CellType[cx * cy * cz];
        for (int z = 0; z < cz; z++)
            for (int y = 0; y < cy; y++)
                for (int x = 0; x < cx; x++)
                {
                    bool air = false, fluid = false;
                    for (int dz = 0; dz < 2; dz++)
                        for (int dy = 0; dy < 2; dy++)
                            for (int dx = 0; dx < 2; dx++)
                            {
                                int fx = 2 * x + dx, fy = 2 * y + dy, fz = 2 * z + dz;
                                if (fx >= nx || fy >= ny || fz >= nz) continue;
                                var t = flags[fx + nx * (fy + ny * fz)];
                                air |= t == CellType.Air;
                                fluid |= t == CellType.Fluid;
                            }
                    cells[x + cx * (y + cy * z)] = air ? CellType.Air : fluid ? CellType.Fluid : CellType.Solid;
                }
        return new PoissonGrid(cx, cy, cz, cells);
    }
}
