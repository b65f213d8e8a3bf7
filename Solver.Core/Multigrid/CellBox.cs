namespace Dcdm.Multigrid;

/// <summary>
/// The smallest box of a grid holding every unknown: first and last index per axis (empty: X1 &lt; X0). Kernels that
/// loop over it skip the air above a free surface, the empty part of a dam break's box and a pool's dry corners.
/// </summary>
internal readonly record struct CellBox(int X0, int X1, int Y0, int Y1, int Z0, int Z1)
{
    public bool IsEmpty => X1 < X0;
    public long Cells => IsEmpty ? 0 : (long)(X1 - X0 + 1) * (Y1 - Y0 + 1) * (Z1 - Z0 + 1);

    /// <summary>The box around the cells of an nx x ny x nz grid (x fastest) whose diagonal is not 0.</summary>
    public static CellBox Around(byte[] diagonal, int nx, int ny, int nz)
    {
        int x0 = nx, y0 = ny, z0 = nz, x1 = -1, y1 = -1, z1 = -1;
        for (int z = 0, i = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++, i++)
                    if (diagonal[i] != 0)
                    {
                        (x0, x1) = (Math.Min(x0, x), Math.Max(x1, x));
                        (y0, y1) = (Math.Min(y0, y), Math.Max(y1, y));
                        (z0, z1) = (Math.Min(z0, z), Math.Max(z1, z));
                    }
        return new CellBox(x0, x1, y0, y1, z0, z1);
    }
}
