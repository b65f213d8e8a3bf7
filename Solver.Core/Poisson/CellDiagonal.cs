namespace Dcdm.Poisson;

/// <summary>The 7-point operator's diagonal per cell as one byte: the matrix-free kernels' whole operator.</summary>
public static class CellDiagonal
{
    /// <summary>
    /// Per cell its diagonal (open neighbours) when it is an unknown, else 0. An isolated fluid cell (no open
    /// neighbour) is a zero row, not an unknown, so every vector stays 0 there too.
    /// </summary>
    public static byte[] Of(PoissonGrid grid)
    {
        var diagonal = new byte[grid.CellCount];
        for (int z = 0; z < grid.Nz; z++)
            for (int y = 0; y < grid.Ny; y++)
                for (int x = 0; x < grid.Nx; x++)
                    if (grid[x, y, z] == CellType.Fluid) diagonal[grid.Index(x, y, z)] = (byte)grid.OpenNeighbours(x, y, z);
        return diagonal;
    }
}
