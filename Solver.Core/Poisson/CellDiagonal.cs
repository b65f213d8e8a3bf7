namespace Dcdm.Poisson;

/// <summary>The 7-point operator's diagonal per cell as one byte: the matrix-free kernels' whole operator.</summary>
public static class CellDiagonal
{
    /// <summary>
    /// Per cell its diagonal (open neighbours: face neighbours inside the grid that are not solid) when it is an unknown, else 0. An isolated fluid cell (no open
    /// neighbour) is a zero row, not an unknown, so every vector stays 0 there too.
    /// </summary>
    public static byte[] Of(PoissonGrid grid)
    {
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz, plane = nx * ny;
        var cells = grid.CellArray;
        var diagonal = new byte[grid.CellCount];
        void Plane(int z)
        {
            for (int y = 0, i = z * plane; y < ny; y++)
                for (int x = 0; x < nx; x++, i++)
                {
                    if (cells[i] != CellType.Fluid) continue;
                    int d = 0;
                    if (x > 0 && cells[i - 1] != CellType.Solid) d++;
                    if (x < nx - 1 && cells[i + 1] != CellType.Solid) d++;
                    if (y > 0 && cells[i - nx] != CellType.Solid) d++;
                    if (y < ny - 1 && cells[i + nx] != CellType.Solid) d++;
                    if (z > 0 && cells[i - plane] != CellType.Solid) d++;
                    if (z < nz - 1 && cells[i + plane] != CellType.Solid) d++;
                    diagonal[i] = (byte)d;
                }
        }
        if (grid.CellCount < 1 << 16) for (int z = 0; z < nz; z++) Plane(z);
        else Parallel.For(0, nz, Plane);
        return diagonal;
    }
}
