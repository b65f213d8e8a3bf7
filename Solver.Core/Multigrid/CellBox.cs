using Dcdm.Poisson;

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
    public static CellBox Around(byte[] diagonal, int nx, int ny, int nz) => Scan(nx, ny, nz, i =>
    {
        var row = diagonal.AsSpan(i, nx);
        int first = row.IndexOfAnyExcept((byte)0);
        return (first, first < 0 ? -1 : row.LastIndexOfAnyExcept((byte)0));
    });

    /// <summary>The box around the cells whose diagonal is positive (a voxel operator's unknowns).</summary>
    public static CellBox Around(double[] diagonal, int nx, int ny, int nz) => Scan(nx, ny, nz, i =>
    {
        var row = diagonal.AsSpan(i, nx);
        int first = row.IndexOfAnyExcept(0.0); // a diagonal is a sum of coefficients >= 0
        return (first, first < 0 ? -1 : row.LastIndexOfAnyExcept(0.0));
    });

    /// <summary>
    /// The box around a voxel operator's unknowns (a Dirichlet term or an open face: a positive diagonal) without making
    /// the diagonal of every cell: each row is searched from both ends and stops at its first and last unknown. A row
    /// with none (the air above a surface) is told by its coefficients being all 0: the rows of its Dirichlet terms and
    /// of the faces that touch it, searched a vector at a time.
    /// </summary>
    public static CellBox AroundUnknowns(VoxelOperator op)
    {
        int nx = op.Nx, ny = op.Ny, plane = nx * ny;
        var (fx, fy, fz, dirichlet) = (op.FaceX, op.FaceY, op.FaceZ, op.Dirichlet);
        static bool Zero(double[] a, int from, int count) => a.AsSpan(from, count).IndexOfAnyExcept(0.0) < 0;
        return Scan(nx, ny, op.Nz, i =>
        {
            int y = i / nx % ny, z = i / (nx * ny); // i starts row (y, z)
            // a row's -x face from its first cell is the grid's edge: its faces along x are the row's own
            if (Zero(dirichlet, i, nx) && Zero(fx, i, nx) && Zero(fy, i, nx) && Zero(fz, i, nx)
                && (y == 0 || Zero(fy, i - nx, nx)) && (z == 0 || Zero(fz, i - plane, nx))) return (-1, -1);
            int first = 0;
            while (first < nx && !(op.Diagonal(i + first, first, y, z) > 0)) first++;
            if (first == nx) return (-1, -1);
            int last = nx - 1;
            while (!(op.Diagonal(i + last, last, y, z) > 0)) last--;
            return (first, last);
        });
    }

    /// <summary>The box around a grid's fluid cells (those that are no unknown included).</summary>
    public static CellBox AroundFluid(PoissonGrid grid)
    {
        var cells = grid.CellArray;
        int nx = grid.Nx;
        return Scan(nx, grid.Ny, grid.Nz, i =>
        {
            var row = cells.AsSpan(i, nx);
            int first = row.IndexOf(CellType.Fluid);
            return (first, first < 0 ? -1 : row.LastIndexOf(CellType.Fluid));
        });
    }

    /// <summary>The first and last cell of the row starting at index i that the box must hold; -1 for none.</summary>
    delegate (int First, int Last) RowExtent(int i);

    /// <summary>Each row's extent by vectorised searches, planes in parallel, then the planes' boxes merged.</summary>
    static CellBox Scan(int nx, int ny, int nz, RowExtent extent)
    {
        var planes = new CellBox[nz];
        Parallel.For(0, nz, z =>
        {
            int x0 = nx, y0 = ny, x1 = -1, y1 = -1;
            for (int y = 0, i = z * nx * ny; y < ny; y++, i += nx)
            {
                var (first, last) = extent(i);
                if (first < 0) continue;
                (x0, x1) = (Math.Min(x0, first), Math.Max(x1, last));
                (y0, y1) = (Math.Min(y0, y), y);
            }
            planes[z] = new CellBox(x0, x1, y0, y1, x1 < 0 ? nz : z, x1 < 0 ? -1 : z);
        });
        var box = new CellBox(nx, -1, ny, -1, nz, -1);
        foreach (var p in planes)
            box = new CellBox(Math.Min(box.X0, p.X0), Math.Max(box.X1, p.X1), Math.Min(box.Y0, p.Y0), Math.Max(box.Y1, p.Y1),
                Math.Min(box.Z0, p.Z0), Math.Max(box.Z1, p.Z1));
        return box;
    }
}
