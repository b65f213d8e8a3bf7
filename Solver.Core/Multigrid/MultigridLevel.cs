using Dcdm.Poisson;

namespace Dcdm.Multigrid;

/// <summary>
/// One level of the voxel multigrid hierarchy: the 7-point operator as one byte per cell (the
/// diagonal of an unknown, 0 elsewhere) times <see cref="Scale"/>, and its work vectors, all on the full grid of
/// the level and 0 off its unknowns. Level l's operator is the level's own 7-point Laplacian times 4^-l: the same
/// continuous operator in the finest level's units (h grows 2x a level, the unscaled stencil 4x).
/// </summary>
internal sealed class MultigridLevel
{
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public int Cells => Nx * Ny * Nz;
    /// <summary>Per cell: open neighbours of an unknown, else 0.</summary>
    public byte[] Diagonal { get; }
    public double Scale { get; }
    /// <summary>The level's right-hand side, correction and residual.</summary>
    public double[] B { get; }
    public double[] X { get; }
    public double[] Work { get; }

    public MultigridLevel(PoissonGrid grid, double scale) : this(grid, CellDiagonal.Of(grid), scale) { }

    /// <param name="diagonal">The grid's <see cref="CellDiagonal.Of"/>, when the caller has it.</param>
    public MultigridLevel(PoissonGrid grid, byte[] diagonal, double scale)
    {
        (Nx, Ny, Nz) = (grid.Nx, grid.Ny, grid.Nz);
        Diagonal = diagonal;
        Scale = scale;
        B = new double[Cells]; X = new double[Cells]; Work = new double[Cells];
    }

    /// <summary>The levels of a grid, finest first, level l scaled 4^-l (<see cref="Grids"/>).</summary>
    public static MultigridLevel[] Hierarchy(PoissonGrid grid) => [.. Grids(grid).Select((g, l) => new MultigridLevel(g.Grid, g.Diagonal, Math.Pow(4, -l)))];

    /// <summary>
    /// The grids of the levels, finest first, each with its <see cref="CellDiagonal.Of"/>: the coarsening stops when the
    /// largest size is at most 4 or the next level would have no unknowns (a fluid layer one cell thin under air).
    /// </summary>
    public static List<(PoissonGrid Grid, byte[] Diagonal)> Grids(PoissonGrid grid)
    {
        var grids = new List<(PoissonGrid Grid, byte[] Diagonal)> { (grid, CellDiagonal.Of(grid)) };
        while (Math.Max(grids[^1].Grid.Nx, Math.Max(grids[^1].Grid.Ny, grids[^1].Grid.Nz)) > 4)
        {
            var coarse = Coarsen(grids[^1].Grid);
            var diagonal = CellDiagonal.Of(coarse);
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
