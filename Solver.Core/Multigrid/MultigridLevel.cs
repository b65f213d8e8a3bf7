using Dcdm.Poisson;

namespace Dcdm.Multigrid;

/// <summary>
/// One level of the voxel multigrid hierarchy: its cell flags, the 7-point operator as one byte per cell (the
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
    public CellType[] Flags { get; }
    /// <summary>Per cell: open neighbours of an unknown, else 0.</summary>
    public byte[] Diagonal { get; }
    public double Scale { get; }
    /// <summary>The level's right-hand side, correction and residual.</summary>
    public double[] B { get; }
    public double[] X { get; }
    public double[] Work { get; }

    public MultigridLevel(PoissonGrid grid, double scale)
    {
        (Nx, Ny, Nz) = (grid.Nx, grid.Ny, grid.Nz);
        Flags = grid.Cells.ToArray();
        Diagonal = CellDiagonal.Of(grid);
        Scale = scale;
        B = new double[Cells]; X = new double[Cells]; Work = new double[Cells];
    }

    /// <summary>
    /// The levels of a grid, finest first (level l scaled 4^-l): the coarsening stops when the largest size is at most 4
    /// or the next level would have no unknowns (a fluid layer one cell thin under air).
    /// </summary>
    public static MultigridLevel[] Hierarchy(PoissonGrid grid)
    {
        var levels = new List<MultigridLevel> { new(grid, 1) };
        while (Math.Max(levels[^1].Nx, Math.Max(levels[^1].Ny, levels[^1].Nz)) > 4)
        {
            var level = new MultigridLevel(levels[^1].Coarsen(), levels[^1].Scale / 4);
            if (Array.TrueForAll(level.Diagonal, d => d == 0)) break; // no unknowns left to correct
            levels.Add(level);
        }
        return [.. levels];
    }

    /// <summary>The next coarser grid: 2x2x2 blocks (sizes rounded up); air wins over fluid, fluid over solid.</summary>
    public PoissonGrid Coarsen()
    {
        int cx = (Nx + 1) / 2, cy = (Ny + 1) / 2, cz = (Nz + 1) / 2;
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
                                if (fx >= Nx || fy >= Ny || fz >= Nz) continue;
                                var t = Flags[fx + Nx * (fy + Ny * fz)];
                                air |= t == CellType.Air;
                                fluid |= t == CellType.Fluid;
                            }
                    cells[x + cx * (y + cy * z)] = air ? CellType.Air : fluid ? CellType.Fluid : CellType.Solid;
                }
        return new PoissonGrid(cx, cy, cz, cells);
    }
}
